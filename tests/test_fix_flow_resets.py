"""Tests of the offline issue's fix flow carrying out a reset, via the dashboard.

A restart, a power cycle and the plug it links first (one another Echo uses
too), what comes after a restart that did not help, a reset refused as the
action refuses it, Amazon failing one, and what the flow's actions show in
the logbook.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import (
    BEDROOM,
    DESK_PLUG,
    KITCHEN,
    KITCHEN_PLUG,
    call,
    device_id,
    iso,
    next_poll,
)
from .fake_amazon import EXPIRED_LOGIN, FakeAmazon
from .repair_issues import (
    FIX_FLOW_TEXTS,
    Dashboard,
    back_online_and_fixed,
    bedroom_plug_choice,
    factory_reset_and_give_away,
    offline_issue,
    plug_choice,
    restart_that_does_not_help,
    shown_menu,
    unavailable,
)
from .resets import link, plug_switches, start_kitchen_power_cycle

pytestmark = pytest.mark.usefixtures("repairs")


async def test_fix_flow_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Restart from the fix flow: progress, the Echo comes back, issue fixed."""
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    assert flow["type"] == "menu"
    assert flow["menu_options"] == [
        "restart",
        "power_cycle",
        "factory_reset_action_button",
        "ignore",
    ]

    flow = await dashboard.choose(flow, "restart")
    assert flow["type"] == "progress"
    assert flow["progress_action"] == "wait_online"
    assert fake_amazon.requests[-1][1].startswith("/v1/alexa/device/reboot/")

    await back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)


async def test_fix_flow_power_cycle_links_a_plug_first(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No plug linked yet: the flow asks which one, remembers it, power-cycles.

    Nothing is chosen for the user: a quick Submit chooses no plug.
    """
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "power_cycle")
    field = plug_choice(flow)
    # Optional and without a default: the frontend preselects neither.
    assert field["optional"] is True
    assert "default" not in field
    assert field["selector"]["select"]["options"] == [
        {"value": KITCHEN_PLUG, "label": "Kitchen Plug"},
        {"value": DESK_PLUG, "label": "Desk Lamp Plug"},
    ]
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["errors"] == {"plug": "choose_plug"}
    assert plug_switches(fake_amazon) == []

    flow = await dashboard.send(flow["flow_id"], {"plug": KITCHEN_PLUG})
    assert flow["type"] == "progress"
    assert flow["progress_action"] == "wait_power_cycle"
    assert "restart" not in FIX_FLOW_TEXTS["progress"]["wait_power_cycle"].lower()
    assert hass.states.get("select.kitchen_echo_powered_by").state == "Kitchen Plug"

    # Power comes back after 20 s; the Echo boots and is online 30 s later.
    await next_poll(hass, freezer, timedelta(seconds=20))
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    await back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)


async def test_closing_the_dialog_mid_power_cycle_lets_it_finish(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The dialog closed while the plug is off: the power cycle goes on.

    Home Assistant cancels a deleted flow's progress task; were that the
    power cycle itself, its plug would stay off.
    """
    await link(hass, "kitchen_echo", "Kitchen Plug")
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "power_cycle")
    assert flow["type"] == "progress"
    assert plug_switches(fake_amazon) == ["turnOff"]

    await dashboard.close(flow["flow_id"])
    for _ in range(12):
        await next_poll(hass, freezer, timedelta(seconds=30))

    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    assert init_integration.runtime_data.reset_store.switched_off == {}


async def test_fix_flow_plug_of_another_echo_asks_once_more(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plug linked to another Echo says so, and choosing it asks again first."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    flow = await bedroom_plug_choice(dashboard, init_integration)
    assert plug_choice(flow)["selector"]["select"]["options"] == [
        {"value": KITCHEN_PLUG, "label": "Kitchen Plug (powers Kitchen Echo)"},
        {"value": DESK_PLUG, "label": "Desk Lamp Plug"},
    ]
    assert "default" not in plug_choice(flow)

    flow = await dashboard.send(flow["flow_id"], {"plug": KITCHEN_PLUG})
    assert flow["type"] == "menu"
    assert flow["step_id"] == "shared_plug"
    assert flow["menu_options"] == ["link_shared_plug", "link_plug"]
    placeholders = flow["description_placeholders"]
    assert (placeholders["plug"], placeholders["echos"]) == (
        "Kitchen Plug",
        "Kitchen Echo",
    )
    # Nothing is switched or linked before the answer; "no" asks again.
    flow = await dashboard.choose(flow, "link_plug")
    plug_choice(flow)
    links = init_integration.runtime_data.power_links
    assert links.plug_of(BEDROOM) is None
    assert plug_switches(fake_amazon) == []

    flow = await dashboard.send(flow["flow_id"], {"plug": KITCHEN_PLUG})
    flow = await dashboard.choose(flow, "link_shared_plug")
    assert flow["type"] == "progress"
    assert flow["progress_action"] == "wait_power_cycle"
    assert links.echos_of(KITCHEN_PLUG) == [KITCHEN, BEDROOM]
    await next_poll(hass, freezer, timedelta(seconds=20))
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]

    fake_amazon.set_online("Bedroom Echo Show", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer, timedelta(seconds=30))
    flow = await dashboard.current(flow["flow_id"])
    assert flow["step_id"] == "outcome"


async def test_fix_flow_device_not_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A restart that does not bring the Echo back offers the power cycle it advises.

    The Echo has no plug yet: the power cycle asks for one first.
    """
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    flow = await restart_that_does_not_help(hass, freezer, dashboard, flow)
    assert flow["type"] == "menu"
    assert flow["menu_options"] == [
        "power_cycle",
        "factory_reset_action_button",
        "ignore",
    ]
    assert "power-cycle" in shown_menu(flow).lower()
    flow = await dashboard.choose(flow, "power_cycle")
    plug_choice(flow)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


async def _power_cycle_after_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    flow: dict[str, Any],
) -> dict[str, Any]:
    """The menu after a restart that did not help goes on to the power cycle."""
    assert flow["menu_options"] == [
        "power_cycle",
        "factory_reset_action_button",
        "ignore",
    ]
    flow = await dashboard.choose(flow, "power_cycle")
    assert flow["type"] == "progress"
    await next_poll(hass, freezer, timedelta(seconds=20))
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    return flow


async def test_fix_flow_power_cycle_after_restart_not_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With a plug linked, the power cycle comes next, the restart's cooldown aside."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    flow = await restart_that_does_not_help(hass, freezer, dashboard, flow)
    flow = await _power_cycle_after_restart(hass, freezer, fake_amazon, dashboard, flow)
    await back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)


async def _restarted_a_moment_ago(
    hass: HomeAssistant, entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> asyncio.Task[ServiceResponse] | None:
    await call(hass, "restart", {"device_id": device_id(hass, entry, KITCHEN)})
    return None


async def _power_cycle_running(
    hass: HomeAssistant, entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> asyncio.Task[ServiceResponse] | None:
    return await start_kitchen_power_cycle(hass, entry, fake_amazon)


@pytest.mark.parametrize(
    ("automation", "reason", "placeholder"),
    [
        pytest.param(_restarted_a_moment_ago, "cooldown", "time", id="restarted"),
        pytest.param(
            _power_cycle_running, "reset_in_progress", "device", id="power-cycling"
        ),
    ],
)
async def test_the_flows_restart_is_refused_as_the_action_is(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
    automation: Callable[
        [HomeAssistant, MockConfigEntry, FakeAmazon],
        Awaitable[asyncio.Task[ServiceResponse] | None],
    ],
    reason: str,
    placeholder: str,
) -> None:
    """An automation restarted the Echo a moment ago, or power-cycles it now.

    "Restart it now" ends with the reason, nothing sent to Amazon.
    """
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    running = await automation(hass, init_integration, fake_amazon)
    sent = len(fake_amazon.requests)
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "restart")
    assert flow["type"] == "abort"
    assert flow["reason"] == reason
    assert placeholder in flow["description_placeholders"]
    assert len(fake_amazon.requests) == sent
    if running is not None:
        running.cancel()


async def test_fix_flow_reset_failure(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon refusing the reboot: the flow says why and offers what comes next."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    fake_amazon.failing_path = "/reboot/"
    flow = await dashboard.choose(flow, "restart")
    fake_amazon.failing_path = None
    # Amazon answers at once: no progress, straight to what comes next.
    assert flow["type"] == "menu"
    assert flow["step_id"] == "restart_not_sent"
    assert flow["description_placeholders"]["error"]
    await _power_cycle_after_restart(hass, freezer, fake_amazon, dashboard, flow)


async def test_fix_flow_restart_with_an_expired_login(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No power cycle offered instead: nothing works until the user signs in."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    fake_amazon.fail_next(EXPIRED_LOGIN)
    flow = await dashboard.choose(flow, "restart")
    assert flow["type"] == "abort"
    assert flow["reason"] == "action_invalid_auth"
    assert flow["description_placeholders"]["device"] == "Kitchen Echo"
    assert plug_switches(fake_amazon) == []


def _events(events: list[Any]) -> list[tuple[str, str, str]]:
    return [(e.data["device_id"], e.data["action"], e.data["outcome"]) for e in events]


async def test_fix_flow_resets_show_in_the_logbook(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A restart from the fix flow fires the action's event: failed, then done."""
    events = async_capture_events(hass, EVENT_ACTION)
    kitchen = device_id(hass, init_integration, KITCHEN)
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    fake_amazon.failing_path = "/reboot/"
    await dashboard.choose(flow, "restart")
    fake_amazon.failing_path = None
    assert _events(events) == [(kitchen, "restart", "failed")]

    # A failed restart starts no cooldown.
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "restart")
    await back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)
    assert _events(events)[1:] == [(kitchen, "restart", "back_online")]


async def test_fix_flow_give_away_shows_in_the_logbook(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Deregistering from the fix flow fires the deregister action's event."""
    events = async_capture_events(hass, EVENT_ACTION)
    bedroom = device_id(hass, init_integration, BEDROOM)
    result = await factory_reset_and_give_away(
        hass, freezer, dashboard, unavailable(init_integration, BEDROOM)
    )
    assert result["type"] == "create_entry"
    assert _events(events) == [(bedroom, "deregister", "deregistered")]

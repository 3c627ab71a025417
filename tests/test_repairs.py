"""Tests of the repair issues of offline devices, through the dashboard's API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from markdown_it import MarkdownIt
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.alexa_care.amazon.models import Device, Echo, SmartPlug
from custom_components.alexa_care.const import (
    DOMAIN,
    EVENT_ACTION,
    OFFLINE_RECHECK,
    STALE_DEVICE_GRACE,
)
from custom_components.alexa_care.monitoring.suggested_fix import factory_reset_step
from custom_components.alexa_care.repairs import async_create_fix_flow
from devtools.amazon_emulator.push_payloads import dnd_change
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import (
    ACCESS_TOKEN,
    BEDROOM,
    DESK_PLUG,
    KITCHEN,
    KITCHEN_PLUG,
    call,
    device_id,
    iso,
    next_poll,
    read_network_identities,
    run_while_time_passes,
    set_up,
    settle,
    until,
)
from .fake_amazon import CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush
from .integration_files import load_integration_file
from .repair_issues import (
    KITCHEN_MAC,
    Dashboard,
    come_back,
    go_offline,
    keeps_dropping,
    offline_issue,
    seen_by_router,
    unavailable,
)
from .resets import link, plug_switches, start_kitchen_power_cycle

pytestmark = pytest.mark.usefixtures("repairs")
KITCHEN_DND = "switch.kitchen_echo_do_not_disturb"
# The English texts of the offline issue's fix flow, as the dashboard shows them.
FIX_FLOW_TEXTS = load_integration_file("translations/en.json")["issues"][
    "device_unavailable"
]["fix_flow"]


async def test_issue_after_grace_and_gone_when_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No issue during the grace period; one after it; none once back."""
    issue_id = unavailable(init_integration, KITCHEN)
    await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
    since = dt_util.as_local(dt_util.utcnow() - timedelta(minutes=5))
    await next_poll(hass, freezer, timedelta(minutes=5))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    await next_poll(hass, freezer, timedelta(minutes=10))
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {
        "device": "Kitchen Echo",
        "model": "Echo Dot",
        # Home Assistant's system language is English (US) here.
        "since": since.strftime("%-m/%-d/%Y, %-I:%M %p"),
    }

    await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_issue_date_in_the_system_language(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """On a German system the offline issue writes its date the German way."""
    hass.config.language = "de"
    await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
    since = dt_util.as_local(dt_util.utcnow() - timedelta(minutes=5))
    await next_poll(hass, freezer, timedelta(minutes=15))
    issue = issue_registry.async_get_issue(
        DOMAIN, unavailable(init_integration, KITCHEN)
    )
    assert issue is not None
    assert issue.translation_placeholders["since"] == since.strftime("%d.%m.%Y, %H:%M")


async def test_offline_since_long_ago_at_setup(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Amazon's own time of the outage counts: an old outage shows at once."""
    issue = issue_registry.async_get_issue(
        DOMAIN, unavailable(init_integration, BEDROOM)
    )
    assert issue is not None
    assert issue.translation_placeholders["model"] == "Echo Show 8"


async def _back_online_and_fixed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    flow: dict[str, Any],
    issue_id: str,
) -> None:
    """The Kitchen Echo comes back: the flow shows the outcome, the issue goes."""
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer, timedelta(seconds=30))
    flow = await dashboard.current(flow["flow_id"])
    assert flow["type"] == "form"
    assert flow["step_id"] == "outcome"
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["type"] == "create_entry"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


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

    await _back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)


def shown_menu(flow: dict[str, Any]) -> str:
    """A menu as the dashboard shows it: its text, its choices and what they do."""
    step = FIX_FLOW_TEXTS["step"][flow["step_id"]]
    option_texts = step.get("menu_option_descriptions", {})
    return " ".join(
        [
            step["description"],
            *(step["menu_options"][option] for option in flow["menu_options"]),
            *(option_texts.get(option, "") for option in flow["menu_options"]),
        ]
    )


def plug_choice(flow: dict[str, Any]) -> dict[str, Any]:
    """The plug field of the link_plug form, as the dashboard receives it."""
    assert flow["type"] == "form"
    assert flow["step_id"] == "link_plug"
    (field,) = flow["data_schema"]
    assert field["name"] == "plug"
    return field


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
    await _back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)


async def _bedroom_plug_choice(
    dashboard: Dashboard, entry: MockConfigEntry
) -> dict[str, Any]:
    """The Bedroom Echo Show's fix flow, power cycle chosen: which plug powers it?"""
    flow = await dashboard.start(unavailable(entry, BEDROOM))
    return await dashboard.choose(flow, "power_cycle")


async def test_fix_flow_plug_of_another_echo_asks_once_more(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plug linked to another Echo says so, and choosing it asks again first."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    flow = await _bedroom_plug_choice(dashboard, init_integration)
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


async def test_fix_flow_texts_follow_what_the_echo_can_do(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    dashboard: Dashboard,
) -> None:
    """An Echo Show that cannot reboot reads nothing about a restart."""
    flow = await dashboard.start(unavailable(init_integration, BEDROOM))
    assert "restart" not in flow["menu_options"]
    assert "restart" not in shown_menu(flow).lower()


async def _restart_that_does_not_help(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    dashboard: Dashboard,
    flow: dict[str, Any],
) -> dict[str, Any]:
    """The menu's restart, and five minutes without the Echo: what comes next."""
    flow = await dashboard.choose(flow, "restart")
    for _ in range(10):
        await next_poll(hass, freezer, timedelta(seconds=30))
    flow = await dashboard.current(flow["flow_id"])
    assert flow["step_id"] == "restart_not_back"
    return flow


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
    flow = await _restart_that_does_not_help(hass, freezer, dashboard, flow)
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


async def test_fix_flow_without_plugs_advises_no_power_cycle(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No plug on the account: no text before or after a restart speaks of one."""
    fake_amazon.remove("Kitchen Plug")
    fake_amazon.remove("Desk Lamp Plug")
    await set_up(hass, mock_config_entry)
    issue_id = await offline_issue(hass, mock_config_entry, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    assert flow["menu_options"] == ["restart", "factory_reset_action_button", "ignore"]
    assert "power-cycle" not in shown_menu(flow).lower()
    flow = await _restart_that_does_not_help(hass, freezer, dashboard, flow)
    assert flow["menu_options"] == ["factory_reset_action_button", "ignore"]
    assert "power-cycle" not in shown_menu(flow).lower()
    assert "its plug" not in shown_menu(flow)
    flow = await dashboard.choose(flow, "factory_reset_action_button")
    assert flow["step_id"] == "factory_reset_action_button"


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
    flow = await _restart_that_does_not_help(hass, freezer, dashboard, flow)
    flow = await _power_cycle_after_restart(hass, freezer, fake_amazon, dashboard, flow)
    await _back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)


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


@pytest.mark.parametrize("deregister", [False, True])
async def test_fix_flow_guided_factory_reset(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    device_registry: dr.DeviceRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
    deregister: bool,
) -> None:
    """The steps for the model, then deregister only if the user asks."""
    issue_id = unavailable(init_integration, BEDROOM)  # an Echo Show
    flow = await dashboard.start(issue_id)
    # Amazon cannot reboot it; a plug could power-cycle it.
    assert flow["menu_options"] == [
        "power_cycle",
        "factory_reset_action_button",
        "ignore",
    ]
    flow = await dashboard.choose(flow, "factory_reset_action_button")
    assert flow["type"] == "form"
    placeholders = flow["description_placeholders"]
    assert placeholders["device"] == "Bedroom Echo Show"
    assert placeholders["model"] == "Echo Show 8"
    assert "since" in placeholders  # from the issue
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["step_id"] == "give_away"

    result = await run_while_time_passes(
        hass, freezer, dashboard.send(flow["flow_id"], {"deregister": deregister})
    )
    bedroom = device_registry.async_get_device_by_identifier(
        (DOMAIN, BEDROOM), init_integration.entry_id
    )
    if deregister:
        assert result["type"] == "create_entry"
        assert bedroom is None
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    else:
        assert result["type"] == "abort"
        assert result["reason"] == "factory_reset_guided"
        assert bedroom is not None
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


async def test_plug_offers_its_own_reset(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An offline plug cannot be switched: only its reset steps and ignore."""
    issue_id = await offline_issue(
        hass, init_integration, fake_amazon, freezer, "Kitchen Plug", KITCHEN_PLUG
    )
    flow = await dashboard.start(issue_id)
    assert flow["menu_options"] == ["factory_reset_amazon_plug", "ignore"]


async def test_ignore_until_back_online_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ignored: stays dismissed while offline; a later outage is new."""
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "ignore")
    assert flow["reason"] == "ignored"
    await next_poll(hass, freezer, timedelta(hours=2))
    assert issue_registry.async_get_issue(DOMAIN, issue_id).dismissed_version

    await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    await offline_issue(hass, init_integration, fake_amazon, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id).dismissed_version is None


async def test_keeps_dropping(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three short outages in a day raise a second issue; a quiet day ends it."""
    issue_id = keeps_dropping(init_integration, KITCHEN)
    for _ in range(3):
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
        await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue.translation_placeholders == {"device": "Kitchen Echo", "drops": "3"}
    assert (
        issue_registry.async_get_issue(DOMAIN, unavailable(init_integration, KITCHEN))
        is None
    )  # each outage was shorter than the grace period

    flow = await dashboard.start(issue_id)
    assert flow["menu_options"] == ["factory_reset_action_button", "ignore"]
    assert flow["description_placeholders"]["drops"] == "3"

    await next_poll(hass, freezer, timedelta(hours=24))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_issues_leave_with_the_device_and_the_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A device removed from the account, or the entry removed: no issue left."""
    bedroom_issue = unavailable(init_integration, BEDROOM)
    kitchen_issue = await offline_issue(hass, init_integration, fake_amazon, freezer)
    fake_amazon.remove("Bedroom Echo Show")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    assert issue_registry.async_get_issue(DOMAIN, bedroom_issue) is None
    assert issue_registry.async_get_issue(DOMAIN, kitchen_issue) is not None

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.issues == {}


async def test_flow_for_a_device_that_left(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A flow opened after the device left the account says so."""
    issue_id = unavailable(init_integration, BEDROOM)
    fake_amazon.remove("Bedroom Echo Show")
    await next_poll(hass, freezer)
    # The issue goes only when the device is removed; until then it can be opened.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="device_unavailable",
        translation_placeholders={"device": "Bedroom Echo Show"},
        data={
            "kind": "device_unavailable",
            "entry_id": init_integration.entry_id,
            "device_key": BEDROOM,
        },
    )
    flow = await dashboard.start(issue_id)
    assert flow["type"] == "abort"
    assert flow["reason"] == "device_gone"


@pytest.mark.parametrize(
    ("model", "manufacturer", "plug", "step"),
    [
        ("Echo Dot", "Amazon", False, "factory_reset_action_button"),
        ("Echo Show 8", "Amazon", False, "factory_reset_action_button"),
        ("Echo", "Amazon", False, "factory_reset_echo"),
        ("Echo Studio", "Amazon", False, "factory_reset_echo"),
        ("Amazon Smart Plug", "Amazon", True, "factory_reset_amazon_plug"),
        ("KP115", "TP-Link Kasa", True, "factory_reset_other_plug"),
    ],
)
def test_factory_reset_steps_per_model(
    model: str, manufacturer: str, plug: bool, step: str
) -> None:
    """Each model family gets its own reset steps."""
    common = {
        "key": "k",
        "name": "n",
        "model": model,
        "manufacturer": manufacturer,
        "serial_number": None,
        "software_version": None,
        "online": False,
        "last_seen_online": None,
    }
    device: Device = (
        SmartPlug(**common, appliance_id="a", power_on=None)
        if plug
        else Echo(
            **common, device_type="t", capabilities=frozenset(), do_not_disturb=None
        )
    )
    assert factory_reset_step(device) == step


@pytest.mark.parametrize(
    ("tracker", "step_id"),
    [
        (("home", KITCHEN_MAC), "on_network"),
        (("home", "68-54-fd-3a-1b-2c"), "on_network"),
        (("not_home", KITCHEN_MAC), "off_network"),
        (("home", "AA:BB:CC:DD:EE:FF"), "init"),
        (None, "init"),
    ],
    ids=["on network", "MAC written otherwise", "off network", "other MAC", "none"],
)
async def test_fix_flow_asks_the_home_network(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
    tracker: tuple[str, str] | None,
    step_id: str,
) -> None:
    """A router's tracker with the Echo's MAC says which case the outage is."""
    await read_network_identities(hass, freezer)
    if tracker is not None:
        await seen_by_router(hass, *tracker)
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    assert flow["type"] == "menu"
    assert flow["step_id"] == step_id
    # No plug linked: the restart keeps its place.
    assert flow["menu_options"][:2] == ["restart", "power_cycle"]
    assert flow["description_placeholders"]["ssid"] == "Carter-Home"


async def test_hung_echo_power_cycle_first(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Still on the network with a plug linked: the power cycle comes first.

    Opened again after the router lost it, the flow reads the tracker anew.
    """
    await read_network_identities(hass, freezer)
    await link(hass, "kitchen_echo", "Kitchen Plug")
    await seen_by_router(hass, "home", KITCHEN_MAC)
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    flow = await dashboard.start(issue_id)
    assert flow["step_id"] == "on_network"
    assert flow["menu_options"] == [
        "power_cycle",
        "restart",
        "factory_reset_action_button",
        "ignore",
    ]

    await seen_by_router(hass, "not_home", KITCHEN_MAC)
    flow = await dashboard.start(issue_id)
    assert flow["step_id"] == "off_network"
    assert flow["menu_options"][0] == "restart"


async def test_no_network_identity_for_a_plug(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plug's issue reads as before: Amazon tells no plug's MAC address."""
    await read_network_identities(hass, freezer)
    await seen_by_router(hass, "home", KITCHEN_MAC)
    issue_id = await offline_issue(
        hass, init_integration, fake_amazon, freezer, "Kitchen Plug", KITCHEN_PLUG
    )
    flow = await dashboard.start(issue_id)
    assert flow["step_id"] == "init"
    assert flow["description_placeholders"]["ssid"] == "-"


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
    await _back_online_and_fixed(hass, freezer, fake_amazon, dashboard, flow, issue_id)
    assert _events(events)[1:] == [(kitchen, "restart", "back_online")]


async def _give_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    dashboard: Dashboard,
    issue_id: str,
) -> dict[str, Any]:
    """An Echo Show's guided factory reset, then "give it away": deregister it."""
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "factory_reset_action_button")
    flow = await dashboard.send(flow["flow_id"], {})
    give_away = dashboard.send(flow["flow_id"], {"deregister": True})
    return await run_while_time_passes(hass, freezer, give_away)


async def test_fix_flow_give_away_shows_in_the_logbook(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Deregistering from the fix flow fires the deregister action's event."""
    events = async_capture_events(hass, EVENT_ACTION)
    bedroom = device_id(hass, init_integration, BEDROOM)
    result = await _give_away(
        hass, freezer, dashboard, unavailable(init_integration, BEDROOM)
    )
    assert result["type"] == "create_entry"
    assert _events(events) == [(bedroom, "deregister", "deregistered")]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"entry_id": "01JALEXACARE0000000000TEST", "device_key": KITCHEN},
        {"kind": "throttled", "entry_id": "01JALEXACARE0000000000TEST"},
        {"kind": "unheard_of", "entry_id": "01JALEXACARE0000000000TEST"},
    ],
    ids=["no data", "no kind", "not fixable", "unknown kind"],
)
async def test_an_issue_without_a_fix_flow_is_refused(
    hass: HomeAssistant, data: dict[str, str] | None
) -> None:
    """The flow is chosen by the kind in the issue's data; no kind, no flow."""
    with pytest.raises(ValueError, match="No fix flow"):
        await async_create_fix_flow(hass, "some_issue", data)


# A name as Amazon may send it (anyone who can rename a device in the Alexa
# app chooses it), and a Wi-Fi network name as a router may have it.
HOSTILE_NAME = "[Kitchen](https://evil.example) <img src=https://evil.example/i.png>"
HOSTILE_SSID = "<a href='https://evil.example'>Carter-Home</a>"


def _inert(text: str) -> bool:
    """Rendered as markdown, the text has no link, image or HTML of its own."""
    rendered = MarkdownIt("commonmark").render(text)
    bare_link = re.search(r"(?<!\\)://", text)
    return "<a" not in rendered and "<img" not in rendered and not bare_link


async def test_text_from_outside_is_escaped_in_issues_and_flows(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Device names and SSIDs reach the texts Home Assistant renders escaped."""
    fake_amazon.endpoint("Kitchen Echo")["friendlyNameObject"]["value"]["text"] = (
        HOSTILE_NAME
    )
    record = next(d for d in fake_amazon.devices if d["serialNumber"] == KITCHEN)
    record["accountName"], record["essid"] = HOSTILE_NAME, HOSTILE_SSID
    assert not _inert(HOSTILE_NAME)
    assert not _inert(HOSTILE_SSID)
    await set_up(hass, mock_config_entry)
    await read_network_identities(hass, freezer)

    issue_id = await offline_issue(
        hass, mock_config_entry, fake_amazon, freezer, HOSTILE_NAME
    )
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert all(map(_inert, issue.translation_placeholders.values()))
    flow = await dashboard.start(issue_id)
    placeholders = flow["description_placeholders"]
    assert _inert(placeholders["device"])
    assert _inert(placeholders["ssid"])
    # A refusal's reason names the device too.
    await call(
        hass, "restart", {"device_id": device_id(hass, mock_config_entry, KITCHEN)}
    )
    flow = await dashboard.choose(flow, "restart")
    assert flow["reason"] == "cooldown"
    assert all(map(_inert, flow["description_placeholders"].values()))


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("way", ["action", "fix flow"])
async def test_a_deregistered_device_takes_its_issues_along(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
    way: str,
) -> None:
    """Polls resting on the push channel: the issue and the count go at once.

    And the offline recheck, which runs while polls rest, does not raise the
    issue again for a device Home Assistant no longer has.
    """
    fake_push.serving = True
    fake_push.access_token = ACCESS_TOKEN
    await set_up(hass, mock_config_entry)
    runtime = mock_config_entry.runtime_data
    await until(hass, lambda: runtime.push.status.connected)
    # Something pushed: with a device offline, the recheck now looks every
    # minute, as the polls rest.
    fake_push.push(dnd_change(KITCHEN, "A4ZXE0RM7LQ7A", CUSTOMER_ID, enabled=True))
    await until(hass, lambda: hass.states.get(KITCHEN_DND).state == "on")
    issue_id = unavailable(mock_config_entry, BEDROOM)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get("sensor.devices_offline").state == "1"

    if way == "action":
        bedroom = device_id(hass, mock_config_entry, BEDROOM)
        deregister = call(hass, "deregister", {"device_id": bedroom, "confirm": True})
        await run_while_time_passes(hass, freezer, deregister)
    else:
        result = await _give_away(hass, freezer, dashboard, issue_id)
        assert result["type"] == "create_entry"

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    for _ in range(3):
        freezer.tick(OFFLINE_RECHECK)
        async_fire_time_changed(hass)
        await settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_the_shared_plug_question_escapes_names(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The plug and the Echos it powers are named in markdown: escaped."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    fake_amazon.endpoint("Kitchen Plug")["friendlyNameObject"]["value"]["text"] = (
        HOSTILE_NAME
    )
    fake_amazon.endpoint("Kitchen Echo")["friendlyNameObject"]["value"]["text"] = (
        HOSTILE_SSID
    )
    await next_poll(hass, freezer)
    flow = await _bedroom_plug_choice(dashboard, init_integration)
    flow = await dashboard.send(flow["flow_id"], {"plug": KITCHEN_PLUG})
    assert flow["step_id"] == "shared_plug"
    placeholders = flow["description_placeholders"]
    assert _inert(placeholders["plug"])
    assert _inert(placeholders["echos"])

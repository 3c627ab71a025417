"""Tests of what the offline issue's fix flow offers and advises, via the dashboard.

The menu following what the device can do and whether a plug could power-cycle
it, the factory-reset steps per model, giving the device away (and its issues
leaving with it), and the question the home network answers: still on it, or
off it.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.amazon.models import Device, Echo, SmartPlug
from custom_components.alexa_care.const import DOMAIN, OFFLINE_RECHECK
from custom_components.alexa_care.monitoring.suggested_fix import factory_reset_step
from devtools.amazon_emulator.push_payloads import dnd_change
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .common import (
    ACCESS_TOKEN,
    BEDROOM,
    KITCHEN,
    KITCHEN_PLUG,
    call,
    device_id,
    read_network_identities,
    run_while_time_passes,
    set_up,
    settle,
    until,
)
from .fake_amazon import CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush
from .repair_issues import (
    KITCHEN_MAC,
    Dashboard,
    factory_reset_and_give_away,
    offline_issue,
    restart_that_does_not_help,
    seen_by_router,
    shown_menu,
    unavailable,
)
from .resets import link

pytestmark = pytest.mark.usefixtures("repairs")
KITCHEN_DND = "switch.kitchen_echo_do_not_disturb"


async def test_fix_flow_texts_follow_what_the_echo_can_do(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    dashboard: Dashboard,
) -> None:
    """An Echo Show that cannot reboot reads nothing about a restart."""
    flow = await dashboard.start(unavailable(init_integration, BEDROOM))
    assert "restart" not in flow["menu_options"]
    assert "restart" not in shown_menu(flow).lower()


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
    flow = await restart_that_does_not_help(hass, freezer, dashboard, flow)
    assert flow["menu_options"] == ["factory_reset_action_button", "ignore"]
    assert "power-cycle" not in shown_menu(flow).lower()
    assert "its plug" not in shown_menu(flow)
    flow = await dashboard.choose(flow, "factory_reset_action_button")
    assert flow["step_id"] == "factory_reset_action_button"


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
        result = await factory_reset_and_give_away(hass, freezer, dashboard, issue_id)
        assert result["type"] == "create_entry"

    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    for _ in range(3):
        freezer.tick(OFFLINE_RECHECK)
        async_fire_time_changed(hass)
        await settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

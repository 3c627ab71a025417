"""Tests of the health dashboard's generator (dashboards/alexa_care.jinja)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.template import Template

DASHBOARDS = Path(__file__).parent.parent / "dashboards"
GENERATOR = DASHBOARDS / "alexa_care.jinja"
# The cards the frontend ships; a custom card would need a download.
CORE_CARDS = {"entities", "glance", "history-graph", "statistics-graph"}


def _render(hass: HomeAssistant) -> dict[str, Any]:
    text = Template(GENERATOR.read_text(), hass).async_render(parse_result=False)
    dashboard: dict[str, Any] = yaml.safe_load(text)
    return dashboard


def _cards(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {card["title"]: card for card in dashboard["views"][0]["cards"]}


def _entities(card: dict[str, Any]) -> list[str]:
    return [row["entity"] for row in card["entities"] if "entity" in row]


def _device_id(hass: HomeAssistant, name: str) -> str:
    device = next(
        device for device in dr.async_get(hass).devices if device.name == name
    )
    return device.id


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_dashboard_for_the_devices_of_this_home_assistant(
    hass: HomeAssistant,
) -> None:
    """Every device with reachability, its counts, graphs and resets."""
    dashboard = _render(hass)
    cards = _cards(dashboard)
    assert {card["type"] for card in cards.values()} == CORE_CARDS

    # The account's count first, then each device by name.
    assert _entities(cards["Devices"]) == [
        "sensor.devices_offline",
        "binary_sensor.bedroom_echo_show_connectivity",
        "binary_sensor.kitchen_echo_connectivity",
        "binary_sensor.kitchen_plug_connectivity",
    ]
    assert _entities(cards["Connectivity, last 24 hours"]) == [
        "binary_sensor.bedroom_echo_show_connectivity",
        "binary_sensor.kitchen_echo_connectivity",
        "binary_sensor.kitchen_plug_connectivity",
    ]
    assert cards["Connectivity, last 24 hours"]["hours_to_show"] == 24
    drops = [
        "sensor.bedroom_echo_show_drop_offs_today",
        "sensor.kitchen_echo_drop_offs_today",
        "sensor.kitchen_plug_drop_offs_today",
    ]
    assert _entities(cards["Drop-offs today"]) == drops
    weekly = cards["Drop-offs per day, last 7 days"]
    assert _entities(weekly) == drops
    assert (weekly["days_to_show"], weekly["period"]) == (7, "day")
    assert _entities(cards["Minutes offline per day, last 7 days"]) == [
        "sensor.bedroom_echo_show_offline_time_today",
        "sensor.kitchen_echo_offline_time_today",
        "sensor.kitchen_plug_offline_time_today",
    ]
    for card in cards.values():
        for entity_id in _entities(card):
            assert hass.states.get(entity_id) is not None, entity_id

    # Only the kitchen Echo can be restarted; both Echos can be power-cycled
    # through their plug, with the device id the action takes.
    resets = cards["Resets"]["entities"]
    assert _entities(cards["Resets"]) == ["button.kitchen_echo_restart"]
    power_cycles = [row for row in resets if row.get("type") == "button"]
    assert [row["name"] for row in power_cycles] == [
        "Power-cycle Bedroom Echo Show",
        "Power-cycle Kitchen Echo",
    ]
    assert power_cycles[1]["tap_action"] == {
        "action": "perform-action",
        "perform_action": "alexa_care.power_cycle",
        "data": {"device_id": _device_id(hass, "Kitchen Echo")},
        "confirmation": {
            "text": "Switch off the plug that powers Kitchen Echo for 20 seconds?"
        },
    }


async def test_dashboard_follows_names_not_entity_ids(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A renamed device and entity are found; disabled counts are left out."""
    registry = dr.async_get(hass)
    registry.async_update_device(
        _device_id(hass, "Kitchen Echo"), name_by_user='Küche "Echo"'
    )
    entity_registry.async_update_entity(
        "binary_sensor.kitchen_echo_connectivity",
        new_entity_id="binary_sensor.kuche_online",
    )
    entity_registry.async_update_entity(
        "sensor.kitchen_plug_drop_offs_today",
        disabled_by=er.RegistryEntryDisabler.USER,
    )
    await hass.async_block_till_done()

    cards = _cards(_render(hass))
    devices = cards["Devices"]["entities"]
    assert {"entity": "binary_sensor.kuche_online"} | {
        "name": 'Küche "Echo"',
        "secondary_info": "last-changed",
    } in devices
    assert "sensor.kitchen_plug_drop_offs_today" not in _entities(
        cards["Drop-offs today"]
    )
    # Offline time is disabled by default: no graph of it until it is enabled.
    assert "Minutes offline per day, last 7 days" not in cards


def test_example_uses_only_home_assistants_cards() -> None:
    """The example in the repository needs no custom card."""
    example = yaml.safe_load((DASHBOARDS / "alexa_care.yaml").read_text())
    cards = _cards(example)
    assert {card["type"] for card in cards.values()} <= CORE_CARDS
    assert len(_entities(cards["Connectivity, last 24 hours"])) == 7


# Every control character (C0, DEL, C1), characters YAML reads as line breaks
# or forbids, and text that means something in YAML when left unquoted.
ODD_NAMES = [
    "Echo " + "".join(map(chr, [*range(32), *range(127, 160)])) + " end",
    "Echo \x7f",
    "\u2028Echo\u2029\u0085",
    "\ufeffEcho \ufffe\uffff",
    "\"Kitchen\" 'Echo' \\ \\n",
    "Kitchen: Echo",
    "# Echo",
    "Echo # not a comment",
    "- Echo",
    "* Echo",
    "&Echo",
    "!Echo",
    "%Echo",
    "@Echo",
    "`Echo",
    "|",
    "> Echo",
    "{Echo}",
    "[Echo]",
    "Kitchen\nEcho\r\n",
    "\tEcho  ",
    "Küche 🎵 日本語 עברית",
    "null",
    "yes",
    "~",
    "0x1F",
    "1e300",
]


async def test_dashboard_keeps_any_device_name(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Whatever the name, the output is YAML that gives it back exactly."""
    kitchen = _device_id(hass, "Kitchen Echo")
    for name in ODD_NAMES:
        dr.async_get(hass).async_update_device(kitchen, name_by_user=name)
        cards = _cards(_render(hass))
        devices = cards["Devices"]["entities"]
        row = next(
            row
            for row in devices
            if row.get("entity", "").endswith("kitchen_echo_connectivity")
        )
        assert row["name"] == name
        resets = cards["Resets"]["entities"]
        assert f"Restart {name}" in [row["name"] for row in resets]
        power_cycle = next(
            row for row in resets if row["name"] == f"Power-cycle {name}"
        )
        assert power_cycle["tap_action"]["confirmation"]["text"] == (
            f"Switch off the plug that powers {name} for 20 seconds?"
        )

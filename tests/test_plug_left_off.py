"""Tests of the plugs a power cycle left off: recorded, switched on at setup."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.util.markdown import escape_markdown
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .common import KITCHEN, KITCHEN_PLUG, call, device_id, run_while_time_passes
from .fake_amazon import SERVER_ERROR, FakeAmazon
from .integration_files import load_integration_file
from .repair_issues import Dashboard, plug_left_off
from .resets import (
    left_off,
    link,
    plug_switches,
    start_after_a_crash,
    start_kitchen_power_cycle,
)

# The repairs integration is there when the entry is set up, as at a start.
pytestmark = pytest.mark.usefixtures("repairs")


async def test_the_plug_is_recorded_before_it_is_switched_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """On disk while "off" is in flight, forgotten once Amazon confirmed "on"."""
    fake_amazon.hanging_operations["turnOff"] = 1
    cycle = await start_kitchen_power_cycle(hass, init_integration, fake_amazon)
    # Amazon has the request and has not answered: a crash now leaves a record.
    assert left_off(hass_storage, init_integration) == [KITCHEN_PLUG]

    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(hass, freezer, cycle)
    assert failed.value.translation_key == "power_cycle_off_unanswered"
    assert plug_switches(fake_amazon) == ["turnOff", "turnOn"]
    assert left_off(hass_storage, init_integration) == []


async def test_a_failed_turn_off_is_forgotten(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
) -> None:
    """Amazon refusing the "off" leaves nothing to switch on at the next start."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    fake_amazon.fail_next(SERVER_ERROR, 3)
    with pytest.raises(HomeAssistantError) as failed:
        await call(
            hass,
            "power_cycle",
            {"device_id": device_id(hass, init_integration, KITCHEN)},
        )
    assert failed.value.translation_key == "power_cycle_not_started"
    assert left_off(hass_storage, init_integration) == []


async def test_setup_switches_on_a_plug_a_crash_left_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The next start switches the plug on at once, with a warning; it shows on."""
    await start_after_a_crash(hass, mock_config_entry, fake_amazon, hass_storage)

    assert plug_switches(fake_amazon) == ["turnOn"]
    # Before the next poll, which may be half an hour away.
    assert hass.states.get("switch.kitchen_plug_power").state == STATE_ON
    assert left_off(hass_storage, mock_config_entry) == []
    assert "Kitchen Plug was left off by a power cycle" in caplog.text
    assert not [
        issue
        for (domain, _), issue in issue_registry.issues.items()
        if domain == DOMAIN and issue.translation_key == "plug_left_off"
    ]


async def test_amazon_refusing_raises_an_issue_whose_fix_switches_it_on(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
) -> None:
    """The issue names the plug; its fix flow switches it on, or says it cannot."""
    await start_after_a_crash(
        hass, mock_config_entry, fake_amazon, hass_storage, refused_turn_ons=2
    )

    issue_id = plug_left_off(mock_config_entry, KITCHEN_PLUG)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "plug_left_off"
    assert issue.translation_placeholders["plug"] == "Kitchen Plug"
    assert issue.is_fixable
    assert left_off(hass_storage, mock_config_entry) == [KITCHEN_PLUG]

    flow = await dashboard.start(issue_id)
    assert flow["step_id"] == "confirm"
    # A fixable issue shows no description: the first step says what happened,
    # with the issue's placeholders and the step's, as the frontend merges them.
    text = load_integration_file("translations/en.json")["issues"]["plug_left_off"]
    shown = text["fix_flow"]["step"]["confirm"]["description"].format(
        **issue.translation_placeholders | flow["description_placeholders"]
    )
    error = issue.translation_placeholders["error"]
    assert "A power cycle switched Kitchen Plug off and did not finish" in shown
    assert f"Amazon refused to switch it on at startup ({error})" in shown
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["type"] == "abort"
    assert flow["reason"] == "still_off"
    assert flow["description_placeholders"]["plug"] == "Kitchen Plug"
    assert left_off(hass_storage, mock_config_entry) == [KITCHEN_PLUG]

    flow = await dashboard.start(issue_id)
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["type"] == "create_entry"
    assert plug_switches(fake_amazon) == ["turnOn"] * 3
    assert left_off(hass_storage, mock_config_entry) == []
    assert hass.states.get("switch.kitchen_plug_power").state == STATE_ON
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_the_fix_flow_of_an_unloaded_account(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    dashboard: Dashboard,
) -> None:
    """Nothing to switch with: the flow says the account is not loaded."""
    await start_after_a_crash(
        hass, mock_config_entry, fake_amazon, hass_storage, refused_turn_ons=1
    )
    await hass.config_entries.async_unload(mock_config_entry.entry_id)

    flow = await dashboard.start(plug_left_off(mock_config_entry, KITCHEN_PLUG))
    assert flow["type"] == "abort"
    assert flow["reason"] == "entry_not_loaded"


@pytest.mark.parametrize("gone", ["entry removed", "plug deregistered"])
async def test_the_issue_leaves_with_the_entry_or_the_plug(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    gone: str,
) -> None:
    """Removing the entry, or deregistering the plug, withdraws the plug's issue."""
    await start_after_a_crash(
        hass, mock_config_entry, fake_amazon, hass_storage, refused_turn_ons=1
    )
    issue_id = plug_left_off(mock_config_entry, KITCHEN_PLUG)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    if gone == "entry removed":
        await hass.config_entries.async_remove(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    else:
        plug = device_id(hass, mock_config_entry, KITCHEN_PLUG)
        deregister = call(hass, "deregister", {"device_id": plug, "confirm": True})
        await run_while_time_passes(hass, freezer, deregister)
        # Given away, it is no plug of ours to switch on: not at the next
        # start either.
        assert left_off(hass_storage, mock_config_entry) == []
        await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_the_plug_name_is_escaped(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
) -> None:
    """The name on disk came from Amazon: the issue and its flow escape it."""
    hostile = "[Kitchen Plug](https://evil.example)"
    await start_after_a_crash(
        hass,
        mock_config_entry,
        fake_amazon,
        hass_storage,
        refused_turn_ons=2,
        name=hostile,
    )

    issue_id = plug_left_off(mock_config_entry, KITCHEN_PLUG)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    escaped = escape_markdown(hostile)
    assert escaped != hostile
    assert issue.translation_placeholders["plug"] == escaped
    flow = await dashboard.start(issue_id)
    assert flow["description_placeholders"]["plug"] == escaped
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["reason"] == "still_off"
    assert flow["description_placeholders"]["plug"] == escaped


async def test_a_plug_no_longer_on_the_account_is_forgotten_once_seen_to(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    dashboard: Dashboard,
) -> None:
    """Amazon cannot switch it: the issue says why, in the user's language.

    It stays recorded at every start (one answer may have left it out) until
    the fix flow is confirmed.
    """
    await start_after_a_crash(
        hass, mock_config_entry, fake_amazon, hass_storage, still_listed=False
    )

    issue_id = plug_left_off(mock_config_entry, KITCHEN_PLUG)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    texts = load_integration_file("translations/en.json")
    not_listed = texts["exceptions"]["plug_not_listed"]["message"]
    assert issue.translation_placeholders["error"] == not_listed
    assert plug_switches(fake_amazon) == []
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert left_off(hass_storage, mock_config_entry) == [KITCHEN_PLUG]

    flow = await dashboard.start(issue_id)
    assert flow["step_id"] == "forget"
    assert flow["description_placeholders"] == {"plug": "Kitchen Plug"}
    step = texts["issues"]["plug_left_off"]["fix_flow"]["step"]["forget"]
    assert "is no longer on your Amazon account" in step["description"]
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["type"] == "create_entry"
    assert left_off(hass_storage, mock_config_entry) == []
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert plug_switches(fake_amazon) == []

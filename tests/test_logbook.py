"""Tests of the logbook lines of the actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION
from custom_components.alexa_care.logbook import async_describe_events
from custom_components.alexa_care.resets.deregister import (
    ACTION_DEREGISTER,
    OUTCOME_DEREGISTERED,
)
from custom_components.alexa_care.resets.procedures import (
    OUTCOME_BACK_ONLINE,
    OUTCOME_NOT_BACK_ONLINE,
    OUTCOME_POWER_CYCLED,
    OUTCOME_RESTART_REQUESTED,
)
from custom_components.alexa_care.util.events import (
    ACTION_OUTCOMES,
    OUTCOME_FAILED,
    logbook_key,
)
from custom_components.alexa_care.voice.actions import SERVICE_DELETE_VOICE_HISTORY
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.logbook import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.components.recorder import Recorder
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_load_integrations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .common import next_poll, settle
from .fake_amazon import FakeAmazon

KITCHEN_RESTART = "button.kitchen_echo_restart"
TRANSLATIONS = (
    Path(__file__).parent.parent / "custom_components" / "alexa_care" / "translations"
)
KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The logbook reads the recorder, which must start before Home Assistant."""


async def test_action_events_read_as_sentences(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The logbook shows the device and what happened to it."""
    described = {}

    def describe_event(domain: str, event_type: str, describe) -> None:  # noqa: ANN001
        described[(domain, event_type)] = describe

    async_describe_events(hass, describe_event)
    describe = described[(DOMAIN, EVENT_ACTION)]
    event = Event(
        EVENT_ACTION,
        {
            "device_id": "abc",
            "device_name": "Kitchen Echo",
            "action": "power_cycle",
            "outcome": "back_online",
        },
    )
    assert describe(event) == {
        LOGBOOK_ENTRY_NAME: "Kitchen Echo",
        LOGBOOK_ENTRY_MESSAGE: "power cycle done, back online",
    }


def _describe(hass: HomeAssistant) -> Callable[[Event], dict[str, Any]]:
    described = {}

    def describe_event(domain: str, event_type: str, describe) -> None:  # noqa: ANN001
        described[(domain, event_type)] = describe

    async_describe_events(hass, describe_event)
    return described[(DOMAIN, EVENT_ACTION)]


def test_every_outcome_the_code_has_is_listed() -> None:
    """The pairs walked below are those the actions, buttons and flows fire."""
    assert set(ACTION_OUTCOMES["restart"]) == {
        OUTCOME_RESTART_REQUESTED,
        OUTCOME_BACK_ONLINE,
        OUTCOME_NOT_BACK_ONLINE,
        OUTCOME_FAILED,
    }
    assert set(ACTION_OUTCOMES["power_cycle"]) == {
        OUTCOME_POWER_CYCLED,
        OUTCOME_BACK_ONLINE,
        OUTCOME_NOT_BACK_ONLINE,
        OUTCOME_FAILED,
    }
    assert set(ACTION_OUTCOMES[ACTION_DEREGISTER]) == {
        OUTCOME_DEREGISTERED,
        OUTCOME_FAILED,
    }
    assert set(ACTION_OUTCOMES[SERVICE_DELETE_VOICE_HISTORY]) == {
        "deleted",
        "nothing_to_delete",
        OUTCOME_FAILED,
    }


@pytest.mark.parametrize("language", ["en", "de", "es", "fr"])
async def test_every_action_and_outcome_has_a_sentence(
    hass: HomeAssistant, init_integration: MockConfigEntry, language: str
) -> None:
    """In Home Assistant's language, for every pair: never the raw names."""
    hass.config.language = language
    await async_load_integrations(hass, {DOMAIN})
    common = json.loads((TRANSLATIONS / f"{language}.json").read_text())["common"]
    pairs = [(a, o) for a, outcomes in ACTION_OUTCOMES.items() for o in outcomes]
    assert {logbook_key(*pair) for pair in pairs} == {
        key for key in common if key.startswith("logbook_")
    }
    describe = _describe(hass)
    for action, outcome in pairs:
        event = Event(
            EVENT_ACTION,
            {
                "device_id": "abc",
                "device_name": "Kitchen Echo",
                "action": action,
                "outcome": outcome,
            },
        )
        message = describe(event)[LOGBOOK_ENTRY_MESSAGE]
        assert message == common[logbook_key(action, outcome)]
        assert "_" not in message  # no raw name such as power_cycle


async def test_device_page_shows_resets_beside_connectivity(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The device page asks the logbook by device: the restart is there."""
    assert await async_setup_component(hass, "logbook", {})
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    start = dt_util.utcnow()
    fake_amazon.set_online("Kitchen Echo", online=False, at=start.isoformat())
    await next_poll(hass, freezer)
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: KITCHEN_RESTART}, blocking=True
    )
    await async_wait_recording_done(hass)

    registry = er.async_get(hass)
    kitchen = registry.async_get(KITCHEN_RESTART)
    assert kitchen is not None
    # What the frontend's device page sends: the device and its entities.
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": start.isoformat(),
            "end_time": (dt_util.utcnow() + timedelta(minutes=1)).isoformat(),
            "device_ids": [kitchen.device_id],
            "entity_ids": [
                entry.entity_id
                for entry in er.async_entries_for_device(registry, kitchen.device_id)
            ],
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    lines = [
        (line.get("entity_id"), line.get("state"), line.get("message"))
        for line in answer["result"]
    ]
    assert (KITCHEN_CONNECTIVITY, "off", None) in lines
    assert (None, None, "restart requested from Amazon") in lines
    assert [
        line["name"] for line in answer["result"] if line.get("domain") == DOMAIN
    ] == ["Kitchen Echo"]

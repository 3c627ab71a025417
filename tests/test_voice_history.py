"""Tests of the voice history: reading it, deleting by voice, the sensor."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION, STALE_DEVICE_GRACE
from custom_components.alexa_care.issues import IssueKind, IssueRef
from homeassistant.core import (
    DOMAIN as HOMEASSISTANT_DOMAIN,
    HomeAssistant,
    ServiceResponse,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .common import next_poll, run_while_time_passes, settle
from .fake_amazon import HISTORY_CSRF_TOKEN, THROTTLED, FakeAmazon
from .test_services import BEDROOM, KITCHEN, KITCHEN_PLUG, call, device_id

HISTORY = "/alexa-privacy/apd/rah/alexa-history-records-v2"
KITCHEN_LAST_REQUEST = "sensor.kitchen_echo_last_voice_request"


def history_reads(fake_amazon: FakeAmazon) -> int:
    """How many pages of voice history Amazon was asked for."""
    return sum(1 for _, path, _ in fake_amazon.requests if path == HISTORY)


async def get_history(
    hass: HomeAssistant, entry: MockConfigEntry, **data: str | int
) -> ServiceResponse:
    """Call get_voice_history for the entry."""
    return await call(
        hass, "get_voice_history", {"config_entry_id": entry.entry_id, **data}
    )


async def delete_history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    echo_id: str,
    scope: str,
) -> ServiceResponse:
    """Call delete_voice_history, letting time pass for the checks."""
    return await run_while_time_passes(
        hass,
        freezer,
        call(
            hass,
            "delete_voice_history",
            {"device_id": echo_id, "scope": scope, "confirm": True},
        ),
    )


# get_voice_history


async def test_history_newest_first_with_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The last 7 days, newest first, each record with its Echo."""
    response = await get_history(hass, init_integration)

    assert response["count"] == 7  # the eighth record is older than 7 days
    assert response["truncated"] is False
    first = response["records"][0]
    assert first == {
        "time": "2026-11-22T19:30:00+00:00",
        "device_id": device_id(hass, init_integration, KITCHEN),
        "device": "Kitchen Echo",
        "type": "GENERAL",
        "intent": "GetWeatherForecastIntent",
        "heard": "what's the weather",
        "answer": "Right now in Seattle it's 8 degrees with light rain.",
    }
    times = [record["time"] for record in response["records"]]
    assert times == sorted(times, reverse=True)
    # A request made in the Alexa app has no Echo.
    app_request = next(
        r for r in response["records"] if r["heard"] == "what's on my calendar tomorrow"
    )
    assert app_request["device_id"] is None


async def test_history_keeps_the_name_of_a_deregistered_echo(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Echo gone from the account keeps the name Amazon gives its records."""
    fake_amazon.remove("Bedroom Echo Show")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, BEDROOM), init_integration.entry_id
        )
        is None
    )

    response = await get_history(hass, init_integration)

    bedroom = [
        r for r in response["records"] if r["heard"] == "set a timer for ten minutes"
    ]
    assert [(r["device_id"], r["device"]) for r in bedroom] == [
        (None, "Bedroom Echo Show")
    ]
    kitchen = response["records"][0]
    assert kitchen["device_id"] == device_id(hass, init_integration, KITCHEN)
    assert kitchen["device"] == "Kitchen Echo"


async def test_history_filters(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """By Echo, by start and end (local time when no zone is given), by limit."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    response = await get_history(hass, init_integration, device_id=kitchen)
    assert response["count"] == 4
    assert {record["device"] for record in response["records"]} == {"Kitchen Echo"}

    # US/Pacific: 2026-11-22 00:00 is 08:00 UTC.
    response = await get_history(
        hass, init_integration, start="2026-11-22 00:00:00", end="2026-11-22 10:30:00"
    )
    assert [record["time"] for record in response["records"]] == [
        "2026-11-22T18:05:00+00:00",
        "2026-11-22T16:00:00+00:00",
        "2026-11-22T09:12:00+00:00",
    ]

    response = await get_history(hass, init_integration, limit=2)
    assert response["count"] == 7
    assert response["truncated"] is True
    assert len(response["records"]) == 2


async def test_history_is_read_once_a_minute_at_most(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon throttles the history page: a read younger than a minute is reused."""
    reads = history_reads(fake_amazon)
    await get_history(hass, init_integration)
    await get_history(hass, init_integration)
    assert history_reads(fake_amazon) == reads  # the read made at setup

    freezer.tick(timedelta(seconds=61))
    fake_amazon.add_voice_record("Kitchen Echo", "what time is it", "2026-11-22T20:01Z")
    response = await get_history(hass, init_integration)
    assert history_reads(fake_amazon) == reads + 1
    assert response["records"][0]["heard"] == "what time is it"


async def test_history_pages_and_headers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every page is read, with the page's token and a fresh access token."""
    fake_amazon.history_page_size = 3
    freezer.tick(timedelta(minutes=2))
    reads = history_reads(fake_amazon)

    response = await get_history(hass, init_integration)

    assert response["count"] == 7
    assert history_reads(fake_amazon) == reads + 3
    method, url, body, headers = aioclient_mock.mock_calls[-1]
    assert (method, url.path) == ("POST", HISTORY)
    assert headers["anti-csrftoken-a2z"] == HISTORY_CSRF_TOKEN
    assert headers["Authorization"] == "Bearer Atna|FAKE-REFRESHED-ACCESS-TOKEN"
    assert json.loads(body)["previousRequestToken"] == "6"


async def test_history_refusals(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Unknown or unloaded accounts, plugs, and start after end are refused."""
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "get_voice_history", {"config_entry_id": "nope"})
    assert refused.value.translation_domain == HOMEASSISTANT_DOMAIN
    assert refused.value.translation_key == "service_config_entry_not_found"

    plug = device_id(hass, init_integration, KITCHEN_PLUG)
    with pytest.raises(ServiceValidationError) as refused:
        await get_history(hass, init_integration, device_id=plug)
    assert refused.value.translation_key == "no_voice_history"

    with pytest.raises(ServiceValidationError) as refused:
        await get_history(
            hass, init_integration, start="2026-11-22 10:00", end="2026-11-22 09:00"
        )
    assert refused.value.translation_key == "start_after_end"

    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as refused:
        await get_history(hass, init_integration)
    assert refused.value.translation_domain == HOMEASSISTANT_DOMAIN
    assert refused.value.translation_key == "service_config_entry_not_loaded"


async def test_history_account_defaults(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
) -> None:
    """Without an account: the chosen Echo's, or the only one; never a guess."""
    everything = await call(hass, "get_voice_history", {})
    assert everything == await get_history(hass, init_integration)
    kitchen = device_id(hass, init_integration, KITCHEN)
    of_kitchen = await call(hass, "get_voice_history", {"device_id": kitchen})
    assert of_kitchen == await get_history(hass, init_integration, device_id=kitchen)

    other = MockConfigEntry(domain=DOMAIN, unique_id="other", data={})
    other.add_to_hass(hass)
    other.mock_state(hass, init_integration.state)
    other.runtime_data = init_integration.runtime_data
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "get_voice_history", {})
    assert refused.value.translation_key == "account_required"
    assert refused.value.translation_placeholders == {"count": "2"}
    # The Echo still says which account it is.
    assert await call(hass, "get_voice_history", {"device_id": kitchen}) == of_kitchen


async def test_history_of_another_account_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    login_data: dict[str, Any],
) -> None:
    """An Echo of one account does not filter the history of another."""
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", data={})
    other.add_to_hass(hass)
    other.mock_state(hass, init_integration.state)
    other.runtime_data = init_integration.runtime_data
    kitchen = device_id(hass, init_integration, KITCHEN)
    with pytest.raises(ServiceValidationError) as refused:
        await get_history(hass, other, device_id=kitchen)
    assert refused.value.translation_key == "other_account"


async def test_history_throttled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon throttling the history page is said in words, not a stack trace."""
    freezer.tick(timedelta(minutes=2))
    fake_amazon.fail_next(THROTTLED, 3, path=HISTORY)
    with pytest.raises(HomeAssistantError) as failed:
        await get_history(hass, init_integration)
    assert failed.value.translation_key == "history_throttled"


# delete_voice_history


async def test_delete_today(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Today's records go; the answer counts them before and after."""
    events = async_capture_events(hass, EVENT_ACTION)
    kitchen = device_id(hass, init_integration, KITCHEN)

    response = await delete_history(hass, freezer, kitchen, "today")

    assert response == {
        "device_id": kitchen,
        "device": "Kitchen Echo",
        "scope": "today",
        "outcome": "deleted",
        "before": 4,
        "after": 0,
        "deleted": 4,
    }
    assert fake_amazon.text_commands == [(KITCHEN, "delete everything I said today")]
    assert len(fake_amazon.history) == 4
    assert events[-1].data["action"] == "delete_voice_history"
    assert events[-1].data["outcome"] == "deleted"


async def test_delete_last_and_all(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Last: this Echo's last record ("what I just said"); all: everything."""
    bedroom = device_id(hass, init_integration, BEDROOM)
    response = await delete_history(hass, freezer, bedroom, "last")
    assert (response["before"], response["after"]) == (1, 0)
    remaining = {record["title"] for record in fake_amazon.history}
    assert "set a timer for ten minutes" not in remaining
    assert "turn off the bedroom light" in remaining

    response = await delete_history(hass, freezer, bedroom, "all")
    assert (response["before"], response["after"]) == (6, 0)
    # The record older than Amazon's 7 days was not ours to count, nor kept.
    assert fake_amazon.history == []


async def test_nothing_to_delete(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With nothing in scope, Alexa is not asked at all."""
    fake_amazon.history.clear()
    freezer.tick(timedelta(minutes=2))
    kitchen = device_id(hass, init_integration, KITCHEN)

    response = await delete_history(hass, freezer, kitchen, "today")

    assert response["outcome"] == "nothing_to_delete"
    assert (response["before"], response["after"]) == (0, 0)
    assert fake_amazon.text_commands == []


async def test_deletion_by_voice_disabled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Nothing deleted: an error and a repair issue say how to enable it."""
    fake_amazon.voice_deletion_enabled = False
    kitchen = device_id(hass, init_integration, KITCHEN)
    issue_id = IssueRef(
        kind=IssueKind.VOICE_DELETION_DISABLED, entry_id=init_integration.entry_id
    ).issue_id

    reads = history_reads(fake_amazon)
    with pytest.raises(HomeAssistantError) as failed:
        await delete_history(hass, freezer, kitchen, "today")

    assert failed.value.translation_key == "voice_deletion_disabled"
    # One read before the request, three after it, then it gave up.
    assert history_reads(fake_amazon) == reads + 4
    placeholders = {
        "device": "Kitchen Echo",
        "before": "4",
        "scope": "today",
        "url": "https://www.amazon.com/alexaprivacysettings",
    }
    assert failed.value.translation_placeholders == placeholders
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == placeholders
    assert issue.learn_more_url == placeholders["url"]
    assert issue.is_fixable is False
    assert len(fake_amazon.history) == 8
    assert len(fake_amazon.text_commands) == 1

    fake_amazon.voice_deletion_enabled = True
    await delete_history(hass, freezer, kitchen, "today")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_removing_the_entry_withdraws_the_deletion_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No issue of the account outlives it."""
    fake_amazon.voice_deletion_enabled = False
    kitchen = device_id(hass, init_integration, KITCHEN)
    with pytest.raises(HomeAssistantError):
        await delete_history(hass, freezer, kitchen, "today")
    assert [
        issue.translation_key
        for (domain, _), issue in issue_registry.issues.items()
        if domain == DOMAIN
    ] == ["device_unavailable", "voice_deletion_disabled"]

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.issues == {}


async def test_delete_refusals(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
) -> None:
    """No confirmation, unknown devices, plugs and speaker groups: nothing sent."""
    sent = len(fake_amazon.requests)
    kitchen = device_id(hass, init_integration, KITCHEN)
    with pytest.raises(ServiceValidationError) as refused:
        await call(
            hass, "delete_voice_history", {"device_id": kitchen, "scope": "today"}
        )
    assert refused.value.translation_key == "voice_confirmation_required"

    # A speaker group is no Alexa Care device; another integration may have it.
    other_entry = MockConfigEntry(domain="alexa_devices")
    other_entry.add_to_hass(hass)
    everywhere = dr.async_get(hass).async_get_or_create(
        config_entry_id=other_entry.entry_id,
        identifiers={("alexa_devices", "G0911W0000000ALL")},
        name="Everywhere",
    )
    plug = device_id(hass, init_integration, KITCHEN_PLUG)
    for device, key in (
        ("not-a-device", "service_device_not_found"),
        (everywhere.id, "service_device_wrong_domain"),
        (plug, "no_voice_history"),
    ):
        with pytest.raises(ServiceValidationError) as refused:
            await call(
                hass,
                "delete_voice_history",
                {"device_id": device, "scope": "all", "confirm": True},
            )
        assert refused.value.translation_key == key
    # What is wrong with the target comes before the missing confirmation.
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "delete_voice_history", {"device_id": plug, "scope": "all"})
    assert refused.value.translation_key == "no_voice_history"
    assert len(fake_amazon.requests) == sent


async def test_delete_command_refused_by_amazon(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon failing the text command is reported, and nothing is claimed."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    fake_amazon.fail_next(THROTTLED, 3, path="/api/behaviors/preview")
    with pytest.raises(HomeAssistantError) as failed:
        await delete_history(hass, freezer, kitchen, "today")
    assert failed.value.translation_key == "voice_command_failed"
    assert len(fake_amazon.history) == 8


async def _finish(task: asyncio.Task[ServiceResponse]) -> ServiceResponse:
    return await task


async def test_delete_then_history_unreadable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The sentence was sent; the re-read failing says the result is unknown."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    deletion = hass.async_create_background_task(
        call(
            hass,
            "delete_voice_history",
            {"device_id": kitchen, "scope": "last", "confirm": True},
        ),
        "deletion",
    )
    await settle(hass)
    # Read, then asked: Amazon's history page fails from now on.
    assert fake_amazon.requests[-1][1] == "/api/behaviors/preview"
    fake_amazon.fail_next(THROTTLED, 30, path=HISTORY)
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(hass, freezer, _finish(deletion))
    assert failed.value.translation_key == "voice_deletion_unverified"
    assert failed.value.translation_placeholders["scope"] == "last"


# the sensor


async def test_last_voice_request_sensor(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The last request, not the wake word alone; read every 15 minutes."""
    state = hass.states.get(KITCHEN_LAST_REQUEST)
    # 19:30, not the wake word heard at 16:00 nor a transcript.
    assert state.state == "2026-11-22T19:30:00+00:00"
    assert "heard" not in state.attributes

    fake_amazon.add_voice_record("Kitchen Echo", "what time is it", "2026-11-22T20:05Z")
    await next_poll(hass, freezer, timedelta(minutes=5))
    assert hass.states.get(KITCHEN_LAST_REQUEST).state == "2026-11-22T19:30:00+00:00"

    await next_poll(hass, freezer, timedelta(minutes=10))
    assert hass.states.get(KITCHEN_LAST_REQUEST).state == "2026-11-22T20:05:00+00:00"


async def test_sensor_without_history(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
) -> None:
    """The history unread at setup does not hold up the devices."""
    fake_amazon.fail_next(THROTTLED, 3, path=HISTORY)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)

    assert hass.states.get("binary_sensor.kitchen_echo_connectivity").state == "on"
    assert hass.states.get(KITCHEN_LAST_REQUEST).state == "unavailable"


async def test_transcripts_are_never_logged(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Debug logging of Alexa Care and the library shows no transcript."""
    caplog.set_level(logging.DEBUG)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    await get_history(hass, mock_config_entry)
    await delete_history(
        hass, freezer, device_id(hass, mock_config_entry, KITCHEN), "last"
    )

    assert "alexa-history-records-v2" in caplog.text  # the library did log
    said = {"what's the weather", "Right now in Seattle", "set a timer", "Ten minutes"}
    assert [words for words in said if words in caplog.text] == []

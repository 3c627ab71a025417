"""Tests of the voice history: reading it, deleting by voice, the sensor."""

from __future__ import annotations

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
from custom_components.alexa_care.monitoring.issues import IssueKind, IssueRef
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .common import (
    BEDROOM,
    KITCHEN,
    KITCHEN_PLUG,
    another_integrations_device,
    call,
    device_id,
    next_poll,
    refused_before_sending,
    run_while_time_passes,
    set_up,
    settle,
)
from .fake_amazon import HISTORY_CSRF_TOKEN, THROTTLED, FakeAmazon

HISTORY = "/alexa-privacy/apd/rah/alexa-history-records-v2"
KITCHEN_LAST_REQUEST = "sensor.kitchen_echo_last_voice_request"
# Stand-ins in a refusal's call, for what exists only once the entry is set up.
THIS_ACCOUNT = "the entry's id"
ANOTHER_ACCOUNT = "another loaded entry's id"
SPEAKER_GROUP = "a speaker group of another integration"


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


def another_account(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """A second account, loaded (it shares the first one's runtime data)."""
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", data={})
    other.add_to_hass(hass)
    other.mock_state(hass, entry.state)
    other.runtime_data = entry.runtime_data
    return other


def _resolved(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> dict[str, Any]:
    """A refusal's call with its stand-ins and device keys replaced by ids."""
    resolved = dict(data)
    if resolved.get("config_entry_id") == THIS_ACCOUNT:
        resolved["config_entry_id"] = entry.entry_id
    elif resolved.get("config_entry_id") == ANOTHER_ACCOUNT:
        resolved["config_entry_id"] = another_account(hass, entry).entry_id
    if resolved.get("device_id") == SPEAKER_GROUP:
        # Everywhere: no Alexa Care device, though another integration has it.
        group = another_integrations_device(hass, "alexa_devices", "G0911W0000000ALL")
        resolved["device_id"] = group
    elif resolved.get("device_id") in (KITCHEN, KITCHEN_PLUG):
        resolved["device_id"] = device_id(hass, entry, resolved["device_id"])
    return resolved


DELETE_ALL = {"scope": "all", "confirm": True}


@pytest.mark.parametrize(
    ("service", "data", "translation_key"),
    [
        pytest.param(
            "get_voice_history",
            {"config_entry_id": "nope"},
            "service_config_entry_not_found",
            id="read an unknown account",
        ),
        pytest.param(
            "get_voice_history",
            {"config_entry_id": THIS_ACCOUNT, "device_id": KITCHEN_PLUG},
            "no_voice_history",
            id="read a plug's",
        ),
        pytest.param(
            "get_voice_history",
            {
                "config_entry_id": THIS_ACCOUNT,
                "start": "2026-11-22 10:00",
                "end": "2026-11-22 09:00",
            },
            "start_after_end",
            id="read from after the end",
        ),
        # An Echo of one account does not filter the history of another.
        pytest.param(
            "get_voice_history",
            {"config_entry_id": ANOTHER_ACCOUNT, "device_id": KITCHEN},
            "other_account",
            id="read another account's Echo",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN, "scope": "today"},
            "voice_confirmation_required",
            id="delete unconfirmed",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": "not-a-device", **DELETE_ALL},
            "service_device_not_found",
            id="delete an unknown device's",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": SPEAKER_GROUP, **DELETE_ALL},
            "service_device_wrong_domain",
            id="delete a speaker group's",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN_PLUG, **DELETE_ALL},
            "no_voice_history",
            id="delete a plug's",
        ),
        # What is wrong with the target comes before the missing confirmation.
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN_PLUG, "scope": "all"},
            "no_voice_history",
            id="delete a plug's unconfirmed",
        ),
    ],
)
async def test_refusals(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    service: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Said as such before anything is sent to Amazon."""
    data = _resolved(hass, init_integration, data)
    refusal = await refused_before_sending(hass, fake_amazon, service, data)
    assert refusal.translation_key == translation_key


@pytest.mark.parametrize(
    ("service", "data", "translation_key"),
    [
        pytest.param(
            "get_voice_history",
            {"config_entry_id": THIS_ACCOUNT},
            "service_config_entry_not_loaded",
            id="read the account's",
        ),
        pytest.param(
            "get_voice_history",
            {"device_id": KITCHEN},
            "service_config_entry_not_loaded",
            id="read an Echo's",
        ),
        pytest.param(
            "delete_voice_history",
            {"device_id": KITCHEN, **DELETE_ALL},
            "service_config_entry_not_loaded",
            id="delete an Echo's",
        ),
    ],
)
async def test_an_account_not_loaded_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """The actions stay registered, and say the account is not loaded."""
    data = _resolved(hass, init_integration, data)
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, service, data)
    assert refused.value.translation_key == translation_key


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

    another_account(hass, init_integration)
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "get_voice_history", {})
    assert refused.value.translation_key == "account_required"
    assert refused.value.translation_placeholders == {"count": "2"}
    # The Echo still says which account it is.
    assert await call(hass, "get_voice_history", {"device_id": kitchen}) == of_kitchen


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
        await run_while_time_passes(hass, freezer, deletion)
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
    await set_up(hass, mock_config_entry)

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
    await set_up(hass, mock_config_entry)
    await get_history(hass, mock_config_entry)
    await delete_history(
        hass, freezer, device_id(hass, mock_config_entry, KITCHEN), "last"
    )

    assert "alexa-history-records-v2" in caplog.text  # the library did log
    said = {"what's the weather", "Right now in Seattle", "set a timer", "Ten minutes"}
    assert [words for words in said if words in caplog.text] == []

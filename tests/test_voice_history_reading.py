"""Tests of reading the voice history: the get_voice_history action, the sensor.

The records and their Echos, the filters, how often and how Amazon's page is
read, which account is meant, throttling; the last voice request sensor; and
no transcript in the logs.
"""

from __future__ import annotations

from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.const import DOMAIN, STALE_DEVICE_GRACE
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr

from .common import BEDROOM, KITCHEN, call, device_id, next_poll, set_up
from .fake_amazon import HISTORY_CSRF_TOKEN, THROTTLED, FakeAmazon
from .voice_history import HISTORY, another_account, delete_history, history_reads

KITCHEN_LAST_REQUEST = "sensor.kitchen_echo_last_voice_request"


async def get_history(
    hass: HomeAssistant, entry: MockConfigEntry, **data: str | int
) -> ServiceResponse:
    """Call get_voice_history for the entry."""
    return await call(
        hass, "get_voice_history", {"config_entry_id": entry.entry_id, **data}
    )


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


@pytest.mark.parametrize(
    "odd",
    [
        {"timestamp": 1e300},
        {"timestamp": "1795550700000"},
        {"timestamp": None},
        {"recordKey": {"id": 1}},
        {"deviceInfo": KITCHEN},
        {"title": {"text": "odd one"}},
    ],
    ids=[
        "stamp_no_date",
        "stamp_text",
        "stamp_null",
        "key_object",
        "device_text",
        "title",
    ],
)
async def test_a_record_of_another_shape_costs_that_record_alone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    odd: dict[str, object],
) -> None:
    """Left out, or read without what does not fit; the others are read.

    One odd record failed the whole read for as long as it was in the
    7 days read: the sensor stuck, the action failing.
    """
    fake_amazon.add_voice_record("Kitchen Echo", "what time is it", "2026-11-22T20:05Z")
    fake_amazon.add_voice_record("Kitchen Echo", "odd one", "2026-11-22T20:04Z")
    good, bad = fake_amazon.history[-2], fake_amazon.history[-1] | odd
    # Amazon lists them within the quarter hour asked for, whatever they say.
    monkeypatch.setattr(fake_amazon.voice_history, "between", lambda *_: [bad, good])
    await next_poll(hass, freezer, timedelta(minutes=16))
    assert hass.states.get(KITCHEN_LAST_REQUEST).state == "2026-11-22T20:05:00+00:00"
    response = await get_history(hass, init_integration)
    assert response is not None
    assert "what time is it" in json.dumps(response)


async def test_a_record_of_no_placeable_moment_is_not_the_last_request(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A record stamped when no Echo spoke is left out, the others are read."""
    fake_amazon.add_voice_record("Kitchen Echo", "what time is it", "2026-11-22T20:05Z")
    new = fake_amazon.history[-1]
    # Amazon lists it within the quarter hour asked for, whatever its stamp says.
    monkeypatch.setattr(
        fake_amazon.voice_history,
        "between",
        # 1 January 2100: it would pass for the newest request.
        lambda *_: [new | {"timestamp": 4_102_444_800_000, "recordKey": "odd"}, new],
    )
    await next_poll(hass, freezer, timedelta(minutes=16))
    assert hass.states.get(KITCHEN_LAST_REQUEST).state == "2026-11-22T20:05:00+00:00"


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

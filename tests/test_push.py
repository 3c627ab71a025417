"""Tests of Amazon's push channel: what it pushes, and the polls resting meanwhile.

The stream is the one the emulator sends (tests/fake_push.py), read by the
library's own stream client under the integration's subclass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
import json
import logging
from unittest.mock import patch

from aioamazondevices.implementation.http2 import AmazonHTTP2Client
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.alexa_care.amazon.models import AccountSnapshot
from custom_components.alexa_care.const import (
    DEFAULT_GRACE,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    PUSH_RECONCILE_INTERVAL,
    VOICE_HISTORY_INTERVAL,
)
from devtools.amazon_emulator import push_payloads
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import (
    ACCESS_TOKEN,
    KITCHEN,
    next_poll,
    set_up,
    settle,
    states_written,
    until,
)
from .conftest import TEST_EMAIL
from .fake_amazon import CUSTOMER_ID, SERVER_ERROR, FakeAmazon
from .fake_push import FakePush
from .repair_issues import unavailable
from .scenes import Household

KITCHEN_TYPE = "A4ZXE0RM7LQ7A"
GRAPHQL = "/nexus/v1/graphql"
PLUG_ENDPOINT = "amzn1.alexa.endpoint.FAKE0000000000000000000000000003"
KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"
KITCHEN_MICROPHONES = "binary_sensor.kitchen_echo_microphones"
KITCHEN_DND = "switch.kitchen_echo_do_not_disturb"
KITCHEN_PLUG = "switch.kitchen_plug_power"
KITCHEN_LAST_REQUEST = "sensor.kitchen_echo_last_voice_request"
PUSH_CHANNEL = "binary_sensor.push_channel"
KITCHEN_OFFLINE_TIME = "sensor.kitchen_echo_offline_time_today"


async def let_the_grace_period_pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A minute at a time, as the offline recheck looks, polls resting."""
    for _ in range(int(DEFAULT_GRACE / timedelta(minutes=1)) + 1):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await settle(hass)


def kitchen(kind: str, **fields: bool) -> push_payloads.Json:
    """An event of the Kitchen Echo's, as Amazon pushes it."""
    builder = getattr(push_payloads, kind)
    return builder(KITCHEN, KITCHEN_TYPE, CUSTOMER_ID, **fields)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_polls_rest_while_the_channel_is_open(
    hass: HomeAssistant, pushing: MockConfigEntry, fake_push: FakePush
) -> None:
    """Open: Push channel on, a poll every 30 minutes, no voice-history timer."""
    runtime = pushing.runtime_data
    assert hass.states.get(PUSH_CHANNEL).state == STATE_ON
    assert runtime.coordinator.update_interval == PUSH_RECONCILE_INTERVAL
    assert runtime.voice_history.update_interval is None
    # The stream, and the library's site check at its opening part.
    assert fake_push.requests[push_payloads.DIRECTIVES_PATH] == 1
    assert fake_push.requests[push_payloads.EVENTS_PATH] == 1
    # Amazon has no way to read the microphones: unknown until pushed.
    assert hass.states.get(KITCHEN_MICROPHONES).state == STATE_UNKNOWN


@pytest.mark.parametrize(
    ("event", "entity", "state"),
    [
        (kitchen("connection_change", online=False), KITCHEN_CONNECTIVITY, STATE_OFF),
        (kitchen("dnd_change", enabled=True), KITCHEN_DND, STATE_ON),
        (kitchen("microphone_state", enabled=False), KITCHEN_MICROPHONES, STATE_OFF),
        (
            push_payloads.smart_home_power(PLUG_ENDPOINT, on=False),
            KITCHEN_PLUG,
            STATE_OFF,
        ),
    ],
    ids=["connection", "do_not_disturb", "microphones", "plug_in_the_app"],
)
async def test_a_pushed_change_reaches_its_entity_without_a_request(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    event: push_payloads.Json,
    entity: str,
    state: str,
) -> None:
    """Each event changes the right entity at once, and costs Amazon nothing."""
    assert hass.states.get(entity).state != state
    requests = len(fake_amazon.requests)

    fake_push.push(event)
    await until(hass, lambda: hass.states.get(entity).state == state)

    assert len(fake_amazon.requests) == requests


async def test_microphones_stay_as_pushed_through_polls(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A poll cannot read the microphones: it keeps what Amazon pushed."""
    fake_push.push(kitchen("microphone_state", enabled=False))
    await until(hass, lambda: hass.states.get(KITCHEN_MICROPHONES).state == STATE_OFF)

    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)

    assert pushing.runtime_data.coordinator.last_update_success
    assert hass.states.get(KITCHEN_MICROPHONES).state == STATE_OFF
    fake_push.push(kitchen("microphone_state", enabled=True))
    await until(hass, lambda: hass.states.get(KITCHEN_MICROPHONES).state == STATE_ON)


async def test_a_voice_request_reads_the_history(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon's cue after a voice request: a read, and the sensor shows it.

    A burst of cues costs two reads: one at once, one after the debouncer's
    cooldown for the requests the first read may have missed.
    """

    def history_reads() -> int:
        return sum("/rah/" in path for _method, path, _body in fake_amazon.requests)

    fake_amazon.add_voice_record(
        "Kitchen Echo", "what time is it", "2026-11-22T19:59:30Z"
    )
    reads = history_reads()

    for _ in range(3):
        fake_push.push(kitchen("voice_request"))
    await until(
        hass,
        lambda: (
            hass.states.get(KITCHEN_LAST_REQUEST).state == "2026-11-22T19:59:30+00:00"
        ),
    )
    assert history_reads() == reads + 1
    freezer.tick(timedelta(seconds=15))
    async_fire_time_changed(hass)
    await settle(hass)

    assert history_reads() == reads + 2


async def test_a_flicker_raises_nothing_and_an_outage_its_issue_without_a_poll(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The grace period runs on pushed changes as on polled ones."""
    issues = ir.async_get(hass)
    issue_id = unavailable(pushing, KITCHEN)

    def polls() -> int:
        return sum(path == GRAPHQL for _m, path, _b in fake_amazon.requests)

    before = polls()

    fake_push.push(kitchen("connection_change", online=False))
    await until(hass, lambda: hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF)
    freezer.tick(DEFAULT_GRACE - timedelta(minutes=2))
    async_fire_time_changed(hass)
    fake_push.push(kitchen("connection_change", online=True))
    await until(hass, lambda: hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON)
    assert issues.async_get_issue(DOMAIN, issue_id) is None

    fake_push.push(kitchen("connection_change", online=False))
    await until(hass, lambda: hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF)
    await let_the_grace_period_pass(hass, freezer)

    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    # Polls rest: the grace period was judged without asking Amazon.
    assert polls() == before


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_echo_offline_for_hours_is_brought_up_to_date_at_the_polls(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Once its issue is up, nothing waits on the clock: no write every minute."""
    issue_id = unavailable(pushing, KITCHEN)
    fake_amazon.set_online(
        "Kitchen Echo", online=False, at=dt_util.utcnow().isoformat()
    )
    fake_push.push(kitchen("connection_change", online=False))
    await until(hass, lambda: hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF)
    await let_the_grace_period_pass(hass, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    writes = states_written(hass, KITCHEN_OFFLINE_TIME)
    before = float(hass.states.get(KITCHEN_OFFLINE_TIME).state)

    hours = 2
    for _ in range(hours * 60):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await settle(hass)

    # One write per reconciling poll, up to date as of the last one.
    assert len(writes) == hours * (timedelta(hours=1) // PUSH_RECONCILE_INTERVAL)
    minutes = (timedelta(hours=hours) - PUSH_RECONCILE_INTERVAL) / timedelta(minutes=1)
    assert float(writes[-1]) > before + minutes


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_dropped_channel_polls_at_once_and_a_reconnect_reads_again(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Dropped: usual intervals and a poll now. Back: a poll to catch up."""
    runtime = pushing.runtime_data
    requests = len(fake_amazon.requests)

    fake_push.drop()
    await until(hass, lambda: not runtime.push.status.connected)
    await settle(hass)

    assert hass.states.get(PUSH_CHANNEL).state == STATE_OFF
    assert runtime.coordinator.update_interval == DEFAULT_SCAN_INTERVAL
    assert runtime.voice_history.update_interval == VOICE_HISTORY_INTERVAL
    assert len(fake_amazon.requests) > requests
    after_drop = len(fake_amazon.requests)

    # The library waits 5 s before it reconnects.
    await until(hass, lambda: runtime.push.status.connected, freezer)
    await settle(hass)

    assert fake_push.requests[push_payloads.DIRECTIVES_PATH] == 2
    assert runtime.push.status.reconnects == 1
    assert runtime.coordinator.update_interval == PUSH_RECONCILE_INTERVAL
    assert len(fake_amazon.requests) > after_drop


async def test_unreadable_events_are_logged_by_kind_and_ignored(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An event we read, in a shape we cannot: a warning naming its kind only."""
    broken_dnd = kitchen("dnd_change", enabled=True)
    update = broken_dnd["directive"]["payload"]["renderingUpdates"][0]
    update["resourceMetadata"] = update["resourceMetadata"].replace(
        '\\"enabled\\": true', '\\"enabled\\": \\"yes\\"'
    )
    broken_plug = push_payloads.smart_home_power(PLUG_ENDPOINT, on=False)
    update = broken_plug["directive"]["payload"]["renderingUpdates"][0]
    update["resourceMetadata"] = update["resourceMetadata"].replace(
        '\\"entity\\"', '\\"thing\\"'
    )

    fake_push.push(broken_dnd)
    fake_push.push(broken_plug)
    status = pushing.runtime_data.push.status
    await until(hass, lambda: status.unreadable.total() == 2)

    assert hass.states.get(KITCHEN_DND).state == STATE_OFF
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(f"custom_components.{DOMAIN}")
    ]
    assert any("PUSH_DND_STATE_CHANGE" in message for message in warnings)
    assert any("smart home" in message for message in warnings)
    assert status.connected


async def test_nothing_pushed_is_logged_with_a_secret_or_a_transcript(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every event, the history read it causes, and a drop: at debug level."""
    caplog.set_level(logging.DEBUG)
    fake_amazon.add_voice_record(
        "Kitchen Echo", "unlock the front door", "2026-11-22T19:59:40Z"
    )
    for event in (
        kitchen("connection_change", online=False),
        kitchen("dnd_change", enabled=True),
        kitchen("microphone_state", enabled=False),
        kitchen("voice_request"),
        push_payloads.smart_home_power(PLUG_ENDPOINT, on=False),
    ):
        fake_push.push(event)
    await until(hass, lambda: pushing.runtime_data.push.status.events.total() == 5)
    await settle(hass)
    fake_push.drop()
    await until(hass, lambda: not pushing.runtime_data.push.status.connected)

    logged = caplog.text
    for secret in (ACCESS_TOKEN, CUSTOMER_ID, TEST_EMAIL, "unlock the front door"):
        assert secret not in logged


async def test_a_refused_login_stops_the_channel_and_polls(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Amazon refuses the stream's token: the library gives up, we poll as usual."""
    fake_push.serving = True
    fake_push.access_token = "Atna|A-TOKEN-AMAZON-NO-LONGER-KNOWS"
    await set_up(hass, mock_config_entry)
    runtime = mock_config_entry.runtime_data
    await until(hass, lambda: runtime.push.status.stopped is not None)
    await settle(hass)

    assert runtime.push.status.stopped == "login refused"
    assert not runtime.push.status.connected
    assert runtime.coordinator.update_interval == DEFAULT_SCAN_INTERVAL
    # The poll that followed found the login itself fine: no reauthentication.
    assert runtime.coordinator.last_update_success
    assert not list(hass.config_entries.flow.async_progress())
    assert "Amazon refused the push channel's login" in caplog.text


async def test_unload_closes_the_channel(
    hass: HomeAssistant, pushing: MockConfigEntry, fake_push: FakePush
) -> None:
    """Unloading closes the stream; nothing of it is left running."""
    push = pushing.runtime_data.push
    assert await hass.config_entries.async_unload(pushing.entry_id)
    await settle(hass)

    assert not push.status.connected
    assert not [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith("aioamazondevices")
    ]


def _without_stream_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(AmazonHTTP2Client, "_stream_and_process")


def _without_connected_event(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set in the library's __init__: gone from every instance.
    library_init = AmazonHTTP2Client.__init__

    def init(self: AmazonHTTP2Client, *args: object, **kwargs: object) -> None:
        library_init(self, *args, **kwargs)  # type: ignore[arg-type]
        del self._connected_event

    monkeypatch.setattr(AmazonHTTP2Client, "__init__", init)


@pytest.mark.parametrize(
    ("break_library", "missing"),
    [
        (_without_stream_method, "AmazonHTTP2Client._stream_and_process"),
        (_without_connected_event, "AmazonHTTP2Client._connected_event"),
    ],
    ids=["method", "attribute"],
)
async def test_a_library_without_the_stream_parts_polls_as_usual(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    break_library: Callable[[pytest.MonkeyPatch], None],
    missing: str,
) -> None:
    """A release that renamed a private part: no channel, a warning, polls as usual."""
    break_library(monkeypatch)
    fake_push.serving = True
    await set_up(hass, mock_config_entry)

    status = mock_config_entry.runtime_data.push.status
    assert status.stopped is not None
    assert missing in status.stopped
    assert mock_config_entry.runtime_data.coordinator.update_interval == (
        DEFAULT_SCAN_INTERVAL
    )
    assert fake_push.requests.total() == 0
    assert "No push channel, polling as usual" in caplog.text


async def test_most_devices_dropping_one_push_at_a_time_is_one_outage(
    hass: HomeAssistant,
    household: Household,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Drops pushed seconds apart are "at once": one issue, none per device."""
    await household.set_up(5, pushing=True)
    coordinator = household.entry.runtime_data.coordinator
    echos = list(coordinator.data.echos.values())

    for echo in echos[:4]:
        fake_push.push(
            push_payloads.connection_change(
                echo.key, echo.device_type, CUSTOMER_ID, online=False
            )
        )
        freezer.tick(timedelta(seconds=5))
    await until(
        hass,
        lambda: sum(not e.online for e in coordinator.data.echos.values()) == 4,
    )
    await let_the_grace_period_pass(hass, freezer)

    assert household.issues() == {household.outage}


async def test_a_failed_reconciling_poll_is_tried_again_at_the_usual_interval(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The entities are unavailable until a poll works: not for 30 minutes."""
    coordinator = pushing.runtime_data.coordinator
    # The library tries a 5xx three times.
    fake_amazon.fail_next(SERVER_ERROR, 3, path=GRAPHQL)
    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    assert not coordinator.last_update_success
    assert hass.states.get(KITCHEN_DND).state == STATE_UNAVAILABLE

    await next_poll(hass, freezer, DEFAULT_SCAN_INTERVAL)

    assert coordinator.last_update_success
    assert hass.states.get(KITCHEN_DND).state == STATE_OFF
    assert coordinator.update_interval == PUSH_RECONCILE_INTERVAL


def _reshaped(
    directive: push_payloads.Json, reshape: Callable[[push_payloads.Json], None]
) -> push_payloads.Json:
    """The directive with its payload (a JSON string in a JSON string) changed."""
    update = directive["directive"]["payload"]["renderingUpdates"][0]
    metadata = json.loads(update["resourceMetadata"])
    payload = json.loads(metadata["payload"])
    reshape(payload)
    metadata["payload"] = json.dumps(payload)
    update["resourceMetadata"] = json.dumps(metadata)
    return directive


def _features(value: object) -> Callable[[push_payloads.Json], None]:
    return lambda payload: payload["data"].__setitem__("features", value)


def _doppler_id(value: object) -> Callable[[push_payloads.Json], None]:
    return lambda payload: payload.__setitem__("dopplerId", value)


_POWER = push_payloads.smart_home_power
_UNREACHABLE_AT_NO_TIME = [
    {
        "name": "connectivity",
        "properties": [
            {
                "name": "reachability",
                "reachabilityStatusValue": "UNREACHABLE",
                "timeOfSample": "yesterday",
            }
        ],
    }
]


@pytest.mark.parametrize(
    ("broken", "kind"),
    [
        (
            lambda: _reshaped(_POWER(PLUG_ENDPOINT, on=False), _features("power")),
            "smart home",
        ),
        (
            lambda: _reshaped(
                _POWER(PLUG_ENDPOINT, on=False),
                _features([{"name": "power", "properties": {"name": "powerState"}}]),
            ),
            "smart home",
        ),
        (
            lambda: _reshaped(
                kitchen("dnd_change", enabled=True), _doppler_id([KITCHEN])
            ),
            "PUSH_DND_STATE_CHANGE",
        ),
        (
            lambda: _reshaped(
                kitchen("dnd_change", enabled=True), _doppler_id(KITCHEN)
            ),
            "PUSH_DND_STATE_CHANGE",
        ),
    ],
    ids=[
        "features not a list",
        "properties not a list",
        "dopplerId a list",
        "dopplerId a string",
    ],
)
async def test_an_unreadable_part_is_skipped_and_the_channel_stays_up(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    broken: Callable[[], push_payloads.Json],
    kind: str,
) -> None:
    """Counted and skipped: the stream stays open and the next event arrives."""
    status = pushing.runtime_data.push.status
    fake_push.push(broken())
    fake_push.push(kitchen("microphone_state", enabled=False))
    await until(hass, lambda: hass.states.get(KITCHEN_MICROPHONES).state == STATE_OFF)

    assert status.unreadable == {kind: 1}
    assert status.connected
    assert status.reconnects == 0
    assert fake_push.requests[push_payloads.DIRECTIVES_PATH] == 1


async def test_a_sample_time_that_does_not_parse_costs_no_pushed_change(
    hass: HomeAssistant, pushing: MockConfigEntry, fake_push: FakePush
) -> None:
    """A plug's pushed reachability is read; its stamp, never used, is not."""
    fake_push.push(
        _reshaped(_POWER(PLUG_ENDPOINT, on=False), _features(_UNREACHABLE_AT_NO_TIME))
    )
    await until(
        hass,
        lambda: (
            hass.states.get("binary_sensor.kitchen_plug_connectivity").state
            == STATE_OFF
        ),
    )

    assert pushing.runtime_data.push.status.unreadable == {}


async def test_a_part_with_two_updates_applies_both(
    hass: HomeAssistant, pushing: MockConfigEntry, fake_push: FakePush
) -> None:
    """Amazon may put several renderingUpdates in one directive: each is applied."""
    directive = kitchen("dnd_change", enabled=True)
    plug = push_payloads.smart_home_power(PLUG_ENDPOINT, on=False)
    directive["directive"]["payload"]["renderingUpdates"].append(
        plug["directive"]["payload"]["renderingUpdates"][0]
    )
    fake_push.push(directive)
    await until(hass, lambda: hass.states.get(KITCHEN_PLUG).state == STATE_OFF)
    assert hass.states.get(KITCHEN_DND).state == STATE_ON


async def test_sites_naming_each_other_cannot_make_the_channel_hammer_amazon(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The library reconnects at once on a new site; ours spaces the reconnects."""
    fake_push.moving_sites = (
        "https://bob-dispatch-prod-eu.amazon.com",
        "https://bob-dispatch-prod-na.amazon.com",
    )
    fake_push.drop()
    # A minute: without spacing, the stream reopens as fast as it is
    # answered; with it, 5, 10, 20 s apart, and so on.
    for _ in range(60):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        for _ in range(10):
            await asyncio.sleep(0)
    assert fake_push.requests[push_payloads.DIRECTIVES_PATH] <= 7


async def test_a_drop_pushed_while_a_poll_is_under_way_is_not_undone(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon answers a poll, then pushes a drop before that answer is read."""
    coordinator = pushing.runtime_data.coordinator
    read_account = coordinator.account.async_get_snapshot

    async def answered_then_pushed() -> AccountSnapshot:
        answer = await read_account()  # the Echo still online
        freezer.tick(timedelta(seconds=2))
        fake_amazon.set_online(
            "Kitchen Echo", online=False, at=dt_util.utcnow().isoformat()
        )
        fake_push.push(kitchen("connection_change", online=False))
        await until(hass, lambda: not coordinator.data.echos[KITCHEN].online)
        return answer

    with patch.object(coordinator.account, "async_get_snapshot", answered_then_pushed):
        await coordinator.async_refresh()
    assert coordinator.data.echos[KITCHEN].online is False
    await let_the_grace_period_pass(hass, freezer)
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF
    issue = ir.async_get(hass).async_get_issue(DOMAIN, unavailable(pushing, KITCHEN))
    assert issue is not None


def _site_named(endpoint: object) -> dict[str, object]:
    return {
        "directive": {
            "header": {"namespace": "System", "name": "SetEndpoint"},
            "payload": {"endpoint": endpoint},
        }
    }


@pytest.mark.parametrize(
    "endpoint", [42, ["https://x"], "not a url", "http://plain.example"]
)
async def test_a_site_that_is_no_https_address_is_not_taken(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    endpoint: object,
) -> None:
    """Taken, it would be the stream's site for good: no stream opens there."""
    status = pushing.runtime_data.push.status
    fake_push.site_answers.append(_site_named(endpoint))
    fake_push.drop()
    await until(hass, lambda: not status.connected)
    await until(hass, lambda: status.connected, freezer)
    assert status.unreadable == {"stream site": 1}


@pytest.mark.parametrize(
    "answer",
    [
        {"directive": "SetEndpoint"},
        {"directive": {"payload": ["https://x"]}},
        {"directive": None},
    ],
    ids=["directive a string", "payload a list", "directive null"],
)
async def test_a_site_answer_of_another_shape_keeps_the_stream(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    caplog: pytest.LogCaptureFixture,
    answer: dict[str, object],
) -> None:
    """Counted as unreadable: no traceback, no reconnect."""
    status = pushing.runtime_data.push.status
    fake_push.site_answers.append(answer)
    # An empty part: the library checks the stream's site on it.
    fake_push.push_raw(f"--{push_payloads.BOUNDARY}".encode())
    await until(hass, lambda: status.unreadable["stream site"] == 1)
    fake_push.push(kitchen("microphone_state", enabled=False))
    await until(hass, lambda: hass.states.get(KITCHEN_MICROPHONES).state == STATE_OFF)
    assert "HTTP2 failure" not in caplog.text
    assert status.reconnects == 0


async def test_a_part_that_is_no_json_is_counted_and_warned_of_once(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_push: FakePush,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cut short, or nested beyond reason: two unreadable parts, one warning."""
    for body in ('{"directive": {"payload": ', "[" * 100_000 + "]" * 100_000):
        fake_push.push_raw(
            "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
            f"{body}\r\n--{push_payloads.BOUNDARY}".encode()
        )
    fake_push.push(kitchen("microphone_state", enabled=False))
    await until(hass, lambda: hass.states.get(KITCHEN_MICROPHONES).state == STATE_OFF)

    status = pushing.runtime_data.push.status
    assert status.unreadable == {"directive": 2}
    assert status.reconnects == 0
    warnings = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.startswith(("aioamazondevices", f"custom_components.{DOMAIN}"))
    ]
    assert [record.getMessage() for record in warnings] == [
        "Ignored a directive event from Amazon that Alexa Care cannot read"
    ]

"""Tests of a push channel that stays open but goes silent.

The stream is the fake of tests/fake_push.py: `silent`, it stays open and
carries nothing, as Amazon's did for users of other integrations (states
froze until a reload). The account changes at the fake Amazon; whether the
change is pushed is up to each test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import (
    DEFAULT_SCAN_INTERVAL,
    PUSH_RECONCILE_INTERVAL,
    VOICE_HISTORY_INTERVAL,
)
from custom_components.alexa_care.diagnostics import async_get_config_entry_diagnostics
from custom_components.alexa_care.updates.push import STALL_RESTART_SPACING, PushStatus
from custom_components.alexa_care.updates.push_watch import (
    PUSH_LATENCY,
    QUIET_RECONCILE_INTERVAL,
    USUAL_GAP_CEILING,
)
from devtools.amazon_emulator import payloads, push_payloads
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .common import KITCHEN, next_poll, settle, tick_with_the_stream, until
from .fake_amazon import CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush

KITCHEN_TYPE = "A4ZXE0RM7LQ7A"
PLUG_ENDPOINT = "amzn1.alexa.endpoint.FAKE0000000000000000000000000003"
KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"
BEDROOM_CONNECTIVITY = "binary_sensor.bedroom_echo_show_connectivity"
KITCHEN_DND = "switch.kitchen_echo_do_not_disturb"
KITCHEN_PLUG = "switch.kitchen_plug_power"
PUSH_CHANNEL = "binary_sensor.push_channel"
GRAPHQL = "/nexus/v1/graphql"


def _now() -> str:
    return dt_util.utcnow().isoformat()


@dataclass(frozen=True, kw_only=True)
class Change:
    """A change at Amazon the channel carries, and the event that pushes it."""

    make: Callable[[FakeAmazon], None]
    event: Callable[[], push_payloads.Json]
    field: str
    entity: str
    state: str


CHANGES = {
    "echo_offline": Change(
        make=lambda amazon: amazon.set_online("Kitchen Echo", online=False, at=_now()),
        event=lambda: push_payloads.connection_change(
            KITCHEN, KITCHEN_TYPE, CUSTOMER_ID, online=False
        ),
        field="online",
        entity=KITCHEN_CONNECTIVITY,
        state=STATE_OFF,
    ),
    "do_not_disturb": Change(
        make=lambda amazon: amazon.set_do_not_disturb(KITCHEN, enabled=True),
        event=lambda: push_payloads.dnd_change(
            KITCHEN, KITCHEN_TYPE, CUSTOMER_ID, enabled=True
        ),
        field="do_not_disturb",
        entity=KITCHEN_DND,
        state=STATE_ON,
    ),
    "plug_in_the_app": Change(
        make=lambda amazon: amazon.set_power("Kitchen Plug", on=False, at=_now()),
        event=lambda: push_payloads.smart_home_power(PLUG_ENDPOINT, on=False),
        field="power_on",
        entity=KITCHEN_PLUG,
        state=STATE_OFF,
    ),
}


def microphones_pressed() -> push_payloads.Json:
    """An event the polls cannot see: only proof that the channel carries."""
    return push_payloads.microphone_state(
        KITCHEN, KITCHEN_TYPE, CUSTOMER_ID, enabled=False
    )


def plug_reachability(*, online: bool) -> push_payloads.Json:
    """A plug's reachability pushed, as a smart-home change carries it.

    Public code does not show whether Amazon pushes one: the emulator does not.
    """
    directive = push_payloads.smart_home_power(PLUG_ENDPOINT, on=True)
    update = directive["directive"]["payload"]["renderingUpdates"][0]
    metadata = json.loads(update["resourceMetadata"])
    payload = json.loads(metadata["payload"])
    reachability = payloads.reachability(
        online=online, sampled=_now(), last_change=_now()
    )
    payload["data"]["features"] = [
        {"name": "connectivity", "properties": [reachability]}
    ]
    metadata["payload"] = json.dumps(payload)
    update["resourceMetadata"] = json.dumps(metadata)
    return directive


@pytest.fixture
def status(pushing: MockConfigEntry) -> PushStatus:
    """What Alexa Care knows of its open push channel."""
    return pushing.runtime_data.push.status


async def _reconcile(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The reconciling poll, then the time Amazon has to push what it read."""
    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    await next_poll(hass, freezer, PUSH_LATENCY)


def polls(fake_amazon: FakeAmazon) -> int:
    """How often the account's state was read."""
    return sum(path == GRAPHQL for _method, path, _body in fake_amazon.requests)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
async def test_a_silent_channel_is_noticed_at_the_next_reconciling_poll(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    change: Change,
) -> None:
    """Noticed, restarted, polled as usual; back to resting once it pushes."""
    runtime = pushing.runtime_data
    status = runtime.push.status
    fake_push.silent = True
    change.make(fake_amazon)
    fake_push.push(change.event())  # carried nowhere

    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    # The poll shows it; the channel has a moment to push it all the same.
    assert hass.states.get(change.entity).state == change.state
    assert not status.stalled
    await next_poll(hass, freezer, PUSH_LATENCY)

    assert status.stalled
    assert (status.stalls, status.missed) == (1, {change.field: 1})
    assert "push channel is open but silent" in caplog.text
    # Restarted: a second stream, which stays silent.
    await until(
        hass,
        lambda: (
            status.connected and fake_push.requests[push_payloads.DIRECTIVES_PATH] == 2
        ),
        freezer,
    )
    assert status.stall_restarts == 1
    # Open again, but not trusted until it pushes.
    sensor = hass.states.get(PUSH_CHANNEL)
    assert (sensor.state, sensor.attributes["status"]) == (STATE_OFF, "stalled")
    diagnostics = await async_get_config_entry_diagnostics(hass, pushing)
    assert diagnostics["push_channel"]["status"] == "stalled"
    assert diagnostics["push_channel"]["missed_changes"] == {change.field: 1}

    # Polled as usual meanwhile: a change shows at the usual interval.
    assert runtime.coordinator.update_interval == DEFAULT_SCAN_INTERVAL
    assert runtime.voice_history.update_interval == VOICE_HISTORY_INTERVAL
    fake_amazon.set_online("Bedroom Echo Show", online=False, at=_now())
    await next_poll(hass, freezer, DEFAULT_SCAN_INTERVAL)
    assert hass.states.get(BEDROOM_CONNECTIVITY).state == STATE_OFF

    # It pushes again: resting again.
    fake_push.silent = False
    fake_push.push(microphones_pressed())
    await until(hass, lambda: not status.stalled)
    await settle(hass)
    sensor = hass.states.get(PUSH_CHANNEL)
    assert (sensor.state, sensor.attributes["status"]) == (STATE_ON, "open")
    assert runtime.coordinator.update_interval == PUSH_RECONCILE_INTERVAL
    assert runtime.voice_history.update_interval is None
    assert status.stalls == 1


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
async def test_a_change_pushed_before_the_poll_is_no_missed_one(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    change: Change,
) -> None:
    """Pushed and applied, then read by the poll: what the poll brings is known."""
    change.make(fake_amazon)
    fake_push.push(change.event())
    await until(hass, lambda: hass.states.get(change.entity).state == change.state)

    await _reconcile(hass, freezer)

    assert (status.stalled, status.stalls) == (False, 0)
    assert pushing.runtime_data.coordinator.update_interval == PUSH_RECONCILE_INTERVAL


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
async def test_a_change_pushed_just_after_the_poll_is_no_missed_one(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    change: Change,
) -> None:
    """The poll reads a change first; Amazon pushes it 20 s later."""
    change.make(fake_amazon)
    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    assert hass.states.get(change.entity).state == change.state

    await next_poll(hass, freezer, timedelta(seconds=20))
    fake_push.push(change.event())
    await until(hass, lambda: status.events.total() == 1)
    await next_poll(hass, freezer, PUSH_LATENCY)

    assert (status.stalled, status.stalls) == (False, 0)


async def test_a_poll_behind_what_was_pushed_is_no_missed_change(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon's poll still says online after the push said offline, then agrees."""
    fake_push.push(CHANGES["echo_offline"].event())
    await until(hass, lambda: hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF)

    await _reconcile(hass, freezer)
    CHANGES["echo_offline"].make(fake_amazon)
    await _reconcile(hass, freezer)

    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF
    assert (status.stalled, status.stalls) == (False, 0)


async def test_changes_while_the_channel_reconnects_are_no_evidence(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Dropped and read at once; a plug switched; back 5 s later: no alarm.

    The catch-up poll after the reconnect reads the switch, which happened
    while nothing could push it.
    """
    fake_push.drop()
    await until(hass, lambda: not status.connected)
    await settle(hass)
    CHANGES["plug_in_the_app"].make(fake_amazon)
    # Only the timers due, not the polls': the library's wait to reconnect.
    for _ in range(30):
        if status.connected:
            break
        await tick_with_the_stream(hass, freezer, timedelta(seconds=1))
    assert status.connected
    await next_poll(hass, freezer, timedelta(seconds=10))  # the catch-up's debounce
    assert hass.states.get(KITCHEN_PLUG).state == STATE_OFF
    await next_poll(hass, freezer, PUSH_LATENCY)
    await _reconcile(hass, freezer)

    assert (status.stalled, status.stalls) == (False, 0)


async def test_a_drop_while_a_change_waits_to_be_pushed_is_no_stall(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The poll reads a change, the channel drops before it could push it."""
    CHANGES["do_not_disturb"].make(fake_amazon)
    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    fake_push.drop()
    await until(hass, lambda: not status.connected)
    await next_poll(hass, freezer, PUSH_LATENCY)

    assert (status.stalled, status.stalls) == (False, 0)


async def test_a_plug_reachability_counts_once_the_channel_has_carried_one(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon may never push a plug's reachability: until it has, no evidence."""
    fake_amazon.set_online("Kitchen Plug", online=False, at=_now())
    await _reconcile(hass, freezer)
    assert (status.stalled, status.stalls) == (False, 0)

    fake_push.push(plug_reachability(online=False))
    await until(hass, lambda: status.events.total() == 1)
    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    fake_push.silent = True
    fake_amazon.set_online("Kitchen Plug", online=True, at=_now())
    await _reconcile(hass, freezer)

    assert (status.stalls, status.missed) == (1, {"online": 1})


async def test_a_channel_still_missing_changes_is_restarted_every_half_hour(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon's side may be what is stuck: one restart per half hour at most."""
    fake_push.silent = True
    CHANGES["plug_in_the_app"].make(fake_amazon)
    await _reconcile(hass, freezer)
    assert status.stall_restarts == 1

    online = True
    for _ in range(int(STALL_RESTART_SPACING / DEFAULT_SCAN_INTERVAL)):
        online = not online
        fake_amazon.set_online("Kitchen Echo", online=online, at=_now())
        await next_poll(hass, freezer, DEFAULT_SCAN_INTERVAL)
        await next_poll(hass, freezer, PUSH_LATENCY)
        await until(hass, lambda: status.connected, freezer)

    assert status.missed["online"] >= 2
    assert status.stall_restarts == 2
    assert status.stalls == 1


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_long_silence_brings_the_reconciling_polls_closer(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing for longer than the usual gap: a reconciling poll every 5 minutes.

    Until 20 gaps are known, the usual gap is 6 hours; with an event every
    20 minutes it becomes 40 minutes (twice the gap 9 in 10 stay under).
    """
    runtime = pushing.runtime_data
    status = runtime.push.status
    coordinator = runtime.coordinator
    await next_poll(hass, freezer, PUSH_RECONCILE_INTERVAL)
    assert status.usual_gap == USUAL_GAP_CEILING
    assert coordinator.update_interval == PUSH_RECONCILE_INTERVAL

    for event in range(21):
        fake_push.push(microphones_pressed())
        await until(hass, lambda: status.events.total() == event + 1)  # noqa: B023
        await next_poll(hass, freezer, timedelta(minutes=20))
    for _ in range(40):
        await next_poll(hass, freezer, timedelta(minutes=1))
    assert status.usual_gap == timedelta(minutes=40)
    assert status.quiet
    assert coordinator.update_interval == QUIET_RECONCILE_INTERVAL
    sensor = hass.states.get(PUSH_CHANNEL)
    assert (sensor.state, sensor.attributes["status"]) == (STATE_ON, "quiet")
    before = polls(fake_amazon)
    for _ in range(30):
        await next_poll(hass, freezer, timedelta(minutes=1))
    assert polls(fake_amazon) - before == 6

    fake_push.push(microphones_pressed())
    await until(hass, lambda: not status.quiet)
    assert hass.states.get(PUSH_CHANNEL).attributes["status"] == "open"
    await next_poll(hass, freezer, QUIET_RECONCILE_INTERVAL)
    assert coordinator.update_interval == PUSH_RECONCILE_INTERVAL
    assert (status.stalled, status.stalls) == (False, 0)


async def test_the_stall_warning_is_logged_at_most_once_an_hour(
    hass: HomeAssistant,
    status: PushStatus,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stalled, back, stalled again within the hour: one warning."""
    for stall in range(2):
        fake_push.silent = True
        fake_amazon.set_online("Kitchen Echo", online=bool(stall), at=_now())
        await _reconcile(hass, freezer)
        assert status.stalls == stall + 1
        await until(hass, lambda: status.connected, freezer)
        # A poll once restarted, which the next one is judged against.
        await next_poll(hass, freezer, DEFAULT_SCAN_INTERVAL)
        fake_push.silent = False
        fake_push.push(microphones_pressed())
        await until(hass, lambda: not status.stalled)

    warnings = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and "silent" in record.getMessage()
    ]
    assert len(warnings) == 1

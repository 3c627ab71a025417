"""Long periods of trouble: a day of failed polls, hours of throttling, flapping.

What a home running Alexa Care for months without anyone watching lives
through: Amazon failing or throttling for hours, or failing every other poll.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import timedelta
import itertools
import re
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.amazon.endpoint_queries import COMBINED
from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.util.log_privacy import SECRET_FILTER
from devtools.amazon_emulator import payloads, push_payloads
from devtools.amazon_emulator.failures import Fault
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .common import ACCESS_TOKEN, next_poll, set_up, until
from .fake_amazon import FakeAmazon
from .fake_push import FakePush
from .log_lines import lines_above_debug, repeated_within_an_hour
from .repair_issues import issue_events, our_issues, throttled_issue_id

GRAPHQL = "/nexus/v1/graphql"
KITCHEN_RESTART = "button.kitchen_echo_restart"
KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"
KITCHEN_PLUG_POWER = "switch.kitchen_plug_power"
DROP_OFFS = (
    "sensor.kitchen_echo_drop_offs_today",
    "sensor.kitchen_plug_drop_offs_today",
    "sensor.bedroom_echo_show_drop_offs_today",
)


def _without_queries(line: str) -> str:
    """The line with each URL's query left out (a time window that moves)."""
    return re.sub(r"(https?://[^\s?:]+)\?[^\s:]*", r"\1", line)


def _asked(fake_amazon: FakeAmazon, fake_push: FakePush) -> int:
    """Every request Amazon received: web API, tokens, and the push hosts."""
    return (
        len(fake_amazon.requests)
        + len(fake_amazon.auth_requests)
        + fake_push.requests.total()
    )


def _sizes(root: object, name: str = "runtime", depth: int = 0) -> dict[str, int]:
    """The length of every list, dict, set or deque in our objects, by path."""
    sizes: dict[str, int] = {}
    if depth > 6:
        return sizes
    if isinstance(root, list | dict | set | deque | tuple | frozenset):
        sizes[name] = len(root)
        items = root.items() if isinstance(root, dict) else enumerate(root)
        for key, value in list(items)[:3]:
            sizes |= _sizes(value, f"{name}[{key!r}]", depth + 1)
        return sizes
    if not type(root).__module__.startswith(("custom_components", "aioamazondevices")):
        return sizes
    attributes = dict(vars(root)) if hasattr(root, "__dict__") else {}
    for slot in getattr(type(root), "__slots__", ()):
        if hasattr(root, slot):
            attributes[slot] = getattr(root, slot)
    for key, value in attributes.items():
        sizes |= _sizes(value, f"{name}.{key}", depth + 1)
    return sizes


# A day of failed polls.


@pytest.mark.parametrize(
    "fault", [Fault.SERVICE_UNAVAILABLE, Fault.TIMEOUT], ids=["503", "timeout"]
)
async def test_a_day_of_failed_polls_costs_availability_only(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    fault: Fault,
) -> None:
    """Every request fails for 24 hours; then Amazon answers again.

    The polls go on, the entities are unavailable (Connectivity keeps what
    it knew), no issue comes or goes, no drop-off is counted; all is back
    at the first good poll.
    """
    coordinator = init_integration.runtime_data.coordinator
    issues_before = our_issues(hass)
    fake_amazon.fail_next(fault, 10**6)
    with issue_events(hass) as events, lines_above_debug() as logged:
        for hour in range(24):
            asked = len(fake_amazon.requests)
            for _ in range(12):
                await next_poll(hass, freezer)
            graphql = [p for _, p, _ in fake_amazon.requests[asked:] if p == GRAPHQL]
            assert len(graphql) >= 12, f"hour {hour}: {len(graphql)} polls"
            assert hass.states.get(KITCHEN_RESTART).state == STATE_UNAVAILABLE
            assert hass.states.get(KITCHEN_PLUG_POWER).state == STATE_UNAVAILABLE
            assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON
        fake_amazon.stop_failing()
        await next_poll(hass, freezer)

    assert events == []
    assert repeated_within_an_hour(logged.lines) == []
    assert coordinator.last_update_success
    assert hass.states.get(KITCHEN_RESTART).state != STATE_UNAVAILABLE
    assert hass.states.get(KITCHEN_PLUG_POWER).state == STATE_ON
    assert our_issues(hass) == issues_before
    assert [hass.states.get(sensor).state for sensor in DROP_OFFS] == ["0"] * 3


@pytest.mark.parametrize(
    "fault", [Fault.SERVICE_UNAVAILABLE, Fault.TIMEOUT], ids=["503", "timeout"]
)
async def test_a_failing_voice_history_read_is_logged_once_an_hour(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    fault: Fault,
) -> None:
    """Amazon fails every request for three hours: each line once an hour.

    docs/data-updates.md: a line the library logs above DEBUG is logged once
    an hour, its repeats (a failure that comes back at every poll, the
    library's retries) at DEBUG. The voice history read's URL carries the
    moving time window (startTime, endTime): its failure must not count as
    a new line at every read.
    """
    fake_amazon.fail_next(fault, 10**6)
    with lines_above_debug() as logged:
        for _ in range(3 * 12):
            await next_poll(hass, freezer)
    assert repeated_within_an_hour(logged.lines, same=_without_queries) == []


# Throttling.


async def test_six_hours_of_throttling(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """429 to everything for six hours: one issue, few requests, quiet log; then over.

    The gate: 10, 20, 40, then 60 minutes; 8 requests in the six hours.
    """
    coordinator = init_integration.runtime_data.coordinator
    issue_id = throttled_issue_id(init_integration.entry_id)
    before = _asked(fake_amazon, fake_push)
    fake_amazon.throttling = True
    with issue_events(hass) as events, lines_above_debug() as logged:
        for _ in range(6 * 60):
            await next_poll(hass, freezer, timedelta(minutes=1))
        assert _asked(fake_amazon, fake_push) - before <= 10
        assert [action for action, _ in events if action != "update"] == ["create"]

        fake_amazon.throttling = False
        for _ in range(61):
            await next_poll(hass, freezer, timedelta(minutes=1))

    assert [action for action, _ in events if action != "update"] == [
        "create",
        "remove",
    ]
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert coordinator.last_update_success
    assert not coordinator.backing_off
    assert repeated_within_an_hour(logged.lines, same=_without_queries) == []


async def test_keep_alive_pings_wait_while_amazon_throttles(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two hours of 429 with the channel open: no ping goes out meanwhile.

    The library pings every 280 s whatever Amazon answers; 25 pings in two
    hours would be more than the whole budget of a throttled account.
    """
    entry = mock_config_entry
    fake_push.serving = True
    fake_push.access_token = ACCESS_TOKEN
    await set_up(hass, entry)
    await until(hass, lambda: entry.runtime_data.push.status.connected)
    coordinator = entry.runtime_data.coordinator
    fake_amazon.throttling = fake_push.throttling = True
    await coordinator.async_refresh()
    pings = fake_push.requests[push_payloads.PING_PATH]
    for _ in range(2 * 60):
        await next_poll(hass, freezer, timedelta(minutes=1))
    assert fake_push.requests[push_payloads.PING_PATH] == pings

    fake_amazon.throttling = fake_push.throttling = False
    for _ in range(2 * 60):
        await next_poll(hass, freezer, timedelta(minutes=1))
    assert not coordinator.backing_off
    assert fake_push.requests[push_payloads.PING_PATH] > pings


async def test_throttling_that_ends_in_an_outage_is_not_shown_as_throttling(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon throttles for an hour, then answers 503 to everything for six.

    amazon/throttle.py: "a request that gets through without being throttled
    ends it"; the issue says Amazon answers 'too many requests', that
    nothing is sent for N minutes, and that it goes "once Amazon answers
    again". A 503 is an answer, and polls go out every 5 minutes meanwhile.
    """
    coordinator = init_integration.runtime_data.coordinator
    issue_id = throttled_issue_id(init_integration.entry_id)
    fake_amazon.throttling = True
    for _ in range(12):
        await next_poll(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    fake_amazon.throttling = False
    fake_amazon.fail_next(Fault.SERVICE_UNAVAILABLE, 10**6)
    asked = len(fake_amazon.requests)
    for _ in range(6 * 12):
        await next_poll(hass, freezer)
    assert len(fake_amazon.requests) - asked > 6 * 12  # every poll went out

    assert not coordinator.last_update_success
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert not coordinator.backing_off


async def test_a_new_throttling_after_an_outage_starts_the_back_off_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Throttled, then a day of 503s, then throttled again: 10 minutes, not more.

    The back-off doubles "each time Amazon still refuses"; a day of answers
    that were no 429 is no refusal, and the new storm starts at 10 minutes.
    """
    issue_id = throttled_issue_id(init_integration.entry_id)
    fake_amazon.throttling = True
    await next_poll(hass, freezer)
    await next_poll(hass, freezer, timedelta(minutes=10))
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue.translation_placeholders == {"minutes": "20"}

    fake_amazon.throttling = False
    fake_amazon.fail_next(Fault.SERVICE_UNAVAILABLE, 10**6)
    await next_poll(hass, freezer, timedelta(minutes=20))
    for _ in range(24 * 12):
        await next_poll(hass, freezer)

    fake_amazon.stop_failing()
    fake_amazon.throttling = True
    await next_poll(hass, freezer)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue.translation_placeholders == {"minutes": "10"}


# Failures every other poll.


@pytest.mark.parametrize("pushing", [False, True], ids=["polling", "pushing"])
async def test_failures_every_other_poll_for_twelve_hours(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    pushing: bool,
) -> None:
    """Good, bad, good, bad for twelve hours: nothing flaps but availability.

    No issue comes or goes, no line repeats within the hour, and no list or
    dict of ours grows.
    """
    entry = mock_config_entry
    fake_push.serving = pushing
    fake_push.access_token = ACCESS_TOKEN
    await set_up(hass, entry)
    if pushing:
        await until(hass, lambda: entry.runtime_data.push.status.connected)
    for _ in range(12):
        await next_poll(hass, freezer)
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    sizes_before = _sizes(runtime)
    timers_before = len(hass.loop._scheduled)
    outcomes = []
    with issue_events(hass) as events, lines_above_debug() as logged:
        for poll in range(12 * 12):
            fake_amazon.failing_path = "/" if poll % 2 else None
            await coordinator.async_refresh()
            outcomes.append(coordinator.last_update_success)
            await next_poll(hass, freezer)
        fake_amazon.failing_path = None
        await coordinator.async_refresh()

    assert outcomes == [True, False] * 72
    assert coordinator.last_update_success
    assert events == []
    assert repeated_within_an_hour(logged.lines) == []
    grown = {
        path: (size, sizes_before.get(path))
        for path, size in _sizes(runtime).items()
        if size > sizes_before.get(path, 0)
    }
    assert grown == {}
    assert len(hass.loop._scheduled) <= timers_before + 5


# What a home running for months would suffer from.


async def test_one_internal_graphql_error_does_not_change_the_polls_for_good(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon's GraphQL fails once ("Internal error", data null), then works a day.

    A failure of Amazon's (the emulator's GRAPHQL_ERROR, beside
    GRAPHQL_PARTIAL and SERVER_ERROR) is no refusal of our query: the next
    polls use ours again, at 2 requests, with the plugs' power read.
    """
    queries = init_integration.runtime_data.coordinator.account.endpoint_queries
    fake_amazon.fail_next(Fault.GRAPHQL_ERROR, path=GRAPHQL)
    await next_poll(hass, freezer)
    for _ in range(24 * 12):
        await next_poll(hass, freezer)

    assert queries.in_use == COMBINED
    assert hass.states.get(KITCHEN_PLUG_POWER).state not in (
        STATE_UNKNOWN,
        STATE_UNAVAILABLE,
    )


@pytest.fixture
def fresh_access_tokens() -> Iterator[None]:
    """Amazon hands out a new access token at each refresh, as it does."""
    numbers = itertools.count()
    issue = payloads.access_token

    def new_token(_token: str, seconds: int) -> dict[str, object]:
        return issue(f"Atna|FAKE-ACCESS-TOKEN-{next(numbers):08d}", seconds)

    with patch.object(payloads, "access_token", new_token):
        yield


@pytest.mark.usefixtures("fresh_access_tokens")
async def test_the_log_filter_does_not_keep_every_access_token_ever_issued(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A day of ordinary polls: what the log filter scans for stays the same size.

    Every log line is searched for each secret the filter knows
    (log_privacy.SecretFilter.redact). An access token lives an hour; one
    kept for months is memory, and time spent on every line, for nothing.
    """
    await next_poll(hass, freezer)
    known_at_start = len(SECRET_FILTER._known)
    refreshes = len(fake_amazon.auth_requests)
    for _ in range(24 * 12):
        await next_poll(hass, freezer)
    assert len(fake_amazon.auth_requests) - refreshes > 24  # new tokens came

    # The current token and the one before it, in their written forms.
    assert len(SECRET_FILTER._known) <= known_at_start + 8

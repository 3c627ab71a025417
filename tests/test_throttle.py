"""Tests of the account's throttle gate: what a throttling storm costs, and its end."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.amazon.throttle import FIRST_BACKOFF, MAX_RETRY_AFTER
from custom_components.alexa_care.const import DOMAIN, PUSH_RECONCILE_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .common import read_network_identities, tick_with_the_stream
from .fake_amazon import FakeAmazon
from .fake_push import FakePush
from .repair_issues import throttled_issue_id

STEP = timedelta(seconds=10)


def _minutes(wait: timedelta) -> str:
    return str(round(wait / timedelta(minutes=1)))


def _asked(fake_amazon: FakeAmazon, fake_push: FakePush) -> int:
    """Every request Amazon received: web API, tokens, and the push hosts."""
    return (
        len(fake_amazon.requests)
        + len(fake_amazon.auth_requests)
        + fake_push.requests.total()
    )


async def _let_pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, time: timedelta
) -> None:
    """Move the clock in short steps, letting the library's stream tasks run."""
    for _ in range(int(time / STEP)):
        await tick_with_the_stream(hass, freezer, STEP)


@pytest.fixture
async def set_up(
    hass: HomeAssistant, pushing: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """Alexa Care set up, its push channel open and the Echos' networks read."""
    await read_network_identities(hass, freezer)
    await _let_pass(hass, freezer, timedelta(minutes=1))
    assert pushing.runtime_data.push.status.connected
    return pushing


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_two_hours_of_throttling_cost_few_requests_and_end_by_themselves(
    hass: HomeAssistant,
    set_up: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Amazon answers 429 to everything for two hours, and drops the stream.

    Polls, voice history reads, token refreshes and push reconnects all wait
    behind one gate: at most 24 requests in the two hours. Then polling and
    the push channel come back by themselves.
    """
    runtime = set_up.runtime_data
    issue_id = throttled_issue_id(set_up.entry_id)
    before = _asked(fake_amazon, fake_push)

    fake_amazon.throttling = fake_push.throttling = True
    fake_push.drop()
    await _let_pass(hass, freezer, timedelta(hours=2))

    storm = _asked(fake_amazon, fake_push) - before
    assert storm <= 24, f"{storm} requests in two hours of throttling"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert runtime.coordinator.backing_off

    fake_amazon.throttling = fake_push.throttling = False
    await _let_pass(hass, freezer, timedelta(hours=1, minutes=1))

    assert runtime.coordinator.last_update_success
    assert not runtime.coordinator.backing_off
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert runtime.push.status.connected
    assert runtime.coordinator.update_interval == PUSH_RECONCILE_INTERVAL


async def test_retry_after_is_honoured(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Amazon asks for 90 minutes of quiet: nothing is asked before, and it says so."""
    coordinator = init_integration.runtime_data.coordinator
    fake_amazon.throttling = True
    fake_amazon.retry_after = str(90 * 60)
    await coordinator.async_refresh()
    issue = issue_registry.async_get_issue(
        DOMAIN, throttled_issue_id(init_integration.entry_id)
    )
    assert issue is not None
    assert issue.translation_placeholders == {"minutes": "90"}

    fake_amazon.throttling = False
    before = _asked(fake_amazon, fake_push)
    await _let_pass(hass, freezer, timedelta(minutes=89))
    assert _asked(fake_amazon, fake_push) == before
    await _let_pass(hass, freezer, timedelta(minutes=2))
    assert coordinator.last_update_success
    assert not coordinator.backing_off


@pytest.mark.parametrize(
    ("retry_after", "minutes"),
    [
        # Beyond what a timedelta holds: the longest wait we honour.
        ("9" * 20, _minutes(MAX_RETRY_AFTER)),
        # A digit to str.isdigit, not to int(): as if there were none.
        ("\N{SUPERSCRIPT TWO}", _minutes(FIRST_BACKOFF)),
    ],
    ids=["out_of_range", "not_a_number"],
)
async def test_a_retry_after_that_is_no_wait_throttles_as_usual(
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    retry_after: str,
    minutes: str,
) -> None:
    """Whatever the header holds, the poll is throttled, not failed unexpectedly."""
    coordinator = init_integration.runtime_data.coordinator
    fake_amazon.throttling = True
    fake_amazon.retry_after = retry_after
    await coordinator.async_refresh()

    assert coordinator.backing_off
    issue = issue_registry.async_get_issue(
        DOMAIN, throttled_issue_id(init_integration.entry_id)
    )
    assert issue is not None
    assert issue.translation_placeholders == {"minutes": minutes}

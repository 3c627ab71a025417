"""Tests of polling: its cost, throttling, failures, devices coming and going."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.amazon.device_list import DEVICE_LIST_REFRESH
from custom_components.alexa_care.const import (
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    STALE_DEVICE_GRACE,
)
from devtools.amazon_emulator import push_payloads
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    CONF_SCAN_INTERVAL,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import KITCHEN, next_poll, settle, setup_with_echos, until
from .fake_amazon import (
    CUSTOMER_ID,
    EXPIRED_LOGIN,
    GRAPHQL_THROTTLED,
    MALFORMED,
    SERVER_ERROR,
    TIMEOUT,
    WIFI_DETAILS,
    FakeAmazon,
)
from .fake_push import FakePush
from .repair_issues import throttled_issue_id, unavailable

KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"
KITCHEN_RESTART = "button.kitchen_echo_restart"
KITCHEN_PLUG = "switch.kitchen_plug_power"
KITCHEN_LAST_SEEN = "sensor.kitchen_echo_last_seen_online"
GRAPHQL = "/nexus/v1/graphql"
STEADY_POLL = [("POST", GRAPHQL), ("GET", "/api/dnd/device-status-list")]
HISTORY_READ = ("POST", "/alexa-privacy/apd/rah/alexa-history-records-v2")


def _sent(fake_amazon: FakeAmazon, since: int) -> list[tuple[str, str]]:
    # The Echos' Wi-Fi details are read apart from the polls, on their own
    # pace (tests/test_home_network/identity.py).
    return [
        (method, path)
        for method, path, _ in fake_amazon.requests[since:]
        if path != WIFI_DETAILS
    ]


@pytest.mark.parametrize("devices", [1, 50, 500])
async def test_poll_cost_does_not_grow_with_devices(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    devices: int,
) -> None:
    """Two requests per poll for 1, 50 or 500 devices; three when the list is read.

    The voice history has its own, slower schedule: one request per read.
    """
    await setup_with_echos(hass, mock_config_entry, fake_amazon, devices)
    # Each Echo's Connectivity and Microphones.
    assert len(hass.states.async_entity_ids("binary_sensor")) == 2 * devices

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    assert _sent(fake_amazon, before) == STEADY_POLL

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer, DEVICE_LIST_REFRESH)
    sent = _sent(fake_amazon, before)
    assert sent.count(HISTORY_READ) == 1
    assert len(sent) == 3 + 1


async def test_throttling_backs_off_and_recovers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Throttled: nothing asked for 10, 20, 40, then 60 minutes; said; recovered."""
    coordinator = init_integration.runtime_data.coordinator
    issue_id = throttled_issue_id(init_integration.entry_id)

    def asked() -> int:
        return len(fake_amazon.requests) + len(fake_amazon.auth_requests)

    fake_amazon.throttling = True
    await next_poll(hass, freezer)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "throttled"
    assert issue.translation_placeholders == {"minutes": "10"}
    assert issue.is_fixable is False
    assert coordinator.backing_off

    for closed, minutes in (
        (timedelta(minutes=10), "20"),
        (timedelta(minutes=20), "40"),
        (timedelta(minutes=40), "60"),
        (timedelta(minutes=60), "60"),
    ):
        before = asked()
        await next_poll(hass, freezer, closed - timedelta(seconds=30))
        assert asked() == before  # the gate holds every request
        await next_poll(hass, freezer, timedelta(seconds=30))
        assert asked() > before
        issue = issue_registry.async_get_issue(DOMAIN, issue_id)
        assert issue.translation_placeholders == {"minutes": minutes}

    fake_amazon.throttling = False
    await next_poll(hass, freezer, timedelta(hours=1))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert not coordinator.backing_off
    assert coordinator.update_interval == DEFAULT_SCAN_INTERVAL
    assert coordinator.last_update_success


async def test_throttled_setup_issue_goes_when_a_later_setup_polls(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The issue a throttled setup raised goes with the first good poll."""
    issue_id = throttled_issue_id(mock_config_entry.entry_id)
    fake_amazon.fail_next(GRAPHQL_THROTTLED, path=GRAPHQL)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize(
    ("failure", "count"),
    [(TIMEOUT, 1), (SERVER_ERROR, 3), (MALFORMED, 1)],
    ids=["timeout", "server error", "malformed JSON"],
)
async def test_failed_poll_and_recovery(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    failure: str,
    count: int,
) -> None:
    """A failed poll: unavailable (connectivity keeps what it knew), then back."""
    for _ in range(2):
        fake_amazon.fail_next(failure, count)
        await next_poll(hass, freezer)
        assert hass.states.get(KITCHEN_RESTART).state == STATE_UNAVAILABLE
        assert hass.states.get(KITCHEN_PLUG).state == STATE_UNAVAILABLE
        assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON

    await next_poll(hass, freezer)
    assert hass.states.get(KITCHEN_RESTART).state != STATE_UNAVAILABLE
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON

    logged = [r for r in caplog.records if r.name.startswith("custom_components")]
    failures = [r for r in logged if r.levelno >= logging.ERROR]
    recoveries = [r for r in logged if "recovered" in r.getMessage()]
    assert (len(failures), len(recoveries)) == (1, 1)


async def test_expired_login_during_a_poll_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon refusing the tokens later on asks the user to sign in again."""
    fake_amazon.fail_next(EXPIRED_LOGIN)
    await next_poll(hass, freezer)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_new_device_appears_without_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Echo added to the account gets its entities at the next poll."""
    fake_amazon.add_echos(1)
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)

    # The steady query shows a new endpoint: what it is, and the Echo list,
    # are read at once.
    assert _sent(fake_amazon, before) == [
        ("POST", GRAPHQL),
        ("POST", GRAPHQL),
        ("GET", "/api/devices-v2/device"),
        ("GET", "/api/dnd/device-status-list"),
    ]
    assert hass.states.get("binary_sensor.echo_0_connectivity").state == STATE_ON
    assert hass.states.get("switch.echo_0_do_not_disturb").state == STATE_OFF
    assert hass.states.get("button.echo_0_restart") is not None


async def test_gone_device_is_removed_after_grace(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A device missing from the account is removed only after a grace period."""
    kitchen = {(DOMAIN, "G090XG1234567KIT")}
    removed_endpoint = fake_amazon.endpoint("Kitchen Echo")
    removed_device = fake_amazon.devices[0]
    fake_amazon.remove("Kitchen Echo")

    await next_poll(hass, freezer)
    assert _device(device_registry, init_integration, kitchen) is not None
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_UNAVAILABLE

    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    assert _device(device_registry, init_integration, kitchen) is None
    assert hass.states.get(KITCHEN_CONNECTIVITY) is None

    # It comes back (set up again in the Alexa app): so do its entities.
    fake_amazon.endpoints.append(removed_endpoint)
    fake_amazon.devices.append(removed_device)
    await next_poll(hass, freezer)
    assert _device(device_registry, init_integration, kitchen) is not None
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON


async def test_flickering_device_is_kept(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Missing from one poll and back at the next: nothing is removed."""
    plug = fake_amazon.endpoint("Kitchen Plug")
    fake_amazon.endpoints.remove(plug)
    await next_poll(hass, freezer)
    fake_amazon.endpoints.append(plug)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    await next_poll(hass, freezer, STALE_DEVICE_GRACE)
    plug_key = {(DOMAIN, plug["endpointId"])}
    assert _device(device_registry, init_integration, plug_key) is not None
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON
    assert hass.states.get("switch.bedroom_echo_show_do_not_disturb").state == STATE_ON
    assert hass.states.get("binary_sensor.bedroom_echo_show_connectivity").state == (
        STATE_OFF
    )


def _device(
    registry: dr.DeviceRegistry,
    entry: MockConfigEntry,
    identifiers: set[tuple[str, str]],
) -> dr.DeviceEntry | None:
    (identifier,) = identifiers
    return registry.async_get_device_by_identifier(identifier, entry.entry_id)


async def test_poll_interval_option(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Changing the poll interval in the options reloads the entry with it."""
    flow = await hass.config_entries.options.async_init(init_integration.entry_id)
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {CONF_SCAN_INTERVAL: 120}
    )
    await hass.async_block_till_done()
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(seconds=120)

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer, timedelta(seconds=120))
    assert _sent(fake_amazon, before) == STEADY_POLL


async def test_unload_withdraws_the_throttling_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An unloaded entry withdraws its throttling issue."""
    fake_amazon.fail_next(GRAPHQL_THROTTLED, path=GRAPHQL)
    await next_poll(hass, freezer)
    throttled = throttled_issue_id(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, throttled) is not None
    await hass.config_entries.async_unload(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, throttled) is None
    # The Bedroom Echo's issue stays: a reload must not undo an "ignore".
    assert len(issue_registry.issues) == 1


async def test_a_poll_that_only_moved_sample_times_wakes_no_entity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon stamps every online device's sample anew: that alone is no change.

    (The Last seen online sensor follows the stamps on its own: test_sensor.)
    """
    coordinator = init_integration.runtime_data.coordinator
    wakes: list[None] = []
    init_integration.async_on_unload(
        coordinator.async_add_listener(lambda: wakes.append(None))
    )

    fake_amazon.set_online("Kitchen Echo", online=True, at="2026-11-22T02:45:00Z")
    fake_amazon.set_online("Kitchen Plug", online=True, at="2026-11-22T02:45:00Z")
    await next_poll(hass, freezer)
    assert coordinator.last_update_success
    assert coordinator.data.echos["G090XG1234567KIT"].last_seen_online is not None
    assert not wakes

    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T02:50:00Z")
    await next_poll(hass, freezer)
    assert len(wakes) == 1


async def test_a_plug_is_read_again_when_the_household_is_back(
    hass: HomeAssistant,
    pushing: MockConfigEntry,
    fake_amazon: FakeAmazon,
    fake_push: FakePush,
) -> None:
    """Amazon pushes the Echos' return, never a plug's: the end asks at once.

    Otherwise the plug the outage left behind would stay offline until the
    next reconciling poll, half an hour on, and count that as its own.
    """
    coordinator = pushing.runtime_data.coordinator
    echos = {"G090XG1234567KIT": "A4ZXE0RM7LQ7A", "G0B1Q90987654BED": "A15996VY63BQ2D"}

    async def push_household(*, online: bool) -> None:
        at = dt_util.utcnow().isoformat().replace("+00:00", "Z")
        fake_amazon.set_all_online(online=online, at=at)
        for serial, device_type in echos.items():
            fake_push.push(
                push_payloads.connection_change(
                    serial, device_type, CUSTOMER_ID, online=online
                )
            )
        await until(
            hass,
            lambda: all(
                coordinator.data.echos[serial].online is online for serial in echos
            ),
        )

    await push_household(online=True)  # the fixtures' Bedroom Echo Show too
    await push_household(online=False)
    await coordinator.async_refresh()
    assert pushing.runtime_data.availability.household.since is not None
    assert hass.states.get("binary_sensor.kitchen_plug_connectivity").state == STATE_OFF
    await push_household(online=True)
    await settle(hass)
    assert hass.states.get("binary_sensor.kitchen_plug_connectivity").state == STATE_ON


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-22T19:00:00",  # without its time zone
        "0001-01-01T00:00:00+00:00",  # before any Echo was sold
        "9999-12-31T23:59:59+00:00",  # ages ahead of our clock
    ],
    ids=["no_time_zone", "year_1", "year_9999"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_last_seen_stamp_that_cannot_be_placed_is_unknown(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    stamp: str,
) -> None:
    """The poll goes on; the Echo's drop counts from when it was seen offline."""
    fake_amazon.set_online("Kitchen Echo", online=False, at=stamp)
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)

    assert init_integration.runtime_data.coordinator.last_update_success
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF
    assert hass.states.get(KITCHEN_LAST_SEEN).state == STATE_UNKNOWN
    # Not offline for ages: its grace period has only begun.
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, unavailable(init_integration, KITCHEN)
    )
    # Once: the next poll's line is a repeat within the hour.
    unplaced = [r for r in caplog.records if "cannot be placed" in r.getMessage()]
    assert [r.levelno for r in unplaced] == [logging.WARNING, logging.DEBUG]

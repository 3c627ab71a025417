"""Tests of the endpoint queries: ours, and the library's when Amazon refuses ours."""

from __future__ import annotations

import logging
from typing import Any

from aioamazondevices.const import queries as library_queries
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.amazon.device_list import DEVICE_LIST_REFRESH
from custom_components.alexa_care.amazon.endpoint_queries import (
    OPERATION_STATE,
    STATE_READS_PLUG_POWER,
)
from custom_components.alexa_care.amazon.graphql import (
    OPERATION_ENDPOINT_STATES,
    OPERATION_ENDPOINTS,
)
from custom_components.alexa_care.amazon.throttle import FIRST_BACKOFF
from custom_components.alexa_care.const import DOMAIN
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN, SERVICE_TURN_OFF
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .common import next_poll, settle, setup_with_echos
from .fake_amazon import GRAPHQL_PARTIAL, GRAPHQL_THROTTLED, WIFI_DETAILS, FakeAmazon
from .repair_issues import throttled_issue_id

GRAPHQL = "/nexus/v1/graphql"
# Ours: with the descriptions (setup, hourly), and the steady poll's.
OURS = OPERATION_ENDPOINTS
OURS_STEADY = OPERATION_ENDPOINT_STATES
REFUSED = "Amazon refused Alexa Care's endpoint query"
KITCHEN_PLUG = "switch.kitchen_plug_power"
HISTORY_RECORDS = "/alexa-privacy/apd/rah/alexa-history-records-v2"
# Read on schedules of their own, not by the poll.
OWN_SCHEDULE = {HISTORY_RECORDS, WIFI_DETAILS}
# With aioamazondevices 16.3.2 the library's state query asks for no plug power.
PLUG_POWER_ON = STATE_ON if STATE_READS_PLUG_POWER else STATE_UNKNOWN
PLUG_POWER_OFF = STATE_OFF if STATE_READS_PLUG_POWER else STATE_UNKNOWN


def _graphql_sent(fake_amazon: FakeAmazon, since: int = 0) -> list[Any]:
    """The GraphQL bodies sent: one operation, or a batched list of them."""
    return [
        body
        for method, path, body in fake_amazon.requests[since:]
        if (method, path) == ("POST", GRAPHQL)
    ]


def _operations(fake_amazon: FakeAmazon, since: int = 0) -> list[str]:
    return [
        (body[0] if isinstance(body, list) else body)["operationName"]
        for body in _graphql_sent(fake_amazon, since)
    ]


def _refusals_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.levelno == logging.WARNING and REFUSED in record.getMessage()
    ]


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


async def test_refused_query_falls_back_to_the_library_queries(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon refusing ours: the library's two queries read the same devices."""
    fake_amazon.rejects_unknown_queries = True

    await _setup(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    ours, devices, states = _graphql_sent(fake_amazon)[:3]
    assert ours["operationName"] == OURS
    # The very texts the installed library sends, as it sends them.
    assert devices == {
        "operationName": "getDevicesBaseData",
        "query": library_queries.QUERY_DEVICE_DATA,
    }
    [state] = states
    assert state["query"] in {
        getattr(library_queries, name, None)
        for name in ("QUERY_DEVICE_FEATURES", "QUERY_SENSOR_STATE")
    }
    assert set(state["variables"]["endpointIds"]) == {
        endpoint["endpointId"] for endpoint in fake_amazon.endpoints
    }
    # Names from the device query, online state and plug power from the state query.
    assert hass.states.get("binary_sensor.kitchen_echo_connectivity").state == STATE_ON
    assert (
        hass.states.get("binary_sensor.bedroom_echo_show_connectivity").state
        == STATE_OFF
    )
    assert hass.states.get("binary_sensor.kitchen_plug_connectivity").state == STATE_ON
    assert hass.states.get(KITCHEN_PLUG).state == PLUG_POWER_ON

    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: KITCHEN_PLUG}, blocking=True
    )
    power = fake_amazon.endpoint("Kitchen Plug")["features"][1]["properties"][0]
    assert power["powerStateValue"] == "OFF"
    assert hass.states.get(KITCHEN_PLUG).state == STATE_OFF
    await next_poll(hass, freezer)
    assert hass.states.get(KITCHEN_PLUG).state == PLUG_POWER_OFF

    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T03:00:00Z")
    await next_poll(hass, freezer)
    assert hass.states.get("binary_sensor.kitchen_echo_connectivity").state == STATE_OFF


@pytest.mark.parametrize("echos", [1, 50, 500])
async def test_fallback_poll_costs_three_requests_and_warns_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    echos: int,
) -> None:
    """Three requests per poll for 1, 50 or 500 Echos, four with the Echo list.

    One warning in all.
    """
    fake_amazon.rejects_unknown_queries = True
    await setup_with_echos(hass, mock_config_entry, fake_amazon, echos)
    # Each Echo's Connectivity and Microphones.
    assert len(hass.states.async_entity_ids("binary_sensor")) == 2 * echos

    for _ in range(3):
        before = len(fake_amazon.requests)
        await next_poll(hass, freezer)
        sent = [
            (method, path)
            for method, path, _ in fake_amazon.requests[before:]
            if path not in OWN_SCHEDULE
        ]
        assert sent == [
            ("POST", GRAPHQL),
            ("POST", GRAPHQL),
            ("GET", "/api/dnd/device-status-list"),
        ]
        assert not {OURS, OURS_STEADY} & set(_operations(fake_amazon, before))

    # devices-v2 once an hour, as with our query: one request more.
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer, DEVICE_LIST_REFRESH)
    sent = [path for _, path, _ in fake_amazon.requests[before:]]
    assert sorted(path for path in sent if path not in OWN_SCHEDULE) == [
        "/api/devices-v2/device",
        "/api/dnd/device-status-list",
        GRAPHQL,
        GRAPHQL,
    ]

    [warning] = _refusals_logged(caplog)
    assert "Validation error: unknown operation" in warning.getMessage()


async def test_descriptions_are_read_with_the_device_list(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Steady polls ask for names and states; descriptions come hourly or when new."""
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    [steady] = _graphql_sent(fake_amazon, before)
    assert steady["operationName"] == OURS_STEADY
    for field in ("model", "serialNumber", "softwareVersion", "displayCategories"):
        assert field not in steady["query"]
    # What the steady answer leaves out is still known.
    kitchen = device_registry.async_get_device_by_identifier(
        (DOMAIN, "G090XG1234567KIT"), init_integration.entry_id
    )
    assert kitchen is not None
    assert kitchen.model == "Echo Dot"
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer, DEVICE_LIST_REFRESH)
    assert _operations(fake_amazon, before) == [OURS]

    fake_amazon.add_echos(1)
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    assert _operations(fake_amazon, before) == [OURS_STEADY, OURS]
    assert hass.states.get("binary_sensor.echo_0_connectivity").state == STATE_ON


async def test_throttling_is_no_refusal(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A throttled query backs off, and ours is sent again afterwards."""
    fake_amazon.fail_next(GRAPHQL_THROTTLED, path=GRAPHQL)
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    assert _operations(fake_amazon, before) == [OURS_STEADY]
    assert not init_integration.runtime_data.coordinator.last_update_success

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer, FIRST_BACKOFF)
    assert _operations(fake_amazon, before) == [OURS_STEADY]
    assert init_integration.runtime_data.coordinator.last_update_success
    assert not _refusals_logged(caplog)


async def test_reload_tries_our_query_again(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Once Amazon accepts ours again, a reload goes back to one query."""
    fake_amazon.rejects_unknown_queries = True
    await _setup(hass, mock_config_entry)
    assert not {OURS, OURS_STEADY} & set(_operations(fake_amazon, 1))

    fake_amazon.rejects_unknown_queries = False
    before = len(fake_amazon.requests)
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await settle(hass)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert _operations(fake_amazon, before) == [OURS]
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    assert _operations(fake_amazon, before) == [OURS_STEADY]
    assert len(_refusals_logged(caplog)) == 1


async def test_throttled_library_query_backs_off_and_recovers(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The library's state query throttled: the usual back-off; it stays in use."""
    fake_amazon.rejects_unknown_queries = True
    await _setup(hass, mock_config_entry)
    coordinator = mock_config_entry.runtime_data.coordinator
    issue_id = throttled_issue_id(mock_config_entry.entry_id)

    fake_amazon.fail_next(GRAPHQL_THROTTLED, path=GRAPHQL, operation=OPERATION_STATE)
    await next_poll(hass, freezer)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert coordinator.backing_off

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer, FIRST_BACKOFF)
    assert coordinator.last_update_success
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert _operations(fake_amazon, before) == ["getDevicesBaseData", OPERATION_STATE]


async def test_account_without_devices_needs_no_state_query(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """No endpoint to ask the state of: the device query is all there is."""
    fake_amazon.rejects_unknown_queries = True
    fake_amazon.devices.clear()
    fake_amazon.endpoints.clear()
    fake_amazon.dnd.clear()

    await _setup(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert _operations(fake_amazon) == [OURS, "getDevicesBaseData"]


async def test_partial_answer_fails_the_poll_without_falling_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An endpoint list Amazon could not fill is a failed poll, not a refusal."""
    coordinator = init_integration.runtime_data.coordinator
    fake_amazon.fail_next(GRAPHQL_PARTIAL, path=GRAPHQL)
    await next_poll(hass, freezer)
    assert not coordinator.last_update_success
    assert coordinator.last_exception.translation_key == "cannot_retrieve_data"

    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    assert coordinator.last_update_success
    assert _operations(fake_amazon, before) == [OURS_STEADY]
    assert not _refusals_logged(caplog)

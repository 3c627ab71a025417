"""Tests of answers whose devices have keys or names of another kind.

An endpoint id or serial number that is no string, a plug listed under an
Echo's serial number, an Echo name that is no text: each device that cannot
be told apart is left out, and the others are shown as usual.
"""

from __future__ import annotations

import copy
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from .common import KITCHEN, next_poll, set_up
from .fake_amazon import FakeAmazon

GRAPHQL = "/nexus/v1/graphql"
DEVICES_V2 = "/api/devices-v2/device"
KITCHEN_CONNECTIVITY = "binary_sensor.kitchen_echo_connectivity"

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("odd_id", [4, None], ids=["number", "null"])
async def test_an_endpoint_id_of_another_kind_costs_no_extra_reads(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    odd_id: object,
) -> None:
    """Not a device added at every poll: steady polls stay two requests."""
    fake_amazon.endpoint("Hall Light")["endpointId"] = odd_id
    assert await set_up(hass, mock_config_entry)
    await next_poll(hass, freezer)
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    sent = [path for _, path, _ in fake_amazon.requests[before:]]
    assert DEVICES_V2 not in sent, sent
    assert sent.count(GRAPHQL) == 1, sent


async def test_a_plug_under_an_echos_serial_number_breaks_no_entity(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The Echo keeps its key, and its state is still shown."""
    assert await set_up(hass, mock_config_entry)
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON
    plug = copy.deepcopy(fake_amazon.endpoint("Desk Lamp Plug"))
    plug["endpointId"] = KITCHEN
    plug["friendlyNameObject"]["value"]["text"] = "Odd Plug"
    fake_amazon.endpoints.append(plug)
    fake_amazon.set_online("Kitchen Echo", online=False, at="2026-11-22T20:00:00Z")
    await next_poll(hass, freezer)
    await next_poll(hass, freezer)
    assert mock_config_entry.runtime_data.coordinator.last_update_success
    assert _errors(caplog) == []
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_OFF


async def test_an_echo_serial_number_of_another_kind_is_left_out(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Not an Echo whose entities stay unavailable while Amazon says it is online."""
    record = next(d for d in fake_amazon.devices if d["serialNumber"] == KITCHEN)
    record["serialNumber"] = 1234567
    assert await set_up(hass, mock_config_entry)
    await next_poll(hass, freezer)
    assert not [
        state.entity_id
        for state in hass.states.async_all()
        if state.entity_id.startswith("binary_sensor.")
        and state.state == STATE_UNAVAILABLE
    ]


@pytest.mark.parametrize(
    "name", [{"text": "Kitchen"}, ["Kitchen"], 42], ids=["object", "list", "number"]
)
async def test_an_echo_name_of_another_kind_fails_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    name: object,
) -> None:
    """An Echo without an endpoint name and an accountName that is no text."""
    record = next(d for d in fake_amazon.devices if d["serialNumber"] == KITCHEN)
    record["accountName"] = name
    fake_amazon.endpoint("Kitchen Echo")["friendlyNameObject"] = None
    assert await set_up(hass, mock_config_entry)
    await next_poll(hass, freezer)
    assert mock_config_entry.runtime_data.coordinator.last_update_success
    assert _errors(caplog) == []
    assert hass.states.get("binary_sensor.echo_connectivity") is not None

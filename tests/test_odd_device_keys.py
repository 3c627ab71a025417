"""Tests of answers whose devices have keys, names or fields of another kind.

An endpoint id or serial number that is no string, a plug listed under an
Echo's serial number, an Echo name that is no text, a device whose record or
endpoint Amazon sent in another shape: each device that cannot be told apart
or read is left out, and the others are shown as usual.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from devtools.amazon_emulator import payloads
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from .common import BEDROOM, KITCHEN, next_poll, set_up
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


# Devices of another shape: the device is left out, not the whole answer.


def _reachability(fake_amazon: FakeAmazon, name: str) -> dict[str, Any]:
    for feature in fake_amazon.endpoint(name)["features"]:
        for prop in feature["properties"]:
            if prop["name"] == "reachability":
                found: dict[str, Any] = prop
                return found
    raise KeyError(name)


async def _polls_go_on(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The polls succeed, the Kitchen Echo is shown, and a poll is two requests."""
    coordinator = entry.runtime_data.coordinator
    await next_poll(hass, freezer)
    before = len(fake_amazon.requests)
    await next_poll(hass, freezer)
    assert coordinator.last_update_success, coordinator.last_exception
    assert hass.states.get(KITCHEN_CONNECTIVITY).state == STATE_ON
    sent = [path for _, path, _ in fake_amazon.requests[before:]]
    assert DEVICES_V2 not in sent, sent
    assert sent.count(GRAPHQL) == 1, sent


@pytest.mark.parametrize(
    "stamp",
    [1732305900000, "yesterday", ["2026-11-22T02:40:00Z"]],
    ids=["number", "no_date", "list"],
)
async def test_a_sample_time_of_another_kind_on_one_device(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    stamp: object,
) -> None:
    """Read as no stamp at all: the device is shown, its last-seen unknown."""
    assert await set_up(hass, mock_config_entry)
    _reachability(fake_amazon, "Bedroom Echo Show")["timeOfLastChange"] = stamp
    await _polls_go_on(hass, mock_config_entry, fake_amazon, freezer)
    bedroom = mock_config_entry.runtime_data.coordinator.data.echos[BEDROOM]
    assert bedroom.last_seen_online is None


async def test_a_null_endpoint_in_the_list(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """GraphQL puts null where it could not fill an item of a list."""
    assert await set_up(hass, mock_config_entry)
    answer = payloads.endpoints_answer

    def with_a_null(operation: str, endpoints: list[Any]) -> dict[str, Any]:
        found: dict[str, Any] = answer(operation, endpoints)
        found["data"]["listEndpoints"]["endpoints"].append(None)
        return found

    monkeypatch.setattr(payloads, "endpoints_answer", with_a_null)
    await _polls_go_on(hass, mock_config_entry, fake_amazon, freezer)


@pytest.mark.parametrize(
    "odd",
    [
        {"features": [None]},
        {"features": "power"},
        {"displayCategories": [{"value": "LIGHT"}]},
        {"model": ["Echo Show 8"]},
        {"legacyAppliance": "an appliance"},
    ],
    ids=["null_feature", "features_text", "categories_list", "model_list", "appliance"],
)
async def test_an_endpoint_with_a_field_of_another_kind(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    odd: dict[str, Any],
) -> None:
    """A new endpoint (the descriptions are read again) with one odd field."""
    assert await set_up(hass, mock_config_entry)
    light = copy.deepcopy(fake_amazon.endpoint("Hall Light"))
    light["endpointId"] = "amzn1.alexa.endpoint.ODD"
    light |= odd
    fake_amazon.endpoints.append(light)
    await _polls_go_on(hass, mock_config_entry, fake_amazon, freezer)


@pytest.mark.parametrize("field", ["deviceType", "online"])
async def test_an_echo_record_lacking_a_field_is_left_out(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    field: str,
) -> None:
    """An Echo only devices-v2 lists, its record lacking what makes an Echo."""
    assert await set_up(hass, mock_config_entry)
    record = next(d for d in fake_amazon.devices if d["serialNumber"] == BEDROOM)
    del record[field]
    fake_amazon.endpoints.remove(fake_amazon.endpoint("Bedroom Echo Show"))
    await _polls_go_on(hass, mock_config_entry, fake_amazon, freezer)
    coordinator = mock_config_entry.runtime_data.coordinator
    assert BEDROOM not in coordinator.data.echos


@pytest.mark.parametrize(
    "odd", ["G0B1Q90987654BED", ["x"], 7, None], ids=["text", "list", "number", "null"]
)
async def test_an_echo_record_that_is_no_object_is_left_out(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    odd: object,
) -> None:
    """Devices-v2 lists something that is no record among the Echos."""
    assert await set_up(hass, mock_config_entry)
    fake_amazon.devices.append(odd)  # type: ignore[arg-type]
    # A device removed: the Echo list is read again.
    fake_amazon.endpoints.remove(fake_amazon.endpoint("Hall Light"))
    await _polls_go_on(hass, mock_config_entry, fake_amazon, freezer)

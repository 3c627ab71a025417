"""Tests of the do-not-disturb and plug power switches."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL
from homeassistant.components.switch import (
    DOMAIN as SWITCH_DOMAIN,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .common import next_poll, settle
from .fake_amazon import EXPIRED_LOGIN, THROTTLED, TIMEOUT, FakeAmazon

KITCHEN_DND = "switch.kitchen_echo_do_not_disturb"
BEDROOM_DND = "switch.bedroom_echo_show_do_not_disturb"
KITCHEN_PLUG = "switch.kitchen_plug_power"
DESK_PLUG = "switch.desk_lamp_plug_power"


@pytest.fixture
def platforms() -> list[str]:
    """Only the switch platform."""
    return [Platform.SWITCH]


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Echos have do not disturb; plugs (not lights) have power."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_do_not_disturb(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Turning do not disturb on tells Amazon, and the next poll agrees."""
    assert hass.states.get(KITCHEN_DND).state == STATE_OFF
    assert hass.states.get(BEDROOM_DND).state == STATE_ON

    await _switch(hass, SERVICE_TURN_ON, KITCHEN_DND)

    assert fake_amazon.requests[-1] == (
        "PUT",
        "/api/dnd/status",
        {
            "deviceSerialNumber": "G090XG1234567KIT",
            "deviceType": "A4ZXE0RM7LQ7A",
            "enabled": True,
        },
    )
    assert hass.states.get(KITCHEN_DND).state == STATE_ON
    await next_poll(hass, freezer)
    assert hass.states.get(KITCHEN_DND).state == STATE_ON

    await _switch(hass, SERVICE_TURN_OFF, BEDROOM_DND)
    assert hass.states.get(BEDROOM_DND).state == STATE_OFF


async def test_plug_power(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plugs switch through Amazon's power feature; the state is read back."""
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON
    assert hass.states.get(DESK_PLUG).state == STATE_OFF

    await _switch(hass, SERVICE_TURN_OFF, KITCHEN_PLUG)

    method, path, body = fake_amazon.requests[-1]
    assert (method, path) == ("POST", "/nexus/v1/graphql")
    assert body["variables"]["setEndpointFeaturesInput"] == {
        "featureControlRequests": [
            {
                "endpointId": "amzn1.alexa.endpoint.FAKE0000000000000000000000000003",
                "featureName": "power",
                "featureOperationName": "turnOff",
            }
        ]
    }
    assert hass.states.get(KITCHEN_PLUG).state == STATE_OFF

    # Someone switches it back on in the Alexa app: the next poll shows it.
    await _switch(hass, SERVICE_TURN_ON, DESK_PLUG)
    fake_amazon.endpoint("Kitchen Plug")["features"][1]["properties"][0][
        "powerStateValue"
    ] = "ON"
    await next_poll(hass, freezer)
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON
    assert hass.states.get(DESK_PLUG).state == STATE_ON


@pytest.mark.parametrize(
    ("failure", "count", "translation_key"),
    [
        (TIMEOUT, 1, "action_cannot_connect"),
        (THROTTLED, 3, "action_throttled"),
    ],
)
async def test_failure_is_translated_and_changes_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    failure: str,
    count: int,
    translation_key: str,
) -> None:
    """A switch Amazon did not change says why, and keeps its state."""
    fake_amazon.fail_next(failure, count)
    with pytest.raises(HomeAssistantError) as raised:
        await _switch(hass, SERVICE_TURN_OFF, KITCHEN_PLUG)
    assert raised.value.translation_key == translation_key
    assert raised.value.translation_placeholders["device"] == "Kitchen Plug"
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON


async def test_plug_refusing_the_command(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Amazon answering with a feature error is a failure, not a success."""
    endpoint = fake_amazon.endpoint("Kitchen Plug")
    endpoint["endpointId"] = "amzn1.alexa.endpoint.MOVED"
    with pytest.raises(HomeAssistantError) as raised:
        await _switch(hass, SERVICE_TURN_OFF, KITCHEN_PLUG)
    assert raised.value.translation_key == "action_failed"
    assert hass.states.get(KITCHEN_PLUG).state == STATE_ON


async def test_expired_login_during_a_switch_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """An expired login met while switching asks the user to sign in again."""
    fake_amazon.fail_next(EXPIRED_LOGIN)
    with pytest.raises(HomeAssistantError) as raised:
        await _switch(hass, SERVICE_TURN_ON, KITCHEN_DND)
    assert raised.value.translation_key == "action_invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_a_switch_turned_does_not_put_off_the_next_poll(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Switched a minute before the poll: the poll comes at its time, not later.

    A household switching often would otherwise put the poll off for ever.
    """
    freezer.tick(DEFAULT_SCAN_INTERVAL - timedelta(minutes=1))
    async_fire_time_changed(hass)
    await settle(hass)
    await _switch(hass, SERVICE_TURN_ON, KITCHEN_DND)
    sent = len(fake_amazon.requests)

    await next_poll(hass, freezer, timedelta(minutes=1, seconds=1))

    assert ("GET", "/api/dnd/device-status-list") in [
        request[:2] for request in fake_amazon.requests[sent:]
    ]

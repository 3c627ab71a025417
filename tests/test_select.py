"""Tests of the "Powered by" select."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .common import add_plug
from .fake_amazon import FakeAmazon

KITCHEN = "select.kitchen_echo_powered_by"
KITCHEN_ECHO = "G090XG1234567KIT"
PLUG_3 = "amzn1.alexa.endpoint.FAKE0000000000000000000000000003"
PLUG_4 = "amzn1.alexa.endpoint.FAKE0000000000000000000000000004"


@pytest.fixture
def platforms() -> list[str]:
    """Only the select platform."""
    return [Platform.SELECT]


async def _select(hass: HomeAssistant, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: KITCHEN, ATTR_OPTION: option},
        blocking=True,
    )


async def test_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every Echo can be linked to one of the account's plugs, or none."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_link_survives_a_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """The chosen plug is stored, and is there again after a reload."""
    await _select(hass, "Kitchen Plug")
    assert hass.states.get(KITCHEN).state == "Kitchen Plug"

    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(KITCHEN).state == "Kitchen Plug"

    await _select(hass, "none")
    assert hass.states.get(KITCHEN).state == "none"


async def test_plugs_with_the_same_name(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Two plugs of one name stay apart; a linked plug leaving shows unknown."""
    fake_amazon.endpoint("Desk Lamp Plug")["friendlyNameObject"]["value"]["text"] = (
        "Kitchen Plug"
    )
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    options = hass.states.get(KITCHEN).attributes["options"]
    assert options == ["none", "Kitchen Plug (0003)", "Kitchen Plug (0004)"]

    await _select(hass, "Kitchen Plug (0004)")
    fake_amazon.remove("Kitchen Plug")  # the first of the two
    fake_amazon.remove("Kitchen Plug")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(KITCHEN).state == "unknown"


async def test_every_plug_can_be_chosen_and_none_means_none(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Plugs named "Lamp", "Lamp", "Lamp (0004)", "None": each a choice of its own."""
    plug_7 = add_plug(fake_amazon, "Lamp (0004)", 7)
    plug_8 = add_plug(fake_amazon, "None", 8)
    for name in ("Kitchen Plug", "Desk Lamp Plug"):
        fake_amazon.endpoint(name)["friendlyNameObject"]["value"]["text"] = "Lamp"
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()

    options = hass.states.get(KITCHEN).attributes["options"]
    assert options == [
        "none",
        "Lamp (0003)",
        "Lamp (00000004)",
        "Lamp (0004)",
        "None (0008)",
    ]
    links = init_integration.runtime_data.power_links
    for option, plug in zip(
        options, [None, PLUG_3, PLUG_4, plug_7, plug_8], strict=True
    ):
        await _select(hass, option)
        assert links.plug_of(KITCHEN_ECHO) == plug, option
        assert hass.states.get(KITCHEN).state == option

"""Tests of serving the dashboard strategy (frontend/__init__.py).

What the strategy generates is tested with node (tests_js/), the dashboard
in a browser by tests_e2e.
"""

from __future__ import annotations

from http import HTTPStatus

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.frontend import STRATEGY_FILE, STRATEGY_URL
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .common import settle
from .fake_amazon import FakeAmazon


async def test_the_frontend_loads_the_strategy(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_client: ClientSessionGenerator,
) -> None:
    """Loading the integration serves the module and has every frontend load it."""
    assert await async_setup_component(hass, "frontend", {})
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)

    urls = [url for url in hass.data[DATA_EXTRA_MODULE_URL].urls if DOMAIN in url]
    assert len(urls) == 1
    assert urls[0].startswith(f"{STRATEGY_URL}?v=")
    client = await hass_client()
    response = await client.get(urls[0])
    assert response.status == HTTPStatus.OK
    text = await response.text()
    assert text == STRATEGY_FILE.read_text()
    assert "customElements.define(\n      tag," in text
    assert '"ll-strategy-dashboard-alexa-care"' in text


async def test_no_frontend_nothing_served(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A Home Assistant without the frontend has no dashboard: nothing to load."""
    assert "frontend" not in hass.config.components
    assert DATA_EXTRA_MODULE_URL not in hass.data

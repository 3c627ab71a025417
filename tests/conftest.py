"""Fixtures: a config entry and a fake Amazon account at the library boundary."""

from __future__ import annotations

from collections.abc import Generator
import copy
import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from aioamazondevices.structures import AmazonDevice
from homeassistant.const import CONF_EMAIL
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

# Home Assistant's loader looks for custom integrations in the config folder
# it is given first; importing ours here makes it the one that is found.
import custom_components.alexa_care  # noqa: F401
from custom_components.alexa_care.const import CONF_LOGIN_DATA, DOMAIN

FIXTURES = Path(__file__).parent / "fixtures"
TEST_EMAIL = "olivia.carter@example.com"
TEST_PASSWORD = "correct horse battery staple"
TEST_CODE = "417093"


def load_json(name: str) -> Any:  # noqa: ANN401
    """Read a JSON fixture."""
    return json.loads((FIXTURES / name).read_text())


def library_devices(raw_devices: list[dict[str, Any]]) -> dict[str, AmazonDevice]:
    """Build the library's device objects, as get_devices_data returns them."""
    return {
        raw["serial_number"]: AmazonDevice(
            **raw, sensors={}, notifications={}, communication_settings={}
        )
        for raw in raw_devices
    }


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom integrations in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots serialised the Home Assistant way, in tests/snapshots."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def login_data() -> dict[str, Any]:
    """What the library returns after a login (tokens, cookies, customer)."""
    data: dict[str, Any] = load_json("login_data.json")
    return data


@pytest.fixture
def raw_devices() -> list[dict[str, Any]]:
    """The account's devices, field by field as the library builds them."""
    devices: list[dict[str, Any]] = load_json("devices.json")
    return devices


@pytest.fixture
def mock_config_entry(login_data: dict[str, Any]) -> MockConfigEntry:
    """A config entry as the config flow creates it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="o***r@example.com",
        unique_id=login_data["customer_info"]["user_id"],
        data={CONF_EMAIL: TEST_EMAIL, CONF_LOGIN_DATA: copy.deepcopy(login_data)},
    )


@pytest.fixture
def mock_amazon(
    login_data: dict[str, Any], raw_devices: list[dict[str, Any]]
) -> Generator[MagicMock]:
    """The library's client, faked: the one place where Amazon is mocked.

    Yields the client instance; its class is `mock_amazon.library_class`.
    """
    with patch(
        "custom_components.alexa_care.api.AmazonEchoApi", autospec=True
    ) as library_class:
        client = library_class.return_value
        client.library_class = library_class
        client.login = MagicMock()
        client.login.login_mode_interactive = AsyncMock(
            side_effect=lambda _code: copy.deepcopy(login_data)
        )
        client.login.login_mode_stored_data = AsyncMock(
            side_effect=lambda: copy.deepcopy(login_data)
        )
        client.get_devices_data = AsyncMock(
            side_effect=lambda: library_devices(raw_devices)
        )
        yield client


@pytest.fixture
def platforms() -> list[str] | None:
    """Platforms to set up; None sets up all of them."""
    return None


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_amazon: MagicMock,
    platforms: list[str] | None,
) -> MockConfigEntry:
    """Set up Alexa Care with the fake account."""
    mock_config_entry.add_to_hass(hass)
    if platforms is None:
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
    else:
        with patch("custom_components.alexa_care.PLATFORMS", platforms):
            await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry

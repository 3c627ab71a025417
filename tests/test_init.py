"""Tests of setting up and unloading a config entry."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

from aioamazondevices.exceptions import (
    CannotAuthenticate,
    CannotConnect,
    CannotRetrieveData,
    NoOnlineDevicesError,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import CONF_LOGIN_DATA, DOMAIN


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_amazon: MagicMock
) -> None:
    """The entry loads with the stored tokens and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    mock_amazon.login.login_mode_interactive.assert_not_called()
    # Logged in with the stored tokens and no password.
    assert mock_amazon.library_class.call_args.args[2] == ""
    assert (
        mock_amazon.library_class.call_args.kwargs["login_data"]
        == (init_integration.data[CONF_LOGIN_DATA])
    )

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize("failing_call", ["stored_login", "poll"])
async def test_expired_login_starts_reauth(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_amazon: MagicMock,
    failing_call: str,
) -> None:
    """Amazon refusing the stored tokens starts a reauthentication flow."""
    if failing_call == "stored_login":
        mock_amazon.login.login_mode_stored_data.side_effect = CannotAuthenticate(
            "Unauthorized"
        )
    else:
        mock_amazon.get_devices_data.side_effect = CannotAuthenticate("Forbidden")
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id


@pytest.mark.parametrize(
    ("failing_call", "exception", "translation_key"),
    [
        ("stored_login", CannotConnect("Connection error"), "cannot_connect"),
        ("stored_login", CannotRetrieveData("Bad Gateway"), "cannot_retrieve_data"),
        ("poll", CannotConnect("Connection error"), "cannot_connect"),
        ("poll", TimeoutError(), "cannot_connect"),
        ("poll", CannotRetrieveData("Too Many Requests"), "cannot_retrieve_data"),
        ("poll", ValueError("Response with corrupted JSON"), "cannot_retrieve_data"),
        ("poll", NoOnlineDevicesError("No online devices"), "cannot_retrieve_data"),
    ],
)
async def test_amazon_unreachable_retries_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_amazon: MagicMock,
    failing_call: str,
    exception: Exception,
    translation_key: str,
) -> None:
    """Amazon unreachable at setup: retried later, with a translated reason."""
    if failing_call == "stored_login":
        mock_amazon.login.login_mode_stored_data.side_effect = exception
    else:
        mock_amazon.get_devices_data.side_effect = exception
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == translation_key
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_refreshed_tokens_are_stored(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_amazon: MagicMock,
    login_data: dict[str, Any],
) -> None:
    """Tokens the library refreshed are written back into the entry."""
    refreshed = login_data | {"access_token": "Atna|REFRESHED"}
    mock_amazon.login.login_mode_stored_data.side_effect = lambda: dict(refreshed)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.data[CONF_LOGIN_DATA]["access_token"] == "Atna|REFRESHED"


async def test_entry_data_is_not_shared_with_the_library(
    hass: HomeAssistant, init_integration: MockConfigEntry, mock_amazon: MagicMock
) -> None:
    """The library gets a copy of the tokens, never the entry's own dict."""
    given = mock_amazon.library_class.call_args.kwargs["login_data"]
    assert given is not init_integration.data[CONF_LOGIN_DATA]

"""Tests of the config flow: user, reauth and reconfigure."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import aioamazondevices
from aioamazondevices import exceptions as library_exceptions
from aioamazondevices.exceptions import (
    CannotAuthenticate,
    CannotConnect,
    CannotRegisterDevice,
    CannotRetrieveData,
)
from aiohttp import ClientConnectionError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.config_flow import masked_email
from custom_components.alexa_care.const import CONF_LOGIN_DATA, DOMAIN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_CODE, CONF_EMAIL, CONF_PASSWORD, CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import TEST_CODE, TEST_EMAIL, TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("mock_setup_entry")

USER_INPUT = {
    CONF_EMAIL: TEST_EMAIL,
    CONF_PASSWORD: TEST_PASSWORD,
    CONF_CODE: TEST_CODE,
}
LOGIN_FAILURES = [
    (CannotAuthenticate("wrong password"), "invalid_auth"),
    (CannotConnect("Connection error during GET"), "cannot_connect"),
    (ClientConnectionError(), "cannot_connect"),
    (TimeoutError(), "cannot_connect"),
    (CannotRetrieveData("Request failed: Bad Gateway"), "cannot_retrieve_data"),
    (CannotRegisterDevice("Bad Request: invalid code"), "cannot_retrieve_data"),
    # Raised inside the library, it is the library's fault, not the answer's.
    (KeyError("customer_info"), "unknown"),
    (RuntimeError("boom"), "unknown"),
]
# aioamazondevices 17 refuses an account without a country of residence.
if hasattr(library_exceptions, "MissingCountryError"):
    LOGIN_FAILURES.append((library_exceptions.MissingCountryError(), "missing_country"))


async def test_user_flow_creates_entry_without_password(
    hass: HomeAssistant, mock_login: MagicMock, login_data: dict[str, Any]
) -> None:
    """A good login creates an entry that keeps the tokens but not the password."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "o***r@example.com"
    assert result["data"] == {CONF_EMAIL: TEST_EMAIL, CONF_LOGIN_DATA: login_data}
    assert result["result"].unique_id == "amzn1.account.AFAKECUSTOMERID0000000000000"
    assert TEST_PASSWORD not in str(result["data"])
    _session, email, password = mock_login.call_args_list[0].args
    assert (email, password) == (TEST_EMAIL, TEST_PASSWORD)
    mock_login.return_value.login.login_mode_interactive.assert_awaited_once_with(
        TEST_CODE
    )


@pytest.mark.parametrize(("exception", "error"), LOGIN_FAILURES)
async def test_user_flow_error_then_recovery(
    hass: HomeAssistant,
    mock_login: MagicMock,
    exception: Exception,
    error: str,
) -> None:
    """Each login failure shows on the form, and the user can still finish."""
    good_login = mock_login.return_value.login.login_mode_interactive.side_effect
    mock_login.return_value.login.login_mode_interactive.side_effect = exception
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}, data=USER_INPUT
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    mock_login.return_value.login.login_mode_interactive.side_effect = good_login
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "amzn1.account.AFAKECUSTOMERID0000000000000"


async def test_user_flow_login_without_customer_id(
    hass: HomeAssistant, mock_login: MagicMock, login_data: dict[str, Any]
) -> None:
    """A login answer without the customer is an unusable answer."""
    del login_data["customer_info"]
    mock_login.return_value.login.login_mode_interactive.side_effect = lambda _: (
        login_data
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}, data=USER_INPUT
    )
    assert result["errors"] == {"base": "cannot_retrieve_data"}


async def test_user_flow_same_account_twice(
    hass: HomeAssistant, mock_login: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """The same Amazon account cannot be added twice, even with another email."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_USER},
        data=USER_INPUT | {CONF_EMAIL: "olivia@example.org"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_stores_new_tokens(
    hass: HomeAssistant,
    mock_login: MagicMock,
    mock_config_entry: MockConfigEntry,
    login_data: dict[str, Any],
) -> None:
    """Reauthentication logs in with the stored email and keeps the new tokens."""
    mock_config_entry.add_to_hass(hass)
    login_data["access_token"] = "Atna|NEW-ACCESS-TOKEN"
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["email"] == "o***r@example.com"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: TEST_PASSWORD, CONF_CODE: TEST_CODE}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    stored = mock_config_entry.data[CONF_LOGIN_DATA]
    assert stored["access_token"] == "Atna|NEW-ACCESS-TOKEN"
    assert mock_config_entry.data[CONF_EMAIL] == TEST_EMAIL
    assert CONF_PASSWORD not in mock_config_entry.data


@pytest.mark.parametrize(("exception", "error"), LOGIN_FAILURES)
async def test_reauth_error_then_recovery(
    hass: HomeAssistant,
    mock_login: MagicMock,
    mock_config_entry: MockConfigEntry,
    exception: Exception,
    error: str,
) -> None:
    """Reauthentication errors show on the form and can be corrected."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    good_login = mock_login.return_value.login.login_mode_interactive.side_effect
    mock_login.return_value.login.login_mode_interactive.side_effect = exception
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: TEST_PASSWORD, CONF_CODE: TEST_CODE}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    mock_login.return_value.login.login_mode_interactive.side_effect = good_login
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: TEST_PASSWORD, CONF_CODE: TEST_CODE}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_reauth_with_another_account(
    hass: HomeAssistant,
    mock_login: MagicMock,
    mock_config_entry: MockConfigEntry,
    login_data: dict[str, Any],
) -> None:
    """Logging in to another account does not replace this one's tokens."""
    mock_config_entry.add_to_hass(hass)
    login_data["customer_info"]["user_id"] = "amzn1.account.ANOTHERCUSTOMER"
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: TEST_PASSWORD, CONF_CODE: TEST_CODE}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_LOGIN_DATA]["customer_info"]["user_id"] == (
        "amzn1.account.AFAKECUSTOMERID0000000000000"
    )


async def test_reconfigure_with_a_new_email(
    hass: HomeAssistant, mock_login: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """Reconfigure logs in again and may change the email of the same account."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    new_email = "olivia@example.org"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT | {CONF_EMAIL: new_email}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_EMAIL] == new_email
    assert mock_config_entry.title == "o***a@example.org"
    assert mock_login.call_args.args[1] == new_email


@pytest.mark.parametrize(("exception", "error"), LOGIN_FAILURES)
async def test_reconfigure_error_then_recovery(
    hass: HomeAssistant,
    mock_login: MagicMock,
    mock_config_entry: MockConfigEntry,
    exception: Exception,
    error: str,
) -> None:
    """Reconfigure errors show on the form and can be corrected."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    good_login = mock_login.return_value.login.login_mode_interactive.side_effect
    mock_login.return_value.login.login_mode_interactive.side_effect = exception
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    mock_login.return_value.login.login_mode_interactive.side_effect = good_login
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_with_another_account(
    hass: HomeAssistant,
    mock_login: MagicMock,
    mock_config_entry: MockConfigEntry,
    login_data: dict[str, Any],
) -> None:
    """Reconfigure refuses to turn the entry into another account."""
    mock_config_entry.add_to_hass(hass)
    login_data["customer_info"]["user_id"] = "amzn1.account.ANOTHERCUSTOMER"
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT | {CONF_EMAIL: "someone.else@example.com"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_EMAIL] == TEST_EMAIL


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("olivia.carter@example.com", "o***r@example.com"),
        ("ab@example.com", "a***@example.com"),
        ("a@example.com", "a***@example.com"),
    ],
)
def test_masked_email(email: str, masked: str) -> None:
    """Entry titles show the email masked, even a very short one."""
    assert masked_email(email) == masked


async def test_options_poll_interval(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The poll interval and the reset cooldown are options."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 120}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The grace period and the cooldown keep their defaults.
    assert mock_config_entry.options == {
        CONF_SCAN_INTERVAL: 120,
        "grace": 15,
        "cooldown": 10,
    }


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        (CONF_SCAN_INTERVAL, 30, "scan_interval_range"),
        (CONF_SCAN_INTERVAL, 3601, "scan_interval_range"),
        ("grace", 0, "grace_range"),
        ("grace", 1441, "grace_range"),
        ("cooldown", -1, "cooldown_range"),
        ("cooldown", 1441, "cooldown_range"),
    ],
)
async def test_options_out_of_range(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    option: str,
    value: float,
    error: str,
) -> None:
    """A value out of range gets a translated error that gives the range.

    Polling more often than every 60 s would only get the account throttled.
    """
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    # The help texts give every range.
    assert result["description_placeholders"] == {
        "scan_interval_min": "60",
        "scan_interval_max": "3600",
        "grace_min": "1",
        "grace_max": "1440",
        "cooldown_min": "0",
        "cooldown_max": "1440",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {option: value}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {option: error}
    assert not mock_config_entry.options

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {option: 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[option] == 60


async def test_user_flow_aborts_when_the_library_lacks_a_part(
    hass: HomeAssistant, mock_login: MagicMock
) -> None:
    """A library that renamed what we use: the flow says so and sends nothing."""
    mock_login.return_value._sequence_handler = object()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}, data=USER_INPUT
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "library_mismatch"
    assert result["description_placeholders"] == {
        "version": aioamazondevices.__version__,
        "missing": "_sequence_handler._build_operation_node",
        "supported": ">=16.3.2,<18",
    }
    mock_login.return_value.login.login_mode_interactive.assert_not_awaited()

"""Tests that no secret and no transcript reaches a log line, at any level."""

from __future__ import annotations

import copy
import logging
from typing import Any
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.const import DOMAIN, LOGGER
from custom_components.alexa_care.util.log_privacy import (
    MARKER,
    SECRET_FILTER,
    secrets_of,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_CODE, CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr

from .common import KITCHEN, run_while_time_passes, settle
from .conftest import TEST_CODE, TEST_EMAIL, TEST_PASSWORD
from .fake_amazon import CUSTOMER_ID, FakeAmazon
from .fake_sign_in import SECRETS as SIGN_IN_SECRETS, FakeSignIn

# What the voice history fixture says people said and Alexa answered.
TRANSCRIPTS = ("what's the weather", "Right now in Seattle", "set a timer")
# A new sign-in's secrets, which nobody knows before Amazon hands them out.
NEW_LOGIN = {
    "adp_token": "{enc:NEW-ADP}{key:NEW}{iv:NEW}{name:TkVX}{serial:Mg==}",
    "device_private_key": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowNEWPRIVATEKEY\n"
        "-----END RSA PRIVATE KEY-----\n"
    ),
    "access_token": "Atna|NEW-SIGN-IN-ACCESS-TOKEN",
    "refresh_token": "Atnr|NEW-SIGN-IN-REFRESH-TOKEN",
    "website_cookies": {"session-token": "NEWSESSIONTOKENCOOKIE"},
}
REFRESHED_ACCESS_TOKEN = "Atna|FAKE-REFRESHED-ACCESS-TOKEN"


def _signing_in_library(login_data: dict[str, Any]) -> AsyncMock:
    """The library's interactive login, logging as aioamazondevices does."""

    async def login_mode_interactive(_code: str) -> dict[str, Any]:
        library_logger = logging.getLogger("aioamazondevices")
        # As in aioamazondevices' login.py, and its HTTP wrapper's debug lines.
        library_logger.info("Register device: %s", login_data)
        library_logger.debug(
            "Adding to headers: %s",
            {
                "Cookie": "; ".join(
                    f"{k}={v}" for k, v in NEW_LOGIN["website_cookies"].items()
                )
            },
        )
        return copy.deepcopy(login_data)

    return AsyncMock(side_effect=login_mode_interactive)


def _leaks(caplog: pytest.LogCaptureFixture, secrets: set[str]) -> list[str]:
    lines = [
        f"{record.getMessage()}\n{record.exc_text or ''}" for record in caplog.records
    ]
    return sorted({secret for secret in secrets for line in lines if secret in line})


async def test_no_secret_or_transcript_in_any_log_line(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    login_data: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sign in, poll, restart, read and delete voice history, reauth: at DEBUG."""
    caplog.set_level(logging.DEBUG)
    new_login = login_data | NEW_LOGIN
    planted = (
        secrets_of(TEST_EMAIL, login_data)
        | secrets_of(TEST_EMAIL, new_login)
        | {TEST_PASSWORD, REFRESHED_ACCESS_TOKEN, *TRANSCRIPTS}
    )

    # Signing in, with the library's own log lines of Amazon's answer.
    with (
        patch("custom_components.alexa_care.amazon.library.AmazonEchoApi") as library,
        patch("custom_components.alexa_care.async_setup_entry", return_value=True),
    ):
        library.return_value.login.login_mode_interactive = _signing_in_library(
            new_login
        )
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_EMAIL: TEST_EMAIL,
                CONF_PASSWORD: TEST_PASSWORD,
                CONF_CODE: TEST_CODE,
            },
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        with patch(
            "custom_components.alexa_care.async_unload_entry", return_value=True
        ):
            await hass.config_entries.async_remove(result["result"].entry_id)

    # Setup, a poll, a restart, reading and deleting the voice history.
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await settle(hass)
    kitchen = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, KITCHEN), mock_config_entry.entry_id
    )
    assert kitchen is not None
    for action, data in (
        ("restart", {"device_id": kitchen.id}),
        ("get_voice_history", {"config_entry_id": mock_config_entry.entry_id}),
        (
            "delete_voice_history",
            {"device_id": kitchen.id, "scope": "all", "confirm": True},
        ),
    ):
        await run_while_time_passes(
            hass,
            freezer,
            hass.services.async_call(
                DOMAIN, action, data, blocking=True, return_response=True
            ),
        )

    # Reauthentication, signing in again.
    with (
        patch("custom_components.alexa_care.amazon.library.AmazonEchoApi") as library,
        patch("custom_components.alexa_care.async_setup_entry", return_value=True),
    ):
        library.return_value.login.login_mode_interactive = _signing_in_library(
            new_login
        )
        result = await mock_config_entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_PASSWORD: TEST_PASSWORD, CONF_CODE: TEST_CODE}
        )
        await settle(hass)
    assert result["reason"] == "reauth_successful"

    # The library did log what Amazon answered, tokens and all, and the
    # sign-in's register line: all of it redacted.
    assert "Register device" in caplog.text
    assert "alexa-history-records-v2" in caplog.text
    assert MARKER in caplog.text
    assert _leaks(caplog, planted) == []


def test_the_filter_stays_when_the_last_owner_leaves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A request under way when its entry unloaded is logged after: filtered still.

    The owner's own secrets are forgotten; their shapes and field names are
    recognised all the same (the library's line about the csrf header).
    """
    library_logger = logging.getLogger("aioamazondevices")
    SECRET_FILTER.protect("test-owner", {"Atna|OWNED-SECRET"})
    assert SECRET_FILTER.redact("token Atna|OWNED-SECRET") == f"token {MARKER}"
    SECRET_FILTER.release("test-owner")

    assert SECRET_FILTER in library_logger.filters
    csrf = "hK3mQ9vX2pL7wR4tY8nB1cF6jD0sG5aZ"
    with caplog.at_level(logging.DEBUG, logger=library_logger.name):
        library_logger.debug("Adding to headers: %s", {"csrf": csrf})
    assert csrf not in caplog.text
    assert MARKER in caplog.text


def test_a_name_from_amazon_cannot_forge_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A line break in a text argument is written escaped, on the same line."""
    forged = "Kitchen\n2026-12-04 03:30:00 ERROR (MainThread) [homeassistant] forged"
    SECRET_FILTER.protect("test-owner", set())
    try:
        with caplog.at_level(logging.INFO, logger=LOGGER.name):
            LOGGER.info("%s is offline (%d drops, was %r)", forged, 3, "a\nb")
            LOGGER.info("%(name)s is back", {"name": forged})
            LOGGER.info("Failed: %s", ValueError(forged))
    finally:
        SECRET_FILTER.release("test-owner")
    messages = [record.getMessage() for record in caplog.records]
    assert all("\n" not in message for message in messages), messages
    escaped = forged.replace("\n", "\\n")
    assert messages == [
        f"{escaped} is offline (3 drops, was 'a\\nb')",
        f"{escaped} is back",
        f"Failed: {escaped}",
    ]


def test_the_csrf_cookie_amazon_sets_is_redacted() -> None:
    """The library logs the value of the csrf cookie before it is a header."""
    csrf = "gHn3Pq8XkT2vLw9RzB4cYd7FjM1sA6eU0oI5tNbV"
    line = f"CSRF cookie value: <{csrf}> [https://alexa.amazon.com/api/x]"
    assert SECRET_FILTER.redact(line) == (
        f"CSRF cookie value: <{MARKER}> [https://alexa.amazon.com/api/x]"
    )


def test_the_sign_ins_client_id_is_redacted() -> None:
    """The library's OAuth client id is the new device's serial number, in hex.

    It is in the sign-in's URL and its register request, before the serial
    is known to the filter.
    """
    serial_hex = b"3B8F0E2D5C7A49E1B6D4F0A2C8E5B7D9".hex()
    url = f"https://www.amazon.com/ap/signin?openid.oa2.client_id=device:{serial_hex}"
    register = f"POST request: {{'domain': 'Device', 'client_id': '{serial_hex}'}}"
    assert serial_hex not in SECRET_FILTER.redact(f"GET request: {url}")
    assert serial_hex not in SECRET_FILTER.redact(register)


def test_a_field_name_at_a_lines_end_takes_nothing_from_the_next() -> None:
    """The library's "Response for url …/auth/token :" line, then the status."""
    line = "Response for url https://api.amazon.com/auth/token :\nstatus      : 200"
    assert SECRET_FILTER.redact(line) == line


@pytest.mark.parametrize("source", ["user", "reauth", "reconfigure"])
async def test_library_sign_in_lines_carry_no_cookie_or_customer_id(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
    source: str,
) -> None:
    """The library's own sign-in, its DEBUG lines of Amazon's answers redacted.

    Its register line lists the website cookies as Name/Value pairs, and its
    users/me line has the customer id before the sign-in has finished.
    """
    caplog.set_level(logging.DEBUG)
    FakeSignIn().register(aioclient_mock)
    login = {CONF_PASSWORD: TEST_PASSWORD, CONF_CODE: TEST_CODE}
    with (
        patch("custom_components.alexa_care.async_setup_entry", return_value=True),
        patch("custom_components.alexa_care.async_unload_entry", return_value=True),
    ):
        if source == "user":
            result = await hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_USER}
            )
            login[CONF_EMAIL] = TEST_EMAIL
        else:
            mock_config_entry.add_to_hass(hass)
            if source == "reauth":
                result = await mock_config_entry.start_reauth_flow(hass)
            else:
                result = await mock_config_entry.start_reconfigure_flow(hass)
                login[CONF_EMAIL] = TEST_EMAIL
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], login
        )
        await settle(hass)
        assert result.get("reason") in (
            None,
            "reauth_successful",
            "reconfigure_successful",
        )
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_remove(entry.entry_id)

    library_lines = [
        record.getMessage()
        for record in caplog.records
        if record.name == "aioamazondevices"
    ]
    register = next(line for line in library_lines if "JSON 'register'" in line)
    users_me = next(line for line in library_lines if "JSON 'users/me'" in line)
    assert "'Name': 'session-id'" in register
    assert "'countryOfResidence': 'US'" in users_me
    assert _leaks(caplog, {*SIGN_IN_SECRETS, CUSTOMER_ID, TEST_CODE}) == []

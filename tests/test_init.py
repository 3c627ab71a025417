"""Tests of setting up and unloading a config entry."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

import aioamazondevices
from aioamazondevices import exceptions as library_exceptions
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import CONF_LOGIN_DATA, DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .common import next_poll, set_up
from .fake_amazon import (
    EXPIRED_LOGIN,
    GRAPHQL_ERROR,
    GRAPHQL_THROTTLED,
    MALFORMED,
    SERVER_ERROR,
    THROTTLED,
    TIMEOUT,
    FakeAmazon,
)

# The library retries a 429 or 5xx twice before it gives up.
ATTEMPTS = 3


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """The entry loads with the stored tokens in five requests, and unloads.

    Three read the devices; two the voice history (its page, for the token
    its own scripts use, then the records).
    """
    assert init_integration.state is ConfigEntryState.LOADED
    assert [(method, path) for method, path, _ in fake_amazon.requests] == [
        ("POST", "/nexus/v1/graphql"),
        ("GET", "/api/devices-v2/device"),
        ("GET", "/api/dnd/device-status-list"),
        ("GET", "/alexa-privacy/apd/rvh"),
        ("POST", "/alexa-privacy/apd/rah/alexa-history-records-v2"),
    ]

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_no_password_is_given_to_the_library(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Only the stored tokens reach the library; the password is never needed."""
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.alexa_care.amazon.library.AmazonEchoApi", autospec=True
    ) as library_class:
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
    _session, _email, password = library_class.call_args.args
    assert password == ""
    given = library_class.call_args.kwargs["login_data"]
    assert given == mock_config_entry.data[CONF_LOGIN_DATA]
    # A copy: the library refreshes tokens in place, the entry changes only
    # through Home Assistant.
    assert given is not mock_config_entry.data[CONF_LOGIN_DATA]


def _edited(
    entry: MockConfigEntry,
    *,
    data: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """The entry as a hand edit or a damaged file may leave it."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry.entry_id,
        unique_id=entry.unique_id,
        title=entry.title,
        data=entry.data if data is None else data,
        options=options or {},
    )


@pytest.mark.parametrize("login_data", [{}], ids=["no stored login"])
async def test_missing_login_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """An entry without tokens asks the user to sign in again."""
    await _assert_setup_starts_reauth(hass, mock_config_entry)
    assert fake_amazon.requests == []


@pytest.mark.parametrize(
    "login_data",
    [
        "tokens",
        ["tokens"],
        None,
        {"customer_info": "olivia"},
        {"website_cookies": ["x"], "device_info": 7},
    ],
    ids=["text", "list", "null", "customer_info_text", "cookies_list"],
)
async def test_a_stored_login_of_another_shape_starts_reauth(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    caplog: pytest.LogCaptureFixture,
    login_data: object,
) -> None:
    """An entry edited by hand or damaged: sign in again, no traceback."""
    entry = _edited(
        mock_config_entry,
        data={
            CONF_EMAIL: mock_config_entry.data[CONF_EMAIL],
            CONF_LOGIN_DATA: login_data,
        },
    )
    await _assert_setup_starts_reauth(hass, entry)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


async def test_a_stored_email_of_another_kind_asks_to_reconfigure(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Without the email the password form cannot sign in: Reconfigure asks for both."""
    entry = _edited(
        mock_config_entry,
        data={CONF_LOGIN_DATA: mock_config_entry.data[CONF_LOGIN_DATA]},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == "email_unreadable"
    assert fake_amazon.requests == []


async def test_expired_login_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Amazon refusing the stored tokens starts a reauthentication flow."""
    fake_amazon.fail_next(EXPIRED_LOGIN)
    await _assert_setup_starts_reauth(hass, mock_config_entry)


async def _assert_setup_starts_reauth(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == entry.entry_id


@pytest.mark.parametrize(
    ("failure", "count", "translation_key"),
    [
        (TIMEOUT, 1, "cannot_connect"),
        (SERVER_ERROR, ATTEMPTS, "cannot_retrieve_data"),
        (MALFORMED, 1, "cannot_retrieve_data"),
        # Our query refused, then the library's device query that stands in.
        (GRAPHQL_ERROR, 2, "cannot_retrieve_data"),
        (THROTTLED, ATTEMPTS, "throttled"),
        (GRAPHQL_THROTTLED, 1, "throttled"),
    ],
)
async def test_amazon_unreachable_retries_setup(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    failure: str,
    count: int,
    translation_key: str,
) -> None:
    """Amazon failing at setup: retried later, with a translated reason."""
    fake_amazon.fail_next(failure, count)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == translation_key
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_login_data_the_library_completes_is_stored(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """What the library adds to the login (the customer id) is kept."""
    _without_customer_id(hass, mock_config_entry)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert ("GET", "/api/users/me") in [(m, p) for m, p, _ in fake_amazon.requests]
    stored = mock_config_entry.data[CONF_LOGIN_DATA]
    assert stored["account_customer_id"] == "A1FAKECUSTOMER"


async def test_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Echos, plugs and the account are devices; groups, lights, monitors are not."""
    devices = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    assert sorted(
        (d.name, d.model, d.manufacturer, d.serial_number, d.sw_version)
        for d in devices
    ) == [
        (
            "Bedroom Echo Show",
            "Echo Show 8",
            "Amazon",
            "G0B1Q90987654BED",
            "29884356868",
        ),
        ("Desk Lamp Plug", "KP115", "TP-Link Kasa", None, None),
        ("Kitchen Echo", "Echo Dot", "Amazon", "G090XG1234567KIT", "8960323972"),
        ("Kitchen Plug", "Amazon Smart Plug", "Amazon", "G0G0PLUG00000KIT", "305"),
        # The account's own page (a service), named after the masked login.
        ("o***r@example.com", None, "Amazon", None, None),
    ]
    assert {(DOMAIN, "G090XG1234567KIT")} in [d.identifiers for d in devices]


async def test_customer_id_lookup_failing_retries_setup(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """The stored-token login itself can meet an unreachable Amazon."""
    _without_customer_id(hass, mock_config_entry)
    fake_amazon.fail_next(TIMEOUT)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.error_reason_translation_key == "cannot_connect"
    assert [(m, p) for m, p, _ in fake_amazon.requests] == [("GET", "/api/users/me")]


async def test_account_without_country(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """Aioamazondevices 17 refuses an account without a country; 16 does not ask."""
    _without_customer_id(hass, mock_config_entry)
    fake_amazon.country_of_residence = None

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    if hasattr(library_exceptions, "MissingCountryError"):
        # Retrying cannot help: the owner must set the country first.
        assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
        assert mock_config_entry.error_reason_translation_key == "missing_country"
    else:
        assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_library_without_a_part_we_rely_on(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A library release that renamed what we use: a clear error, no request."""
    monkeypatch.delattr(
        "aioamazondevices.http_wrapper.AmazonHttpWrapper.response_to_json"
    )
    monkeypatch.delattr("aioamazondevices.const.http.URI_BEHAVIORS_PREVIEW")
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert mock_config_entry.error_reason_translation_key == "library_mismatch"
    assert mock_config_entry.error_reason_translation_placeholders == {
        "version": aioamazondevices.__version__,
        "missing": "_http_wrapper.response_to_json, const.http.URI_BEHAVIORS_PREVIEW",
        "supported": ">=16.3.2,<18",
    }
    assert fake_amazon.requests == []


async def test_removing_the_entry_deletes_its_power_links(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Nothing the entry kept stays behind when it is deleted."""
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.kitchen_echo_powered_by", "option": "Kitchen Plug"},
        blocking=True,
    )
    key = f"alexa_care.{init_integration.entry_id}.power_links"
    assert hass_storage[key]["data"] == {
        "G090XG1234567KIT": "amzn1.alexa.endpoint.FAKE0000000000000000000000000003"
    }
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


def _without_customer_id(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """An entry whose login the library must complete with Amazon's users/me."""
    login_data = dict(entry.data[CONF_LOGIN_DATA])
    del login_data["account_customer_id"]
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_LOGIN_DATA: login_data}
    )


async def test_refreshed_tokens_are_kept_across_a_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    login_data: dict[str, Any],
) -> None:
    """A token Amazon renewed is written to the entry, and used after a restart."""
    refreshed = "Atna|FAKE-REFRESHED-ACCESS-TOKEN"
    assert login_data["access_token"] != refreshed
    # The voice history read at setup renewed the access token (and, from
    # aioamazondevices 17, so did the sign-in with the stored tokens).
    await next_poll(hass, freezer)

    stored = init_integration.data[CONF_LOGIN_DATA]
    assert stored["access_token"] == refreshed
    assert stored["refresh_token"] == login_data["refresh_token"]

    # Home Assistant restarts: the entry signs in with what it stored.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    account = init_integration.runtime_data.coordinator.account
    assert account.login_data()["access_token"] == refreshed


@pytest.mark.deprecation_expected
@pytest.mark.parametrize("integration_frame_path", ["custom_components/alexa_care"])
@pytest.mark.usefixtures("mock_integration_frame")
async def test_a_deprecated_call_of_ours_fails_the_test(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The suite's guard sees what Home Assistant reports (checked at teardown)."""
    device = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )[0]

    # Deprecated in 2026.10: a device belongs to one config entry.
    assert device.config_entries == {init_integration.entry_id}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({CONF_SCAN_INTERVAL: 0}, {"poll_interval": timedelta(seconds=60)}),
        ({CONF_SCAN_INTERVAL: -30}, {"poll_interval": timedelta(seconds=60)}),
        ({CONF_SCAN_INTERVAL: "60"}, {"poll_interval": timedelta(seconds=300)}),
        ({CONF_SCAN_INTERVAL: None}, {"poll_interval": timedelta(seconds=300)}),
        ({CONF_SCAN_INTERVAL: True}, {"poll_interval": timedelta(seconds=300)}),
        ({CONF_SCAN_INTERVAL: float("nan")}, {"poll_interval": timedelta(seconds=300)}),
        ({"grace": 1e300}, {"grace": timedelta(days=1)}),
        ({"cooldown": [5]}, {"cooldown": timedelta(minutes=10)}),
    ],
)
async def test_stored_options_of_another_kind_or_out_of_range(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    options: dict[str, Any],
    expected: dict[str, timedelta],
) -> None:
    """An entry edited by hand: its default, or the nearest value in range.

    Never a failed setup, and never Amazon polled without a pause.
    """
    entry = _edited(mock_config_entry, options=options)
    assert await set_up(hass, entry)
    assert entry.state is ConfigEntryState.LOADED, entry.reason
    read = entry.runtime_data.options
    assert {name: getattr(read, name) for name in expected} == expected

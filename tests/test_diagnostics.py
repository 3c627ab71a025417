"""Tests of the diagnostics: complete enough to help, and free of secrets."""

from __future__ import annotations

import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.alexa_care.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component

from .common import BEDROOM, KITCHEN, call, device_id, read_network_identities
from .conftest import TEST_EMAIL, TEST_PASSWORD
from .fake_amazon import FakeAmazon
from .repair_issues import unavailable
from .resets import link


async def _download(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: MockConfigEntry,
    device: dr.DeviceEntry | None = None,
) -> dict[str, Any]:
    """The whole file a user downloads: our data, and what Home Assistant adds.

    Home Assistant adds, among others, the id of every issue of the domain.
    """
    assert await async_setup_component(hass, "diagnostics", {})
    url = f"/api/diagnostics/config_entry/{entry.entry_id}"
    if device is not None:
        url += f"/device/{device.id}"
    response = await (await hass_client()).get(url)
    assert response.status == 200
    download: dict[str, Any] = await response.json()
    return download


def _network_identities(fake_amazon: FakeAmazon) -> set[str]:
    """Where the home is: its Wi-Fi network, the Echos' MAC addresses."""
    found: set[str] = set()
    for device in fake_amazon.devices:
        if mac := device["macAddress"]:
            found.update({device["essid"], mac, dr.format_mac(mac)})
    return found


def _secrets(login_data: dict[str, Any], fake_amazon: FakeAmazon) -> set[str]:
    """Every value of the fixtures that must never appear."""
    found: set[str] = {TEST_EMAIL, TEST_PASSWORD, "o***r@example.com"}

    def walk(value: Any) -> None:  # noqa: ANN401
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, str) and len(value) > 6:
            found.add(value)

    for key in ("adp_token", "device_private_key", "access_token", "refresh_token"):
        found.add(login_data[key])
    walk(login_data["website_cookies"])
    walk(login_data["store_authentication_cookie"])
    walk(login_data["customer_info"])
    found.add(login_data["account_customer_id"])
    found.update(device["serialNumber"] for device in fake_amazon.devices)
    found.update(_network_identities(fake_amazon))
    for endpoint in fake_amazon.endpoints:
        found.add(endpoint["endpointId"])
        if appliance := (endpoint.get("legacyAppliance") or {}).get("applianceId"):
            found.add(appliance)
    # What people said to their Echos, and what Alexa answered.
    for record in fake_amazon.history:
        found.update(filter(None, (record["title"], record["subTitle"])))
    return found - {"Amazon", "Olivia", "OK"}


async def test_entry_diagnostics_leak_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    login_data: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """No secret of the fixtures appears anywhere in the output."""
    await read_network_identities(hass, freezer)
    await link(hass, "kitchen_echo", "Kitchen Plug")
    await call(
        hass, "restart", {"device_id": device_id(hass, init_integration, KITCHEN)}
    )
    download = await _download(hass, hass_client, init_integration)
    diagnostics = download["data"]
    text = json.dumps(download)
    leaked = sorted(
        secret for secret in _secrets(login_data, fake_amazon) if secret in text
    )
    assert leaked == []
    # Home Assistant's own list names the issue as we do, by no serial.
    offline_issue = unavailable(init_integration, BEDROOM)
    assert offline_issue in [issue["issue_id"] for issue in download["issues"]]
    assert diagnostics["last_resets"] == {
        "***7KIT": diagnostics["last_resets"]["***7KIT"]
    }
    assert diagnostics["power_links"] == {"***7KIT": "***0003"}
    assert [i["issue_id"] for i in diagnostics["repair_issues"]] == [offline_issue]
    assert diagnostics["voice_history"]["records"] == 7
    assert diagnostics["network_identities"]["***7KIT"] == {
        "read_at": diagnostics["network_identities"]["***7KIT"]["read_at"],
        "has_wifi": True,
        "ssid": "**REDACTED**",
        "mac_address": "**REDACTED**",
    }
    assert diagnostics == snapshot(exclude=props("last_resets", "last_seen_online"))


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    login_data: dict[str, Any],
    snapshot: SnapshotAssertion,
) -> None:
    """One device, masked the same way."""
    await read_network_identities(hass, freezer)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, BEDROOM), init_integration.entry_id
    )
    assert device is not None
    download = await _download(hass, hass_client, init_integration, device)
    diagnostics = download["data"]
    assert diagnostics["device"]["key"] == "***4BED"
    assert diagnostics["network"]["ssid"] == "**REDACTED**"
    # Its own issue only, named by no serial.
    assert [i["issue_id"] for i in diagnostics["repair_issues"]] == [
        unavailable(init_integration, BEDROOM)
    ]
    plug = device_registry.async_get_device_by_identifier(
        (DOMAIN, "amzn1.alexa.endpoint.FAKE0000000000000000000000000003"),
        init_integration.entry_id,
    )
    assert plug is not None
    plug_diagnostics = await get_diagnostics_for_device(
        hass, hass_client, init_integration, plug
    )
    assert plug_diagnostics["network"] is None  # Amazon tells no plug's network
    assert plug_diagnostics["repair_issues"] == []  # the Echo's is not the plug's
    text = json.dumps(download)
    assert [s for s in _secrets(login_data, fake_amazon) if s in text] == []
    assert diagnostics == snapshot


async def test_entry_diagnostics_show_the_library_queries_in_use(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
) -> None:
    """Amazon refused our endpoint query: which queries stand in, and why."""
    fake_amazon.rejects_unknown_queries = True
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert diagnostics["coordinator"]["endpoint_query"] == "library fallback"
    assert (
        diagnostics["coordinator"]["endpoint_query_refused"]
        == "Validation error: unknown operation"
    )

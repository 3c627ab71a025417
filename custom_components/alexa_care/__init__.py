"""Alexa Care: keep a household's Echo devices healthy and private."""

from __future__ import annotations

from pathlib import Path

from homeassistant.const import CONF_EMAIL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .api import AmazonAccount
from .const import CONF_LOGIN_DATA, DOMAIN
from .coordinator import AlexaCareConfigEntry, AlexaCareCoordinator, AlexaCareData

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup_entry(hass: HomeAssistant, entry: AlexaCareConfigEntry) -> bool:
    """Log in with the stored tokens, poll once, then set up the platforms."""
    account = AmazonAccount(
        # A session of our own: the library keeps Amazon's cookies in the
        # session's cookie jar, which must not be shared with anything else.
        async_create_clientsession(hass),
        Path(hass.config.path(DOMAIN)),
        email=entry.data[CONF_EMAIL],
        login_data=entry.data[CONF_LOGIN_DATA],
    )
    coordinator = AlexaCareCoordinator(hass, entry, account)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = AlexaCareData(coordinator=coordinator)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: AlexaCareConfigEntry) -> bool:
    """Unload the platforms and withdraw the entry's repair issues."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        ir.async_delete_issue(
            hass, DOMAIN, entry.runtime_data.coordinator.throttled_issue_id
        )
    return unloaded

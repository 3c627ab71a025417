"""The coordinator: one poll reads the whole account from Amazon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    AccountSnapshot,
    AlexaCareError,
    AmazonAccount,
    AmazonAuthError,
    AmazonConnectionError,
)
from .const import CONF_LOGIN_DATA, DEFAULT_SCAN_INTERVAL, DOMAIN, LOGGER


@dataclass(kw_only=True)
class AlexaCareData:
    """What a loaded config entry holds."""

    coordinator: AlexaCareCoordinator


type AlexaCareConfigEntry = ConfigEntry[AlexaCareData]


def _update_failed(err: AlexaCareError) -> UpdateFailed:
    key = (
        "cannot_connect"
        if isinstance(err, AmazonConnectionError)
        else "cannot_retrieve_data"
    )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )


def _auth_failed(err: AmazonAuthError) -> ConfigEntryAuthFailed:
    return ConfigEntryAuthFailed(
        translation_domain=DOMAIN,
        translation_key="invalid_auth",
        translation_placeholders={"error": str(err)},
    )


class AlexaCareCoordinator(DataUpdateCoordinator[AccountSnapshot]):
    """Polls the Amazon account and keeps the stored tokens current."""

    config_entry: AlexaCareConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AlexaCareConfigEntry,
        account: AmazonAccount,
    ) -> None:
        """Create the coordinator for one Amazon account."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=DEFAULT_SCAN_INTERVAL,
        )
        self.account = account

    @override
    async def _async_setup(self) -> None:
        """Log in with the stored tokens before the first poll."""
        try:
            await self.account.async_login()
        except AmazonAuthError as err:
            raise _auth_failed(err) from err
        except AlexaCareError as err:
            raise _update_failed(err) from err

    @override
    async def _async_update_data(self) -> AccountSnapshot:
        """Read the account; an expired login starts reauthentication."""
        try:
            snapshot = await self.account.async_get_snapshot()
            login_data = await self.account.async_get_login_data()
        except AmazonAuthError as err:
            raise _auth_failed(err) from err
        except AlexaCareError as err:
            raise _update_failed(err) from err
        self._store_login_data(login_data)
        return snapshot

    def _store_login_data(self, login_data: dict[str, object]) -> None:
        # Amazon hands out fresh tokens now and then; keeping them in the entry
        # means a restart does not fall back to tokens that have expired.
        entry = self.config_entry
        if login_data != entry.data[CONF_LOGIN_DATA]:
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_LOGIN_DATA: login_data}
            )

"""The coordinator: one poll reads the whole account from Amazon."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_EMAIL, CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .amazon.client import AmazonAccount
from .amazon.models import (
    AccountSnapshot,
    AlexaCareError,
    AmazonAuthError,
    AmazonConnectionError,
    AmazonMissingCountryError,
    AmazonThrottledError,
    Device,
)
from .availability import AvailabilityIssues
from .const import (
    CONF_GRACE,
    CONF_LOGIN_DATA,
    DEFAULT_GRACE,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    ISSUE_THROTTLED,
    LOGGER,
    MAX_BACKOFF_INTERVAL,
    STALE_DEVICE_GRACE,
)
from .health import DeviceHealth
from .log_privacy import SECRET_FILTER, secrets_of

# What the device registry shows of a device, as Amazon names it.
_REGISTRY_FIELDS = {
    "name": "name",
    "model": "model",
    "manufacturer": "manufacturer",
    "software_version": "sw_version",
}


def _auth_failed(err: AmazonAuthError) -> ConfigEntryAuthFailed:
    return ConfigEntryAuthFailed(
        translation_domain=DOMAIN,
        translation_key="invalid_auth",
        translation_placeholders={"error": str(err)},
    )


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


class AlexaCareCoordinator(DataUpdateCoordinator[AccountSnapshot]):
    """Polls the Amazon account, backs off when throttled, prunes gone devices."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        account: AmazonAccount,
    ) -> None:
        """Create the coordinator for one Amazon account."""
        self.poll_interval = timedelta(
            seconds=entry.options.get(
                CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL.total_seconds()
            )
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=self.poll_interval,
            # A poll that changed nothing wakes no entity.
            always_update=False,
        )
        self.account = account
        self.availability = AvailabilityIssues(
            hass,
            entry.entry_id,
            timedelta(
                minutes=entry.options.get(
                    CONF_GRACE, DEFAULT_GRACE.total_seconds() / 60
                )
            ),
        )
        self.health = DeviceHealth()
        self._missing_since: dict[str, datetime] = {}
        # The devices listed when the registry was last compared with the
        # account: while they stay the same and none is missing, the
        # registry has nothing stale and need not be read again.
        self._listed_at_last_check: set[str] | None = None

    @property
    def throttled_issue_id(self) -> str:
        """The repair issue shown while Amazon throttles this account."""
        return f"{ISSUE_THROTTLED}_{self.config_entry.entry_id}"

    @override
    async def _async_setup(self) -> None:
        """Log in with the stored tokens before the first poll."""
        try:
            await self.account.async_login()
        except AmazonAuthError as err:
            raise _auth_failed(err) from err
        except AmazonMissingCountryError as err:
            # Amazon refuses until the account has a country; retrying
            # cannot help, setting it and reloading does.
            raise ConfigEntryError(
                translation_domain=DOMAIN, translation_key="missing_country"
            ) from err
        except AlexaCareError as err:
            raise _update_failed(err) from err

    @override
    async def _async_update_data(self) -> AccountSnapshot:
        """Read the account; an expired login starts reauthentication."""
        now = dt_util.utcnow()
        try:
            snapshot = await self.account.async_get_snapshot()
        except AmazonAuthError as err:
            raise _auth_failed(err) from err
        except AmazonThrottledError as err:
            raise self._back_off() from err
        except AlexaCareError as err:
            raise _update_failed(err) from err
        self._end_back_off()
        self._store_login_data(self.account.login_data())
        self._remove_stale_devices(snapshot, now)
        if self.data is not None:
            self._rename_devices(self.data, snapshot)
        self.availability.update(snapshot, now)
        self.health.update(snapshot, now)
        return snapshot

    def _back_off(self) -> UpdateFailed:
        interval = min(
            (self.update_interval or self.poll_interval) * 2, MAX_BACKOFF_INTERVAL
        )
        self.update_interval = interval
        minutes = str(round(interval.total_seconds() / 60))
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.throttled_issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_THROTTLED,
            translation_placeholders={"minutes": minutes},
        )
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="throttled",
            translation_placeholders={"minutes": minutes},
        )

    def _end_back_off(self) -> None:
        if self.update_interval != self.poll_interval:
            LOGGER.info("Amazon no longer throttles the account; polling as usual")
            self.update_interval = self.poll_interval
        ir.async_delete_issue(self.hass, DOMAIN, self.throttled_issue_id)

    def _store_login_data(self, login_data: dict[str, object]) -> None:
        # Amazon hands out fresh tokens now and then; keeping them in the entry
        # means a restart does not fall back to tokens that have expired.
        entry = self.config_entry
        if login_data != entry.data[CONF_LOGIN_DATA]:
            SECRET_FILTER.protect(
                entry.entry_id, secrets_of(entry.data[CONF_EMAIL], login_data)
            )
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_LOGIN_DATA: login_data}
            )

    def _remove_stale_devices(self, snapshot: AccountSnapshot, now: datetime) -> None:
        """Remove devices the account has not listed for STALE_DEVICE_GRACE."""
        present = snapshot.devices
        if not self._missing_since and set(present) == self._listed_at_last_check:
            return
        self._listed_at_last_check = set(present)
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            key = next(
                (value for domain, value in device.identifiers if domain == DOMAIN),
                None,
            )
            if key is None or key in present:
                self._missing_since.pop(key or "", None)
                continue
            missing_since = self._missing_since.setdefault(key, now)
            if now - missing_since >= STALE_DEVICE_GRACE:
                LOGGER.info("Removing %s: gone from the Amazon account", device.name)
                registry.async_remove_device(device.id)
                del self._missing_since[key]
                self.availability.forget(key)

    def _rename_devices(self, before: AccountSnapshot, now: AccountSnapshot) -> None:
        """Show a new name, model or firmware in the device registry at once."""
        registry = dr.async_get(self.hass)
        for key, device in now.devices.items():
            old: Device | None = before.devices.get(key)
            if old is None or old == device:
                continue
            changes: dict[str, Any] = {
                registry_field: getattr(device, field)
                for field, registry_field in _REGISTRY_FIELDS.items()
                if getattr(device, field) != getattr(old, field)
            }
            if changes and (
                entry := registry.async_get_device_by_identifier(
                    (DOMAIN, key), self.config_entry.entry_id
                )
            ):
                registry.async_update_device(entry.id, **changes)

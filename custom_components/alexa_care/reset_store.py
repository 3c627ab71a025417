"""What resets must not forget in a crash: plugs left off, and cooldowns.

A plug may feed the router or the machine Home Assistant runs on: when Home
Assistant dies while a power cycle has a plug off, the next start must know to
switch it on. The plug is recorded before the "off" request and forgotten only
once Amazon has confirmed "on". Cooldowns are kept for the same reason: an
automation that fires at startup must not reboot an Echo in a loop across
restarts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .amazon.models import SmartPlug
from .const import DOMAIN

STORAGE_VERSION = 1


class LeftOff(TypedDict):
    """A plug a power cycle switched off: its name, and when it is due on."""

    name: str
    on_by: str


class StoredResets(TypedDict):
    """The file's content."""

    switched_off: dict[str, LeftOff]
    last_resets: dict[str, str]


class ResetStore:
    """The plugs of one config entry that a power cycle switched off."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store of one config entry."""
        self._store: Store[StoredResets] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.resets"
        )
        self._switched_off: dict[str, LeftOff] = {}
        # Device key → start of its last reset; Resets changes it in place.
        self.last_resets: dict[str, datetime] = {}

    async def async_load(self) -> None:
        """Read what a previous run left."""
        stored = await self._store.async_load()
        if stored is None:
            return
        self._switched_off = dict(stored["switched_off"])
        self.last_resets = {
            key: moment
            for key, text in stored.get("last_resets", {}).items()
            if (moment := dt_util.parse_datetime(text)) is not None
        }

    @property
    def switched_off(self) -> dict[str, LeftOff]:
        """Plug key → the plug switched off and not yet confirmed on."""
        return dict(self._switched_off)

    async def async_switched_off(self, plug: SmartPlug, on_by: datetime) -> None:
        """Record the plug before it is switched off."""
        self._switched_off[plug.key] = LeftOff(
            name=plug.name, on_by=dt_util.as_utc(on_by).isoformat()
        )
        await self.async_save()

    async def async_switched_on(self, plug_key: str) -> None:
        """Forget the plug: Amazon confirmed it is on, or never switched it off."""
        if self._switched_off.pop(plug_key, None) is not None:
            await self.async_save()

    async def async_save(self) -> None:
        """Write now: a request that cannot be undone is about to be sent."""
        await self._store.async_save(self._data())

    def save_soon(self) -> None:
        """Write shortly: a cooldown was given back, nothing was sent."""
        self._store.async_delay_save(self._data)

    def _data(self) -> StoredResets:
        return StoredResets(
            switched_off=self._switched_off,
            last_resets={
                key: moment.isoformat() for key, moment in self.last_resets.items()
            },
        )

    async def async_remove(self) -> None:
        """Delete the file when the config entry is removed."""
        await self._store.async_remove()

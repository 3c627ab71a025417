"""What resets must not forget in a crash: plugs left off, and cooldowns.

A plug may feed the router or the machine Home Assistant runs on: when Home
Assistant dies while a power cycle has a plug off, the next start must know to
switch it on. The plug is recorded before the "off" request and forgotten only
once Amazon has confirmed "on".
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


class ResetStore:
    """The plugs of one config entry that a power cycle switched off."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store of one config entry."""
        self._store: Store[StoredResets] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.resets"
        )
        self._switched_off: dict[str, LeftOff] = {}

    async def async_load(self) -> None:
        """Read what a previous run left."""
        stored = await self._store.async_load()
        self._switched_off = dict(stored["switched_off"]) if stored else {}

    @property
    def switched_off(self) -> dict[str, LeftOff]:
        """Plug key → the plug switched off and not yet confirmed on."""
        return dict(self._switched_off)

    async def async_switched_off(self, plug: SmartPlug, on_by: datetime) -> None:
        """Record the plug before it is switched off."""
        self._switched_off[plug.key] = LeftOff(
            name=plug.name, on_by=dt_util.as_utc(on_by).isoformat()
        )
        await self._save()

    async def async_switched_on(self, plug_key: str) -> None:
        """Forget the plug: Amazon confirmed it is on, or never switched it off."""
        if self._switched_off.pop(plug_key, None) is not None:
            await self._save()

    async def _save(self) -> None:
        await self._store.async_save(StoredResets(switched_off=self._switched_off))

    async def async_remove(self) -> None:
        """Delete the file when the config entry is removed."""
        await self._store.async_remove()

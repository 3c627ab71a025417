"""What resets must not forget in a crash: plugs left off, and cooldowns.

A plug may feed the router or the machine Home Assistant runs on: when Home
Assistant dies while a power cycle has a plug off, the next start must know to
switch it on. The plug is recorded before the "off" request and forgotten only
once Amazon has confirmed "on". Cooldowns are kept for the same reason: an
automation that fires at startup must not reboot an Echo in a loop across
restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..amazon.models import SmartPlug
from ..const import DOMAIN
from ..util.storage import LenientStore, Parsed, mapping, moment

STORAGE_VERSION = 1
# 1.2: last_resets is always there (1.1 files written before cooldowns were
# kept lack it).
STORAGE_MINOR_VERSION = 2


# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:

    class LeftOff(TypedDict):
        """A plug a power cycle switched off: its name, and when it is due on."""

        name: str
        on_by: str

    class StoredResets(TypedDict):
        """The file's content."""

        switched_off: dict[str, LeftOff]
        last_resets: dict[str, str]


def _migrate(major: int, minor: object, data: Any) -> Any:  # noqa: ANN401
    # Before minor version 2 the file kept no cooldowns. A minor version of
    # another kind must not cost the plugs left off: their record is read.
    if major == 1 and isinstance(data, dict):
        return {"last_resets": {}} | data
    return data


def _parse(stored: Any, plugs: Mapping[str, SmartPlug]) -> Parsed[StoredResets]:  # noqa: ANN401
    """Keep every plug that can be told apart: its key is enough to switch it on."""
    left_out: list[str] = []
    if stored is None:
        return {"switched_off": {}, "last_resets": {}}, left_out
    stored = mapping(stored, "the file", left_out)
    switched_off: dict[str, LeftOff] = {}
    records = mapping(
        stored.get("switched_off"), "switched_off", left_out, required=True
    )
    for key, record in records.items():
        left = mapping(record, f"plug {key!r}", left_out)
        if not isinstance(name := left.get("name"), str) or not name:
            if key not in plugs:
                left_out.append(f"plug {key!r}, without a name and not on the account")
                continue
            left_out.append(f"the name of plug {key!r} (the account's is used)")
            name = plugs[key].name
        if (on_by := moment(left.get("on_by"))) is None:
            left_out.append(f"when plug {key!r} was due on (now is used)")
            on_by = dt_util.utcnow()
        switched_off[key] = {"name": name, "on_by": on_by.isoformat()}
    last_resets: dict[str, str] = {}
    resets = mapping(stored.get("last_resets"), "last_resets", left_out, required=True)
    now = dt_util.utcnow()
    for key, text in resets.items():
        # A reset ahead of our clock: the file's clock ran ahead, or ours is
        # behind (a board without a clock of its own, at boot). Its cooldown
        # runs once more from now, neither forgotten nor kept for ever.
        if (started := moment(text, latest=now)) is None:
            left_out.append(f"the last reset of {key!r}")
        else:
            last_resets[key] = started.isoformat()
    return {"switched_off": switched_off, "last_resets": last_resets}, left_out


class Cooldowns:
    """When each device's last reset started: the one owner of the cooldowns.

    A reset starts its devices' cooldowns just before its request is sent
    (written to disk, so a second call is refused even after a crash), then
    keeps them once the request went out, or gives them back when nothing
    was sent: each device's cooldown is then what it was before.
    """

    def __init__(self) -> None:
        """Start with no reset known."""
        self._started: dict[str, datetime] = {}
        # What each reservation replaced, until it is kept or given back.
        self._before: dict[str, datetime | None] = {}

    def last_reset(self, device_key: str) -> datetime | None:
        """When the device's last reset started, if one is known."""
        return self._started.get(device_key)

    def last_resets(self) -> dict[str, datetime]:
        """Device key → start of its last reset."""
        return dict(self._started)

    def set_back(self, device_key: str, now: datetime) -> None:
        """The clock went back past the device's last reset: it started `now`."""
        self._started[device_key] = now

    def reserve(self, device_keys: Iterable[str], now: datetime) -> None:
        """Start the devices' cooldowns now, until kept or given back."""
        # Once per device: a plug power-cycled is its own plug, and a second
        # pass would take its own "now" for what the cooldown was before.
        for key in dict.fromkeys(device_keys):
            self._before[key] = self._started.get(key)
            self._started[key] = now

    def keep(self, *device_keys: str) -> None:
        """A request went out: the cooldowns started by the reservation stay."""
        for key in device_keys:
            self._before.pop(key, None)

    def give_back(self, *device_keys: str) -> bool:
        """Nothing was sent: each device's cooldown is what it was before.

        Returns whether one was given back (and the file is to be written).
        """
        given_back = False
        for key in device_keys:
            if key not in self._before:
                continue
            given_back = True
            if (before := self._before.pop(key)) is None:
                self._started.pop(key, None)
            else:
                self._started[key] = before
        return given_back

    def restore(self, started: Mapping[str, datetime]) -> None:
        """Take up the cooldowns a previous run left on disk."""
        self._started = dict(started)
        self._before = {}


class ResetStore:
    """The plugs of one config entry that a power cycle switched off, and cooldowns."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store of one config entry."""
        self._store: LenientStore[StoredResets] = LenientStore(
            hass,
            f"{DOMAIN}.{entry_id}.resets",
            version=STORAGE_VERSION,
            minor_version=STORAGE_MINOR_VERSION,
            migrate=_migrate,
        )
        self._switched_off: dict[str, LeftOff] = {}
        # Kept here: a restart of Home Assistant keeps the cooldowns.
        self.cooldowns = Cooldowns()

    async def async_load(self, plugs: Mapping[str, SmartPlug]) -> None:
        """Read what a previous run left; `plugs` are the account's, by key."""
        stored = await self._store.async_load_leniently(
            lambda data: _parse(data, plugs)
        )
        self._switched_off = dict(stored["switched_off"])
        self.cooldowns.restore(
            {
                key: started
                for key, text in stored["last_resets"].items()
                if (started := dt_util.parse_datetime(text)) is not None
            }
        )

    @property
    def switched_off(self) -> dict[str, LeftOff]:
        """Plug key → the plug switched off and not yet confirmed on."""
        return dict(self._switched_off)

    async def async_switched_off(self, plug: SmartPlug, on_by: datetime) -> None:
        """Record the plug before it is switched off."""
        self._switched_off[plug.key] = {
            "name": plug.name,
            "on_by": dt_util.as_utc(on_by).isoformat(),
        }
        await self.async_save()

    async def async_switched_on(self, plug_key: str) -> None:
        """Forget the plug: Amazon confirmed it is on, or never switched it off."""
        await self.async_forget(plug_key)

    async def async_forget(self, device_key: str) -> None:
        """Forget a plug left off: it is on again, or no longer on the account."""
        if self._switched_off.pop(device_key, None) is not None:
            await self.async_save()

    async def async_save(self) -> None:
        """Write now: a request that cannot be undone is about to be sent."""
        await self._store.async_save(self._data())

    def save_soon(self) -> None:
        """Write shortly: a cooldown was given back, nothing was sent."""
        self._store.async_delay_save(self._data)

    def _data(self) -> StoredResets:
        return {
            "switched_off": self._switched_off,
            "last_resets": {
                key: moment.isoformat()
                for key, moment in self.cooldowns.last_resets().items()
            },
        }

    async def async_remove(self) -> None:
        """Delete the file when the config entry is removed."""
        await self._store.async_remove()

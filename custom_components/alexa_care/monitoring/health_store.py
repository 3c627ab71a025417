"""What a restart of Home Assistant must not forget of the devices' health.

One file per config entry (`alexa_care.<entry>.health`), as of a moment
(when Home Assistant last looked): today's counts of every device and of the
household (health.py, household_health.py), which devices are offline since
when and their recent drops (availability.py), and the household outage
under way (outage.py). It is read at setup, before the first poll, which
reconciles the time Home Assistant was away from Amazon's stamps. A file
from before midnight gives the first poll a day to close, not counts.

Written sparingly: when something in it changed, SAVE_DELAY later (a burst
of pushed drops is one write; a poll that changed nothing writes nothing),
and once more when the entry unloads or Home Assistant stops if a device is
offline, so that the file says until when it was. Nothing here guards a
risky request: a crash loses at most what changed in the last SAVE_DELAY,
which Amazon's stamps mostly tell again at the first poll.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
import math
from typing import TYPE_CHECKING, Any, TypedDict

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..util.local_time import local_midnight
from ..util.storage import LenientStore, Parsed, mapping, moment
from .availability import AvailabilityIssues
from .health import DeviceHealth

STORAGE_VERSION = 1
# 1.2: the household outage keeps its baseline (1.1's is made up when read).
STORAGE_MINOR_VERSION = 2
SAVE_DELAY = timedelta(seconds=30)

# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:
    from .availability import StoredOutages
    from .health import StoredDevice
    from .household_health import StoredHousehold
    from .outage import StoredOutage

    class StoredHealth(TypedDict):
        """The file's content."""

        # The local day counted, and the moment it was as of; None: no file.
        day: str | None
        as_of: str | None
        devices: dict[str, StoredDevice]
        online: list[str]
        household: StoredHousehold
        availability: dict[str, StoredOutages]
        outage: StoredOutage | None


def _empty() -> StoredHealth:
    return {
        "day": None,
        "as_of": None,
        "devices": {},
        "online": [],
        "household": {"outages": 0, "outage_seconds": 0.0, "since": None},
        "availability": {},
        "outage": None,
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _within(value: float, limit: float) -> float:
    # A count from a file: nothing below zero, nothing more than the day
    # has room for (a drop-off or an outage takes at least a second).
    return min(max(value, 0.0), limit)


def _time(record: dict[str, Any], name: str, bad: list[bool]) -> str | None:
    """An optional moment of a record; `bad` notes one that is not a moment."""
    if (value := record.get(name)) is None:
        return None
    if (when := moment(value)) is None:
        bad.append(True)
        return None
    return when.isoformat()


def _device(key: str, value: object, limit: float) -> StoredDevice | None:
    record = value if isinstance(value, dict) else {}
    bad: list[bool] = []
    times = {
        name: _time(record, name, bad) for name in ("offline_since", "held", "left")
    }
    drops, seconds = (
        _number(record.get("drop_offs")),
        _number(record.get("offline_seconds")),
    )
    online = record.get("online")
    if bad or drops is None or seconds is None or not isinstance(online, bool):
        return None
    return {
        "online": online,
        "offline_since": times["offline_since"],
        "held": times["held"],
        "left": times["left"],
        "drop_offs": int(_within(drops, limit)),
        "offline_seconds": _within(seconds, limit),
    }


def _household(value: object, limit: float, left_out: list[str]) -> StoredHousehold:
    record = mapping(value, "the household's counts", left_out)
    bad: list[bool] = []
    since = _time(record, "since", bad)
    outages, seconds = (
        _number(record.get("outages")),
        _number(record.get("outage_seconds")),
    )
    if bad or outages is None or seconds is None:
        left_out.append("the household's counts")
        return _empty()["household"]
    return {
        "outages": int(_within(outages, limit)),
        "outage_seconds": _within(seconds, limit),
        "since": since,
    }


def _outages(key: str, value: object) -> StoredOutages | None:
    record = value if isinstance(value, dict) else {}
    bad: list[bool] = []
    times = {
        name: _time(record, name, bad)
        for name in ("offline_since", "grace_from", "dropped")
    }
    drops = record.get("drops")
    if not isinstance(drops, list):
        return None
    kept = [when.isoformat() for text in drops if (when := moment(text))]
    if bad or len(kept) != len(drops):
        return None
    if times["offline_since"] is None and not kept:
        return None
    return {
        "offline_since": times["offline_since"],
        "grace_from": times["grace_from"],
        "drops": kept,
        "dropped": times["dropped"],
    }


def _keys(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        return None
    return value


def _outage(
    value: object, online: set[str], left_out: list[str]
) -> StoredOutage | None:
    """The household outage under way; `online`: the devices online as of the file."""
    if value is None:
        return None
    record = mapping(value, "the household outage", left_out)
    bad: list[bool] = []
    since, latest = _time(record, "since", bad), _time(record, "latest", bad)
    devices = _keys(record.get("devices"))
    if since is None or latest is None or devices is None:
        left_out.append("the household outage")
        return None
    baseline = _keys(record.get("baseline"))
    if baseline is None:
        if "baseline" in record:
            left_out.append("the devices online when the household outage began")
        # Written by the version before baselines: the devices online as of
        # the file and those in it, as when it began but for those that came
        # back or dropped on their own since.
        baseline = sorted(online | set(devices))
    return {"since": since, "latest": latest, "devices": devices, "baseline": baseline}


def _day(value: object) -> tuple[date, datetime, datetime] | None:
    """The day counted, and the moments it began and ended; None if no day."""
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value)
        # 23 to 25 hours long, as the clocks change.
        return day, local_midnight(day), local_midnight(day + timedelta(days=1))
    except ValueError, OverflowError:  # no date, or one at the calendar's edge
        return None


def _parse(stored: Any, now: datetime) -> Parsed[StoredHealth]:  # noqa: ANN401
    """Keep what can be read; a file without its day and moment gives nothing."""
    left_out: list[str] = []
    if stored is None:
        return _empty(), left_out
    stored = mapping(stored, "the file", left_out, required=True)
    # Written later than now by this clock: Home Assistant started before
    # its clock was set (a board without a clock of its own starts from
    # the last time it saved). The counts go on from now.
    if (as_of := moment(stored.get("as_of"))) is not None:
        as_of = min(as_of, now)
    day = _day(stored.get("day"))
    if as_of is None or day is None:
        # Without them nothing in it can be placed in time (or it is from
        # a clock that ran a day ahead). Neither: the file is empty, as
        # written after one that could not be read.
        if stored.get("as_of") is not None or stored.get("day") is not None:
            left_out.append("when it was written (nothing in it was used)")
        return _empty(), left_out
    counted, midnight, day_ends = day
    limit = max(min(as_of, day_ends) - midnight, timedelta(0)).total_seconds()
    devices: dict[str, StoredDevice] = {}
    for key, value in mapping(stored.get("devices"), "devices", left_out).items():
        if (device := _device(key, value, limit)) is None:
            left_out.append(f"the counts of {key!r}")
        else:
            devices[key] = device
    if (online := _keys(stored.get("online"))) is None:
        left_out.append("the devices online")
        online = []
    availability: dict[str, StoredOutages] = {}
    for key, value in mapping(stored.get("availability"), "outages", left_out).items():
        if (outages := _outages(key, value)) is None:
            left_out.append(f"the outages of {key!r}")
        else:
            availability[key] = outages
    return {
        "day": counted.isoformat(),
        "as_of": as_of.isoformat(),
        "devices": devices,
        "online": [key for key in online if key not in devices],
        "household": _household(stored.get("household"), limit, left_out),
        "availability": availability,
        "outage": _outage(
            stored.get("outage"),
            {key for key, device in devices.items() if device["online"]} | set(online),
            left_out,
        ),
    }, left_out


class HealthStore:
    """Keeps one config entry's health and availability across restarts."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        health: DeviceHealth,
        availability: AvailabilityIssues,
    ) -> None:
        """Prepare the store of one config entry."""
        self._hass = hass
        self._store: LenientStore[StoredHealth] = LenientStore(
            hass,
            f"{DOMAIN}.{entry_id}.health",
            version=STORAGE_VERSION,
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._health = health
        self._availability = availability
        # What was last written or read, but for its day and moment.
        self._written = _empty()
        self._pending = False

    async def async_load(self) -> None:
        """Take up what the last run left, before the first poll."""
        stored = await self._store.async_load_leniently(
            lambda data: _parse(data, dt_util.utcnow())
        )
        if stored["as_of"] is not None and stored["day"] is not None:
            as_of = datetime.fromisoformat(stored["as_of"])
            self._health.restore(
                date.fromisoformat(stored["day"]),
                as_of,
                stored["devices"],
                stored["online"],
            )
            self._health.household.restore(stored["household"], as_of)
            self._availability.restore(stored["availability"], as_of)
            self._availability.household.restore(stored["outage"])
        self._written = self._content()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Write whenever an update changes what is kept; returns the remover."""
        removers = (
            self._health.async_add_update_listener(self._updated),
            self._hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._stopping),
        )

        @callback
        def remove() -> None:
            for remover in removers:
                remover()

        return remove

    async def async_unload(self) -> None:
        """Write what is not written yet, and until when a device was offline."""
        content = self._content()
        if (
            self._pending
            or content["outage"]
            or any(not device["online"] for device in content["devices"].values())
        ):
            self._written = content
            await self._store.async_save(self._data())

    async def _stopping(self, _event: object) -> None:
        await self.async_unload()

    @callback
    def _updated(self) -> None:
        if (content := self._content()) != self._written:
            self._written = content
            self._pending = True
            self._store.async_delay_save(self._data, SAVE_DELAY.total_seconds())

    def _content(self) -> StoredHealth:
        """What is kept, but for its day and moment."""
        devices, online = self._health.stored()
        return {
            "day": None,
            "as_of": None,
            "devices": devices,
            "online": online,
            "household": self._health.household.stored(),
            "availability": self._availability.stored(),
            "outage": self._availability.household.stored(),
        }

    def _data(self) -> StoredHealth:
        """What is written, called when it is."""
        self._pending = False
        data = self._content()
        data["day"] = self._health.day.isoformat()
        data["as_of"] = self._health.as_of.isoformat()
        return data


async def async_remove_health_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the file when the config entry is removed."""
    store: LenientStore[StoredHealth] = LenientStore(
        hass,
        f"{DOMAIN}.{entry_id}.health",
        version=STORAGE_VERSION,
        minor_version=STORAGE_MINOR_VERSION,
    )
    await store.async_remove()

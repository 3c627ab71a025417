"""Each Echo's network identity (Wi-Fi network, MAC address), read once and kept.

Amazon answers it for one Echo per request, so it never goes into the poll:
a timer reads one Echo at a time, at most one request every READ_PACE, and
not while Amazon throttles the account. An answer is kept on
disk and read again only when the Echo was re-added to the account (gone
from it, then back), or when it is offline a day after its last read (it may
have joined another network). An Echo Amazon has no Wi-Fi details for (a
wired one) is remembered as such. The MAC address becomes the device's
network connection in the device registry, which is how Home Assistant ties
it to what router integrations see.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypedDict

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from ..amazon.models import AlexaCareError, AmazonThrottledError, Echo, WifiDetails
from ..const import DOMAIN, LOGGER
from ..coordinator import AlexaCareCoordinator
from ..util.device_listeners import DeviceListeners
from ..util.record import Record
from ..util.storage import LenientStore, Parsed, mapping, moment

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
# One request per Echo: paced, so that a household of many Echos does not
# look like a burst to Amazon.
READ_PACE = timedelta(seconds=30)
# An offline Echo may have moved to another network (a new router).
REREAD_OFFLINE_AFTER = timedelta(days=1)
# A read that failed (no answer, an odd answer) is tried again after this.
RETRY_AFTER = timedelta(hours=1)


# The shapes of what is kept on disk, for the type checker only: a
# TypedDict class keeps about 5 KiB once imported (docs/benchmarks.md).
if TYPE_CHECKING:

    class StoredIdentity(TypedDict):
        """One Echo's answer as kept on disk."""

        read_at: str
        has_wifi: bool
        ssid: str | None
        mac_address: str | None


class NetworkIdentity(Record):
    """What Amazon answered about one Echo's network, and when."""

    read_at: datetime
    # None: Amazon has no Wi-Fi details for it (wired, or a group).
    wifi: WifiDetails | None

    @property
    def ssid(self) -> str | None:
        """The Wi-Fi network it last joined."""
        return self.wifi.ssid if self.wifi else None

    @property
    def mac_address(self) -> str | None:
        """Its MAC address, as Home Assistant's registry writes it."""
        if self.wifi is None or self.wifi.mac_address is None:
            return None
        return dr.format_mac(self.wifi.mac_address)


def _stored(identity: NetworkIdentity) -> StoredIdentity:
    return {
        "read_at": identity.read_at.isoformat(),
        "has_wifi": identity.wifi is not None,
        "ssid": identity.ssid,
        "mac_address": identity.wifi.mac_address if identity.wifi else None,
    }


def _loaded(stored: object) -> NetworkIdentity | None:
    """One Echo's record, or None if it is not one: the Echo is read again."""
    if (
        not isinstance(stored, dict)
        or (read_at := moment(stored.get("read_at"))) is None
    ):
        return None
    ssid, mac_address = stored.get("ssid"), stored.get("mac_address")
    if not isinstance(stored.get("has_wifi"), bool) or not all(
        isinstance(text, str | None) for text in (ssid, mac_address)
    ):
        return None
    wifi = (
        WifiDetails(ssid=ssid, mac_address=mac_address) if stored["has_wifi"] else None
    )
    return NetworkIdentity(read_at=read_at, wifi=wifi)


def _parse(stored: Any) -> Parsed[dict[str, StoredIdentity]]:  # noqa: ANN401
    left_out: list[str] = []
    kept: dict[str, StoredIdentity] = {}
    for key, record in mapping(stored, "the file", left_out).items():
        if (identity := _loaded(record)) is None:
            left_out.append(f"the network of Echo {key!r} (it is read again)")
        else:
            kept[key] = _stored(identity)
    return kept, left_out


class NetworkIdentities:
    """The network identities of one config entry's Echos, kept on disk."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store of one config entry."""
        self._hass = hass
        self._entry_id = entry_id
        self._store: LenientStore[dict[str, StoredIdentity]] = LenientStore(
            hass,
            f"{DOMAIN}.{entry_id}.network_identity",
            version=STORAGE_VERSION,
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._identities: dict[str, NetworkIdentity] = {}
        # Echo key → when its last read failed: others go first meanwhile.
        self._failed_at: dict[str, datetime] = {}
        self._listeners = DeviceListeners()
        self._reading: asyncio.Task[None] | None = None
        # After Amazon throttled a read: none until a poll interval has passed.
        self._resting_until: datetime | None = None

    @callback
    def async_add_listener(
        self, device_key: str, update: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call `update` when the Echo's network has been read; returns the remover."""
        return self._listeners.add(device_key, update)

    async def async_load(self) -> None:
        """Read what a previous run learned."""
        stored = await self._store.async_load_leniently(_parse)
        self._identities = {
            key: identity
            for key, record in stored.items()
            if (identity := _loaded(record)) is not None
        }

    async def async_remove(self) -> None:
        """Delete the file when the config entry is removed."""
        await self._store.async_remove()

    def get(self, echo_key: str) -> NetworkIdentity | None:
        """What is known of an Echo's network, if it was read."""
        return self._identities.get(echo_key)

    @property
    def identities(self) -> dict[str, NetworkIdentity]:
        """Every Echo read so far, by key."""
        return dict(self._identities)

    def _is_due(self, echo: Echo, now: datetime) -> bool:
        if (failed := self._failed_at.get(echo.key)) and now - failed < RETRY_AFTER:
            return False
        if (known := self._identities.get(echo.key)) is None:
            return True
        return (
            known.wifi is not None
            and echo.online is False
            and now - known.read_at >= REREAD_OFFLINE_AFTER
        )

    @callback
    def _forget_gone(self, coordinator: AlexaCareCoordinator) -> None:
        """An Echo gone from the account is read again if it comes back."""
        if not coordinator.last_update_success:
            return
        if gone := self._identities.keys() - coordinator.data.echos.keys():
            for key in gone:
                del self._identities[key]
            self._save_soon()

    def _data(self) -> dict[str, StoredIdentity]:
        return {key: _stored(known) for key, known in self._identities.items()}

    def _save_soon(self) -> None:
        self._store.async_delay_save(self._data)

    def _link_to_device(self, echo_key: str) -> None:
        """Give the Echo's device its MAC address as a network connection."""
        known = self._identities.get(echo_key)
        if known is None or (mac := known.mac_address) is None:
            return
        registry = dr.async_get(self._hass)
        device = registry.async_get_device_by_identifier(
            (DOMAIN, echo_key), self._entry_id
        )
        connection = (dr.CONNECTION_NETWORK_MAC, mac)
        if device is None or connection in device.connections:
            return
        try:
            registry.async_update_device(
                device.id, new_connections={*device.connections, connection}
            )
        except dr.DeviceConnectionCollisionError:
            # Amazon gave two of the account's Echos one MAC address.
            LOGGER.warning("%s: its MAC address is another Echo's", device.name)

    @callback
    def async_start(self, coordinator: AlexaCareCoordinator) -> CALLBACK_TYPE:
        """Read the Echos that are due, one every READ_PACE; returns the remover."""
        for key in self._identities:
            self._link_to_device(key)
        removers = (
            coordinator.async_add_listener(lambda: self._forget_gone(coordinator)),
            async_track_time_interval(
                self._hass,
                partial(self._read_next, coordinator),
                READ_PACE,
                name=f"{DOMAIN} network identities",
                cancel_on_shutdown=True,
            ),
        )

        @callback
        def stop() -> None:
            for remove in removers:
                remove()

        return stop

    @callback
    def _read_next(self, coordinator: AlexaCareCoordinator, _now: datetime) -> None:
        if (self._reading is not None and not self._reading.done()) or (
            self._resting_until is not None and dt_util.utcnow() <= self._resting_until
        ):
            return
        # A task of the entry's: unloading waits for a read under way. Not
        # started at once: a poll due at the same moment asks Amazon first.
        self._reading = coordinator.config_entry.async_create_task(
            self._hass,
            self._async_read_next(coordinator),
            f"{DOMAIN} network identity read",
            eager_start=False,
        )

    async def _async_read_next(self, coordinator: AlexaCareCoordinator) -> None:
        """Read the next Echo that is due, if any."""
        # Only after a poll that worked, and not while backing off: Amazon
        # throttles the whole account.
        if not coordinator.last_update_success or coordinator.backing_off:
            return
        now = dt_util.utcnow()
        echo = next(
            (e for e in coordinator.data.echos.values() if self._is_due(e, now)), None
        )
        if echo is None:
            return
        try:
            wifi = await coordinator.account.async_get_wifi_details(echo)
        except AlexaCareError as err:
            self._failed_at[echo.key] = now
            LOGGER.debug("Could not read the network of %s: %s", echo.name, err)
            if isinstance(err, AmazonThrottledError):
                # The next poll may find the account throttled and back off.
                self._resting_until = now + coordinator.options.poll_interval
            return
        self._failed_at.pop(echo.key, None)
        self._identities[echo.key] = NetworkIdentity(read_at=now, wifi=wifi)
        await self._store.async_save(self._data())
        self._link_to_device(echo.key)
        # Its Wi-Fi network sensor shows the answer.
        self._listeners.notify([echo.key])

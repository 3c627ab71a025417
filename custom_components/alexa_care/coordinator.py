"""The coordinator: one poll reads the whole account from Amazon.

What Amazon pushes in between lands in the same snapshot (updates/push.py);
while it does, the polls rest and only reconcile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_EMAIL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .amazon.client import AmazonAccount
from .amazon.models import (
    AccountSnapshot,
    AlexaCareError,
    AmazonAuthError,
    AmazonMissingCountryError,
    AmazonThrottledError,
)
from .const import (
    CONF_LOGIN_DATA,
    DOMAIN,
    LOGGER,
    OFFLINE_RECHECK,
    PUSH_RECONCILE_INTERVAL,
    THROTTLED_POLL_MIN,
)
from .monitoring.issues import IssueKind, IssueRef, async_raise, async_withdraw
from .options import AlexaCareOptions
from .updates.registry_sync import DeviceRegistrySync
from .util.device_listeners import DeviceListeners
from .util.errors import auth_failed, update_failed
from .util.log_privacy import SECRET_FILTER, secrets_of

type PollWatch = Callable[[AccountSnapshot | None, AccountSnapshot, datetime], None]


class SnapshotListener(Protocol):
    """Kept in step with every update of the account (availability, health)."""

    def update(self, snapshot: AccountSnapshot, now: datetime) -> bool:
        """Take in a poll, a pushed change, or the recheck while polls rest.

        Returns whether what it was told may be stale: the account should
        be read again now.
        """

    def waiting(self, now: datetime) -> bool:
        """Whether a judgement waits on the clock alone (a grace period).

        While one does and polls rest, the account is looked at again every
        minute; otherwise what grows with time (offline minutes) is brought
        up to date at the next update, not written every minute.
        """

    def forget(self, device_key: str) -> None:
        """The device, gone from the account, left the device registry."""


class AlexaCareCoordinator(DataUpdateCoordinator[AccountSnapshot]):
    """Polls the Amazon account, rests while it is throttled, prunes gone devices.

    Takes in pushed changes too, and rests its polls while they come.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        account: AmazonAccount,
        options: AlexaCareOptions,
        snapshot_listeners: Sequence[SnapshotListener],
    ) -> None:
        """Create the coordinator for one Amazon account.

        `snapshot_listeners` take in each update in their order.
        """
        # What the poll interval is derived from (_poll_interval). While
        # Amazon pushes changes, polls only reconcile, rarely, when the push
        # side says (updates/push.py, push_watch.py).
        self.options = options
        self.push_connected = False
        self.reconcile_interval = PUSH_RECONCILE_INTERVAL
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=self._poll_interval(),
            # A poll that changed nothing wakes no entity.
            always_update=False,
        )
        self.account = account
        self._snapshot_listeners = tuple(snapshot_listeners)
        # Each successful poll (the snapshot before, its own, when it
        # started) is judged against what was pushed (push_watch.py).
        self.poll_watch: PollWatch = lambda *_: None
        # Whether the throttling issue is shown: the gate itself is the
        # account's (amazon/throttle.py), for every request, not polls only.
        self._throttling_shown = False
        self._offline_recheck: CALLBACK_TYPE | None = None
        # While a poll's request is under way: the devices changed meanwhile.
        self._changed_during_poll: set[str] | None = None
        # Who shows a device's last-seen time, which snapshots do not compare.
        self._sample_listeners = DeviceListeners()
        self._registry = DeviceRegistrySync(hass, entry, self._forget)

    @property
    def throttled_issue(self) -> IssueRef:
        """The repair issue shown while Amazon throttles this account."""
        return IssueRef(kind=IssueKind.THROTTLED, entry_id=self.config_entry.entry_id)

    @override
    async def _async_setup(self) -> None:
        """Log in with the stored tokens before the first poll."""
        try:
            await self.account.async_login()
        except AmazonAuthError as err:
            raise auth_failed(err) from err
        except AmazonMissingCountryError as err:
            # Amazon refuses until the account has a country; retrying
            # cannot help, setting it and reloading does.
            raise ConfigEntryError(
                translation_domain=DOMAIN, translation_key="missing_country"
            ) from err
        except AlexaCareError as err:
            raise update_failed(err) from err

    @override
    async def _async_update_data(self) -> AccountSnapshot:
        """Read the account; an expired login starts reauthentication."""
        now = dt_util.utcnow()
        self._changed_during_poll = set()
        try:
            snapshot = await self.account.async_get_snapshot()
        except AmazonAuthError as err:
            raise auth_failed(err) from err
        except AmazonThrottledError as err:
            raise self._throttled() from err
        except AlexaCareError as err:
            # Resting or not, the entities are unavailable until a poll
            # works: the next one comes at the usual interval.
            self.update_interval = self._poll_interval(failed=True)
            if not self.backing_off:
                self._withdraw_throttling()
            raise update_failed(err) from err
        finally:
            changed_meanwhile, self._changed_during_poll = (
                self._changed_during_poll,
                None,
            )
        snapshot = self._with_newer_changes(snapshot, changed_meanwhile)
        self.poll_watch(self.data, snapshot, now)
        self._end_throttling()
        self._store_login_data(self.account.login_data())
        self._registry.polled(self.data, snapshot, now)
        if self.data is not None:
            self._notify_new_samples(self.data, snapshot)
        # After the read: a push taken in meanwhile was observed later than
        # the poll began, and time must not go back for the listeners.
        self._observe(snapshot, dt_util.utcnow())
        return snapshot

    def _with_newer_changes(
        self, polled: AccountSnapshot, keys: set[str]
    ) -> AccountSnapshot:
        """The poll's answer, but the devices changed since it was asked as changed.

        Amazon may push an Echo's drop (or we switch a plug, or deregister a
        device) while a poll's request is under way: the poll's answer is
        older news for them, and would undo the change until the next poll,
        or bring back a device that left the account.
        """
        for key in keys:
            if key not in polled.devices:
                continue
            if (newer := self.data.devices.get(key)) is None:
                polled = polled.without(key)
            else:
                polled = polled.with_changes(newer)
        return polled

    @callback
    def async_add_sample_listener(
        self, device_key: str, update: CALLBACK_TYPE
    ) -> CALLBACK_TYPE:
        """Call `update` when a poll brings the device a new last-seen time."""
        return self._sample_listeners.add(device_key, update)

    def _notify_new_samples(
        self, before: AccountSnapshot, now: AccountSnapshot
    ) -> None:
        moved = [
            key
            for key in self._sample_listeners.devices()
            if (old := before.devices.get(key)) is not None
            and (new := now.devices.get(key)) is not None
            and old.last_seen_online != new.last_seen_online
        ]
        if moved:
            # Once the refresh has stored the snapshot they read.
            self.hass.loop.call_soon(self._sample_listeners.notify, moved)

    @callback
    def async_set_pushed_data(self, snapshot: AccountSnapshot) -> None:
        """Take in a change Amazon pushed or we made, without moving the next poll.

        (async_set_updated_data would reschedule it, for ever in a busy home.)
        """
        if snapshot == self.data:
            return
        if self._changed_during_poll is not None and self.data is not None:
            # Changed, added, or gone (deregistered).
            before, after = self.data.devices, snapshot.devices
            self._changed_during_poll.update(
                key
                for key in before.keys() | after.keys()
                if before.get(key) != after.get(key)
            )
        now = dt_util.utcnow()
        self.data = snapshot
        if self._observe(snapshot, now):
            # E.g. the pushed Echos are back and a household outage left
            # devices offline whose return Amazon does not push (plugs): ask
            # now, or they would count as offline on their own till the next poll.
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{DOMAIN} reading the account"
            )
        self.async_update_listeners()

    def _observe(self, snapshot: AccountSnapshot, now: datetime) -> bool:
        """Tell the listeners; whether one wants the account read again now."""
        stale = [
            listener.update(snapshot, now) for listener in self._snapshot_listeners
        ]
        if (
            self.push_connected
            and self._offline_recheck is None
            and any(listener.waiting(now) for listener in self._snapshot_listeners)
        ):
            # Polls rest: else a grace period would end only at the next one.
            self._offline_recheck = async_call_later(
                self.hass, OFFLINE_RECHECK, self._recheck_offline
            )
        return any(stale)

    def _forget(self, device_key: str) -> None:
        for listener in self._snapshot_listeners:
            listener.forget(device_key)

    @callback
    def async_device_left(self, device_key: str) -> None:
        """A device left the account (deregistered): forget it now, not at a poll.

        Polls rest while Amazon pushes: its issues and offline count would
        stay till then, and a recheck would raise its offline issue again.
        """
        self._forget(device_key)
        if self.data is not None and device_key in self.data.devices:
            self.async_set_pushed_data(self.data.without(device_key))

    @callback
    def _recheck_offline(self, _now: datetime) -> None:
        self._offline_recheck = None
        if self.data is not None:
            self._observe(self.data, dt_util.utcnow())

    @override
    async def async_shutdown(self) -> None:
        if self._offline_recheck is not None:
            self._offline_recheck()
            self._offline_recheck = None
        await super().async_shutdown()

    @property
    def backing_off(self) -> bool:
        """Whether Amazon throttles the account: nothing is asked until it stops."""
        return self.account.throttle.throttled

    def _poll_interval(self, *, failed: bool = False) -> timedelta:
        """How long until the next poll: every update_interval comes from here.

        As the options say while the push channel is closed (or stalled: the
        push side then says closed), and after a poll that failed; while it
        pushes, when the push side wants the next reconciliation, never
        sooner. A throttled poll leaves it alone: its UpdateFailed's
        retry_after holds the one poll until the account's gate opens.
        """
        if failed or not self.push_connected:
            return self.options.poll_interval
        return max(self.options.poll_interval, self.reconcile_interval)

    @callback
    def set_push_connected(self, *, connected: bool) -> None:
        """Poll rarely while the push channel is open, as usual otherwise."""
        self.push_connected = connected
        self.update_interval = self._poll_interval()
        if connected and self._offline_recheck is None:
            self._recheck_offline(dt_util.utcnow())  # those offline already, too
        if not self.backing_off:
            # Now, not after the poll already scheduled at the old interval.
            self._schedule_refresh()

    def _throttled(self) -> UpdateFailed:
        """The next poll when the account's gate opens, and the issue says when."""
        wait = max(self.account.throttle.closed_for, THROTTLED_POLL_MIN)
        self._throttling_shown = True
        minutes = str(max(1, round(wait.total_seconds() / 60)))
        async_raise(self.hass, self.throttled_issue, placeholders={"minutes": minutes})
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="throttled",
            translation_placeholders={"minutes": minutes},
            # Once, then the usual interval again.
            retry_after=wait.total_seconds(),
        )

    def _end_throttling(self) -> None:
        self._withdraw_throttling()
        self.update_interval = self._poll_interval()

    def _withdraw_throttling(self) -> None:
        if self._throttling_shown:
            LOGGER.info("Amazon no longer throttles the account; polling as usual")
            self._throttling_shown = False
        # Also one a setup that Amazon throttled left behind.
        async_withdraw(self.hass, self.throttled_issue)

    def _store_login_data(self, login_data: dict[str, object]) -> None:
        # Amazon hands out fresh tokens now and then; keeping them in the entry
        # means a restart does not fall back to tokens that have expired.
        entry = self.config_entry
        if login_data != entry.data[CONF_LOGIN_DATA]:
            SECRET_FILTER.renew(
                entry.entry_id, secrets_of(entry.data[CONF_EMAIL], login_data)
            )
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_LOGIN_DATA: login_data}
            )

"""The emulated account's devices and how their state changes over time.

Reachability is computed from a few timestamps at each request, not changed
by timers: an Echo rebooting until T is offline before T and online after,
however the requests are spaced.

- A reboot takes an Echo offline for `reboot_seconds`.
- A plug switched off takes the Echo it feeds offline; switched on again,
  the Echo boots for `boot_seconds`.
- A device taken offline through the control API (alone, or with every
  other device when the home's internet goes down) is offline for Amazon
  until brought online again, or until (an Echo) its plug cuts its power and
  restores it. A hung Echo (the default) still gets a reboot request, which
  brings it back, as a reboot cures most Echos that drop off; an unreachable
  one does not, and only a power cycle helps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import time

from .catalog import EchoIdentity, PlugIdentity, echo_identity, plug_identity


def _booted_yesterday() -> float:
    return time.time() - 86400


@dataclass(kw_only=True)
class Reachability:
    """When a device went offline and when it is (or was) back online."""

    dropped: bool = False  # offline until told otherwise
    reboot_cures: bool = True  # a dropped Echo still hears a reboot request
    back_online_at: float = field(default_factory=_booted_yesterday)
    went_offline_at: float = field(default_factory=_booted_yesterday)

    def last_change(self, *, online: bool) -> float:
        """When the device last went online or offline."""
        return self.back_online_at if online else self.went_offline_at


@dataclass(kw_only=True)
class Plug:
    """An Amazon Smart Plug, maybe feeding an Echo."""

    identity: PlugIdentity
    power_on: bool = True
    reachability: Reachability = field(default_factory=Reachability)

    def online(self, now: float) -> bool:
        """Whether Amazon reaches the plug."""
        del now  # a plug is always up unless dropped off the network
        return not self.reachability.dropped


@dataclass(kw_only=True)
class Echo:
    """An Echo, maybe powered by one of the account's plugs."""

    identity: EchoIdentity
    do_not_disturb: bool = False
    # False once someone pressed the microphone-off button (the red ring).
    microphone_on: bool = True
    plug: Plug | None = None
    reachability: Reachability = field(default_factory=Reachability)

    @property
    def can_reboot(self) -> bool:
        """Whether Amazon can reboot this model remotely."""
        return "ALEXA_DEVICE_REBOOT" in self.identity.model.capabilities

    def powered(self) -> bool:
        """Whether its plug (if any) gives it power."""
        return self.plug is None or self.plug.power_on

    def online(self, now: float) -> bool:
        """Whether Amazon reaches the Echo at `now`."""
        return (
            self.powered()
            and not self.reachability.dropped
            and now >= self.reachability.back_online_at
        )


type Device = Echo | Plug


class UnknownDeviceError(KeyError):
    """No device of the account has that name, serial or id."""


@dataclass(kw_only=True)
class Account:
    """The devices of one Amazon account."""

    reboot_seconds: float = 10.0
    boot_seconds: float = 5.0
    echos: dict[str, Echo] = field(default_factory=dict)  # by serial
    plugs: dict[str, Plug] = field(default_factory=dict)  # by endpoint id
    _next_echo: int = 0
    _next_plug: int = 0

    @classmethod
    def with_devices(
        cls, echos: int, plugs: int, *, reboot_seconds: float, boot_seconds: float
    ) -> Account:
        """An account of `echos` Echos; the `plugs` plugs feed the first Echos."""
        account = cls(reboot_seconds=reboot_seconds, boot_seconds=boot_seconds)
        added = [account.add_echo() for _ in range(echos)]
        for number in range(plugs):
            account.add_plug(feeds=added[number] if number < len(added) else None)
        return account

    def add_echo(self, name: str | None = None) -> Echo:
        """Set up a new Echo on the account."""
        echo = Echo(identity=echo_identity(self._next_echo, name))
        self._next_echo += 1
        self.echos[echo.identity.serial] = echo
        return echo

    def add_plug(self, name: str | None = None, feeds: Echo | None = None) -> Plug:
        """Set up a new plug, powering `feeds` if given."""
        plug = Plug(identity=plug_identity(self._next_plug, name))
        self._next_plug += 1
        self.plugs[plug.identity.endpoint_id] = plug
        if feeds is not None:
            feeds.plug = plug
        return plug

    def find(self, key: str) -> Device:
        """A device by name, serial number, endpoint id or appliance id."""
        wanted = key.casefold()
        for device in (*self.echos.values(), *self.plugs.values()):
            identity = device.identity
            ids = {identity.name, identity.serial, identity.endpoint_id}
            if isinstance(device, Plug):
                ids.add(device.identity.appliance_id)
            if wanted in {value.casefold() for value in ids}:
                return device
        raise UnknownDeviceError(key)

    def fed_by(self, plug: Plug) -> Echo | None:
        """The Echo a plug powers, if any."""
        return next((echo for echo in self.echos.values() if echo.plug is plug), None)

    def remove(self, device: Device) -> None:
        """Take a device off the account (deregistered, or deleted)."""
        if isinstance(device, Echo):
            del self.echos[device.identity.serial]
            return
        del self.plugs[device.identity.endpoint_id]
        # The plug still powers its Echo; the account just no longer knows it.
        if (echo := self.fed_by(device)) is not None:
            echo.plug = None

    # What happens to devices.

    def set_dropped(
        self,
        device: Device,
        *,
        dropped: bool,
        reboot_cures: bool = True,
        at: float | None = None,
    ) -> None:
        """Take a device offline (hung, or unreachable), or bring it back at once.

        `at` (a time.time() in the past) is when Amazon lost it, for a device
        online until now; now if not given.
        """
        now = time.time()
        was_online = device.online(now)
        device.reachability.dropped = dropped
        device.reachability.reboot_cures = reboot_cures
        if dropped and was_online:
            device.reachability.went_offline_at = now if at is None else at
        if not dropped:
            device.reachability.back_online_at = now

    def set_household_dropped(self, *, dropped: bool, at: float | None = None) -> None:
        """The home's internet goes down: every device drops at once; or it is back."""
        for device in (*self.echos.values(), *self.plugs.values()):
            self.set_dropped(device, dropped=dropped, at=at)

    def reboot(self, echo: Echo) -> None:
        """Reboot an Echo; one Amazon cannot reach does not get the command."""
        now = time.time()
        reachability = echo.reachability
        hung = reachability.dropped and reachability.reboot_cures
        if echo.powered() and (echo.online(now) or hung):
            if not reachability.dropped:
                reachability.went_offline_at = now
            reachability.dropped = False
            reachability.back_online_at = now + self.reboot_seconds

    def set_power(self, plug: Plug, *, on: bool) -> None:
        """Switch a plug; its Echo loses power, or boots when it gets it back."""
        now = time.time()
        echo = self.fed_by(plug)
        if echo is not None and not on and echo.online(now):
            echo.reachability.went_offline_at = now
        if echo is not None and on and not plug.power_on:
            # A power cycle cures an Echo that had dropped off the network.
            echo.reachability.dropped = False
            echo.reachability.back_online_at = now + self.boot_seconds
        plug.power_on = on

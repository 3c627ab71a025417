"""The household of the soak, as Amazon sees it: eight Echos and three plugs.

What a device does (a reboot takes an Echo offline for a while, a plug
switched off takes its Echo down, a power cycle cures an Echo a reboot
cannot reach) is the emulator's account model (devtools/amazon_emulator).
On top of it come what a month brings: the home's internet going down,
Amazon's clock running a few minutes off, Amazon failing the ways it fails.
Home Assistant asks through the unit tests' fake Amazon, which answers from
this household at the moment of each request, and hears what Amazon pushes
through the fake push channel.

The household also keeps the truth the soak's invariants are judged
against: every time a device went offline or came back, and when the
household as a whole was down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
import random
from typing import Any, override

from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMockResponse,
)
from yarl import URL

from devtools.amazon_emulator import payloads, push_payloads
from devtools.amazon_emulator.account import Account, Echo, Plug
from devtools.amazon_emulator.failures import Fault
from devtools.amazon_emulator.payloads import Json
from homeassistant.util import dt as dt_util

from .fake_amazon import CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush

# A reboot or a boot after power returns takes an Echo about a minute.
REBOOT = timedelta(minutes=1)
# The rooms of the Echos, in the emulator's order: the Bedroom's and the
# Bathroom's are Echo Shows, which Amazon cannot reboot.
ECHOS = 8
# The Kitchen Plug feeds the Kitchen Echo, the Bedroom Plug the Bedroom Echo
# Show; the Living Room Plug feeds a lamp.
FED = {0: 0, 1: 1}
PLUGS = 3


def amazon_time(moment: datetime) -> str:
    """A moment as Amazon's GraphQL writes it."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Reachability:
    """What Amazon knows of a device: online or not, and since when (HA's clock)."""

    online: bool
    since: datetime


@dataclass
class Outage:
    """A device offline, in the truth: when it went, when it came back."""

    key: str
    start: datetime
    end: datetime | None = None
    # Whether the household was down when it went (then it is the household's).
    household: bool = False
    # Whether Amazon pushed its going offline on an open, working channel,
    # and its coming back.
    pushed: bool = False
    pushed_end: bool = False
    # Whether a stream was open when it went (pushing or silent).
    channel_open: bool = False

    def duration(self, now: datetime) -> timedelta:
        """How long it lasted, or has lasted until now."""
        return (self.end or now) - self.start


@dataclass
class PlugOff:
    """A plug Home Assistant switched off: when, and when it was on again."""

    key: str
    start: datetime
    end: datetime | None = None


@dataclass
class Change:
    """Something Home Assistant shows, changed at Amazon.

    A device's connection ("online"), an Echo's do not disturb ("dnd") or a
    plug's power ("power").
    """

    key: str
    what: str
    value: bool
    at: datetime
    # Pushed on an open, working channel; a stream open (pushing or silent).
    pushed: bool
    channel_open: bool


@dataclass
class PushChannel:
    """How Amazon's push channel behaves for this account."""

    fake: FakePush
    # Open, answering pings, but sending nothing (alexa_media_player #3515).
    silent: bool = False
    events: Counter[str] = field(default_factory=Counter)
    # When it fell silent, and until when.
    silences: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    def silence(self, now: datetime) -> None:
        """From now on the channel stays open and sends nothing."""
        self.silent = True
        self.silences.append((now, None))

    def speak(self, now: datetime) -> None:
        """The channel sends again."""
        self.silent = False
        start, _ = self.silences[-1]
        self.silences[-1] = (start, now)

    def silence_at(self, moment: datetime) -> datetime | None:
        """When the silence around a moment began, if the channel was silent."""
        return next(
            (
                start
                for start, end in self.silences
                if start <= moment and (end is None or moment < end)
            ),
            None,
        )


class Household:
    """Eight Echos and three plugs, the home's internet, Amazon's clock."""

    def __init__(self, push: FakePush, now: datetime) -> None:
        """Every device online since yesterday; push channel serving."""
        self.account = Account(
            reboot_seconds=REBOOT.total_seconds(), boot_seconds=REBOOT.total_seconds()
        )
        echos = [self.account.add_echo() for _ in range(ECHOS)]
        for number in range(PLUGS):
            self.account.add_plug(feeds=echos[FED[number]] if number in FED else None)
        self.push = PushChannel(fake=push)
        push.serving = True
        # Amazon's clock minus Home Assistant's.
        self.skew = timedelta(0)
        # When the home's internet went down, if it is down.
        self.down_since: datetime | None = None
        self.household_outages: list[tuple[datetime, datetime | None]] = []
        self.outages: list[Outage] = []
        self._open: dict[str, Outage] = {}
        self._seen: dict[str, Reachability] = {}
        self._power: dict[str, bool] = {}
        self.plug_offs: list[PlugOff] = []
        self._off: dict[str, PlugOff] = {}
        # Every change Home Assistant shows, and the latest of each.
        self.changes: list[Change] = []
        self.latest: dict[tuple[str, str], Change] = {}
        self.observe(now)

    # The devices.

    def echo(self, name: str) -> Echo:
        """An Echo by its name."""
        return next(e for e in self.account.echos.values() if e.identity.name == name)

    def plug(self, name: str) -> Plug:
        """A plug by its name."""
        return next(p for p in self.account.plugs.values() if p.identity.name == name)

    def device(self, name: str) -> Echo | Plug:
        """An Echo or a plug by its name."""
        try:
            return self.echo(name)
        except StopIteration:
            return self.plug(name)

    def devices(self) -> dict[str, Echo | Plug]:
        """Every device by the key Alexa Care knows it by (serial, endpoint id)."""
        return {
            **self.account.echos,
            **{p.identity.endpoint_id: p for p in self.account.plugs.values()},
        }

    def name(self, key: str) -> str:
        """A device's name (the one it had last, if it is gone)."""
        if device := self.devices().get(key):
            return device.identity.name
        return key

    def online(self, device: Echo | Plug, now: datetime) -> bool:
        """Whether Amazon reaches the device now."""
        return self.down_since is None and device.online(now.timestamp())

    def open_outage(self, key: str) -> Outage | None:
        """The device's outage going on now, if it is offline."""
        return self._open.get(key)

    # What happens in the home.

    def rename(self, name: str, new_name: str) -> None:
        """The user renames a device in the Alexa app."""
        device = self.device(name)
        device.identity = replace(device.identity, name=new_name)

    def add_echo(self, now: datetime) -> Echo:
        """A new Echo is set up on the account."""
        echo = self.account.add_echo()
        self.observe(now)
        return echo

    def remove(self, name: str, now: datetime) -> str:
        """A device is deleted in the Alexa app; returns its key."""
        device = self.device(name)
        key = (
            device.identity.endpoint_id
            if isinstance(device, Plug)
            else device.identity.serial
        )
        self.account.remove(device)
        if outage := self._open.pop(key, None):
            outage.end = now
        self._seen.pop(key, None)
        return key

    def drop(self, name: str, now: datetime, *, reboot_cures: bool = True) -> None:
        """A device drops off the network: hung (a reboot cures it) or unreachable."""
        self.account.set_dropped(
            self.device(name), dropped=True, reboot_cures=reboot_cures
        )
        self.observe(now)

    def come_back(self, name: str, now: datetime) -> None:
        """A device that dropped off finds the network again by itself."""
        device = self.device(name)
        if device.reachability.dropped:
            self.account.set_dropped(device, dropped=False)
        self.observe(now)

    def household_down(self, now: datetime) -> None:
        """The home's internet goes down: Amazon loses every device at once."""
        self.down_since = now
        self.household_outages.append((now, None))
        self.observe(now)

    def household_up(self, now: datetime) -> None:
        """The home's internet is back."""
        self.down_since = None
        start, _ = self.household_outages[-1]
        self.household_outages[-1] = (start, now)
        self.observe(now)

    def reboot(self, serial: str, now: datetime) -> bool:
        """Amazon's reboot of an Echo; False if the account has no such Echo."""
        if (echo := self.account.echos.get(serial)) is None:
            return False
        if self.down_since is None:
            self.account.reboot(echo)
        self.observe(now)
        return True

    def set_power(
        self, endpoint_id: str, *, on: bool, now: datetime, by_home_assistant: bool
    ) -> bool:
        """A plug is switched; False if the account has no such plug."""
        if (plug := self.account.plugs.get(endpoint_id)) is None:
            return False
        self.account.set_power(plug, on=on)
        if on and (off := self._off.pop(endpoint_id, None)):
            off.end = now
        elif not on and by_home_assistant and endpoint_id not in self._off:
            self._off[endpoint_id] = PlugOff(key=endpoint_id, start=now)
            self.plug_offs.append(self._off[endpoint_id])
        self.observe(now)
        return True

    def set_do_not_disturb(self, serial: str, *, enabled: bool, now: datetime) -> None:
        """Do not disturb switched, by voice or in the app."""
        echo = self.account.echos[serial]
        if echo.do_not_disturb != enabled:
            echo.do_not_disturb = enabled
            pushed = self._push(
                push_payloads.dnd_change(
                    serial,
                    echo.identity.model.device_type,
                    CUSTOMER_ID,
                    enabled=enabled,
                )
            )
            self._note(serial, "dnd", enabled, now, pushed=pushed)

    def voice_request(self, serial: str) -> None:
        """Someone spoke to an Echo: Amazon announces it."""
        echo = self.account.echos[serial]
        self._push(
            push_payloads.voice_request(
                serial, echo.identity.model.device_type, CUSTOMER_ID
            )
        )

    # Amazon's view, and what it pushes.

    def observe(self, now: datetime) -> None:
        """Amazon looks at every device; what changed is noted and pushed."""
        devices = self.devices()
        for key, device in devices.items():
            online = self.online(device, now)
            seen = self._seen.get(key)
            if seen is None:
                self._seen[key] = Reachability(online=online, since=now)
            elif seen.online != online:
                self._seen[key] = Reachability(online=online, since=now)
                self._changed(key, device, online=online, now=now)
            if isinstance(device, Plug) and self._power.get(key) != device.power_on:
                if key in self._power:
                    pushed = self._push(
                        push_payloads.smart_home_power(key, on=device.power_on)
                    )
                    self._note(key, "power", device.power_on, now, pushed=pushed)
                self._power[key] = device.power_on
        for key in self._power.keys() - devices.keys():
            del self._power[key]

    def _changed(
        self, key: str, device: Echo | Plug, *, online: bool, now: datetime
    ) -> None:
        pushed = False
        channel_open = bool(self.push.fake.open_streams)
        if isinstance(device, Echo):
            pushed = self._push(
                push_payloads.connection_change(
                    key, device.identity.model.device_type, CUSTOMER_ID, online=online
                )
            )
        self._note(key, "online", online, now, pushed=pushed)
        if not online:
            outage = Outage(
                key=key,
                start=now,
                household=self.down_since is not None,
                pushed=pushed,
                channel_open=channel_open,
            )
            self.outages.append(outage)
            self._open[key] = outage
        elif outage := self._open.pop(key, None):
            outage.end = now
            outage.pushed_end = pushed

    def _note(
        self, key: str, what: str, value: bool, now: datetime, *, pushed: bool
    ) -> None:
        change = Change(
            key=key,
            what=what,
            value=value,
            at=now,
            pushed=pushed,
            channel_open=bool(self.push.fake.open_streams),
        )
        self.changes.append(change)
        self.latest[key, what] = change

    def _push(self, directive: Json) -> bool:
        """Push on every open stream unless the channel is silent; whether it went."""
        channel = self.push
        if channel.silent or not channel.fake.open_streams:
            return False
        channel.fake.push(directive)
        name = directive["directive"]["payload"]["renderingUpdates"][0]["resourceId"]
        channel.events[name] += 1
        return True

    def endpoints(self, now: datetime) -> list[Json]:
        """GraphQL's endpoints, stamped by Amazon's clock."""
        endpoints = payloads.endpoints(self.account, now.timestamp())
        for endpoint in endpoints:
            key = (
                endpoint["endpointId"]
                if endpoint["displayCategories"]["primary"]["value"] == "SMARTPLUG"
                else endpoint["serialNumber"]["value"]["text"]
            )
            seen = self._seen[key]
            for feature in endpoint["features"]:
                for number, prop in enumerate(feature["properties"]):
                    if prop["name"] == "reachability":
                        feature["properties"][number] = payloads.reachability(
                            online=seen.online,
                            sampled=amazon_time(now + self.skew),
                            last_change=amazon_time(seen.since + self.skew),
                        )
                    elif "timeOfSample" in prop:
                        prop["timeOfSample"] = amazon_time(now + self.skew)
        return endpoints

    def devices_v2(self, now: datetime) -> list[Json]:
        """The Echo list, as devices-v2 lists it."""
        devices: list[Json] = payloads.devices_v2(
            self.account, CUSTOMER_ID, {}, now.timestamp()
        )["devices"]
        for record in devices:
            if seen := self._seen.get(record["serialNumber"]):
                record["online"] = seen.online
        return devices

    def dnd(self) -> list[Json]:
        """Every Echo's do not disturb."""
        return payloads.dnd_list(self.account)["doNotDisturbDeviceStatusList"]


class SoakAmazon(FakeAmazon):
    """The fake Amazon, answering from the household at each request's moment.

    Beside its own failures (throttling, failures queued), Amazon may fail
    now and then (`flaky_share`: that share of requests answered 503, or
    never).
    """

    def __init__(self, household: Household) -> None:
        """Amazon for the household's account; no voice record yet."""
        super().__init__()
        self.household = household
        self.voice_history.records.clear()
        self.flaky_share = 0.0
        self._flakes = random.Random(24)  # noqa: S311 - a repeatable month
        # Requests counted by host and path, not kept: a month of them
        # would be the largest thing in memory.
        self.counted: Counter[str] = Counter()
        # Amazon hands out a new access token each time it is asked for one
        # after a refresh of the account's tokens.
        self.token_generation = 0
        self.access_tokens: set[str] = set()
        # When each poll read the endpoints (GraphQL listEndpoints).
        self.polls: list[datetime] = []
        self._refresh(dt_util.utcnow())

    @property
    def total(self) -> int:
        """Every request Amazon got, of every host."""
        return sum(self.counted.values())

    def _refresh(self, now: datetime) -> None:
        household = self.household
        household.observe(now)
        self.devices = household.devices_v2(now)
        self.endpoints = household.endpoints(now)
        self.dnd = household.dnd()

    def _fault(self) -> Fault | None:
        if self.flaky_share and self._flakes.random() < self.flaky_share:
            return self._flakes.choice((Fault.SERVICE_UNAVAILABLE, Fault.TIMEOUT))
        return None

    @override
    async def __call__(
        self,
        method: str,
        url: URL,
        data: Any,
    ) -> AiohttpClientMockResponse:
        self.counted[f"{url.host}{url.path}"] += 1
        now = dt_util.utcnow()
        self._refresh(now)
        if not self.throttling and (fault := self._fault()):
            return self._failure(method, url, fault)
        if url.path == "/nexus/v1/graphql" and "listEndpoints(" in str(data):
            self.polls.append(now)
        try:
            return await super().__call__(method, url, data)
        finally:
            self.requests.clear()
            self.wifi_asked.clear()

    @override
    async def _auth_answer(
        self,
        method: str,
        url: URL,
        data: Any,
    ) -> AiohttpClientMockResponse:
        self.counted[f"{url.host}{url.path}"] += 1
        if not self.throttling and (fault := self._fault()):
            return self._failure(method, url, fault)
        if self.throttling or url.path != "/auth/token":
            answer = await super()._auth_answer(method, url, data)
            self.auth_requests.clear()
            return answer
        token = f"Atna|SOAK-ACCESS-TOKEN-{self.token_generation}"
        self.access_tokens.add(token)
        return AiohttpClientMockResponse(
            method, url, json=payloads.access_token(token, 3600)
        )

    @override
    def _reboot(self, serial: str) -> tuple[int, Any]:
        if self.household.reboot(serial, dt_util.utcnow()):
            return 200, {}
        return 404, {"message": "Device not found"}

    @override
    def _set_power(self, request: Json) -> bool:
        return self.household.set_power(
            request["endpointId"],
            on=request["featureOperationName"] == "turnOn",
            now=dt_util.utcnow(),
            by_home_assistant=True,
        )

    @override
    def _set_dnd(self, body: Json) -> tuple[int, Any]:
        serial = body["deviceSerialNumber"]
        if serial not in self.household.account.echos:
            return 400, {"message": "Unknown device"}
        self.household.set_do_not_disturb(
            serial, enabled=body["enabled"], now=dt_util.utcnow()
        )
        echo = self.household.account.echos[serial]
        return 200, payloads.dnd_status(
            serial, echo.identity.model.device_type, enabled=body["enabled"]
        )


@dataclass
class Timeline:
    """What happened to Home Assistant and to Amazon, for judging what it saw."""

    # Local midnight before the month's first moment.
    day_zero: datetime
    # Home Assistant down: from, until (None: still down).
    downtimes: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    crashes: list[datetime] = field(default_factory=list)
    setups: list[datetime] = field(default_factory=list)
    # Amazon failing: from, until, how.
    troubles: list[tuple[datetime, datetime | None, str]] = field(default_factory=list)

    def label(self, moment: datetime) -> str:
        """The moment as the schedule writes it: "day 9 23:57:00"."""
        local = dt_util.as_local(moment)
        return f"day {self.day(moment)} {local.strftime('%H:%M:%S')}"

    def day(self, moment: datetime) -> int:
        """The schedule's day of a moment."""
        return (dt_util.as_local(moment).date() - self.day_zero.date()).days

    def midnight_before(self, moment: datetime) -> datetime:
        """Local midnight at the start of the moment's day."""
        return dt_util.start_of_local_day(dt_util.as_local(moment).date())

    @property
    def up(self) -> bool:
        """Whether Home Assistant runs Alexa Care now."""
        return bool(self.setups) and not (
            self.downtimes and self.downtimes[-1][1] is None
        )

    def down_at(self, moment: datetime) -> bool:
        """Whether Home Assistant was down at a moment."""
        return any(_within(moment, start, end) for start, end in self.downtimes)

    def up_time(self, start: datetime, end: datetime) -> timedelta:
        """How much of [start, end) Home Assistant ran."""
        down = sum(
            (
                _overlap(start, end, d_start, d_end or end)
                for d_start, d_end in self.downtimes
            ),
            timedelta(0),
        )
        return end - start - down

    def last_setup(self, moment: datetime) -> datetime | None:
        """The last time Alexa Care was set up, up to a moment."""
        return max((setup for setup in self.setups if setup <= moment), default=None)

    def troubled(self, start: datetime, end: datetime) -> bool:
        """Whether Amazon failed, or Home Assistant was down, during [start, end]."""
        return any(
            _overlap(start, end, t_start, t_end or end) > timedelta(0)
            or _within(start, t_start, t_end)
            for t_start, t_end, _ in self.troubles
        ) or any(
            _overlap(start, end, d_start, d_end or end) > timedelta(0)
            or _within(start, d_start, d_end)
            for d_start, d_end in self.downtimes
        )

    def crashed_within(self, start: datetime, span: timedelta) -> bool:
        """Whether Home Assistant crashed within `span` after `start`."""
        return any(start <= crash <= start + span for crash in self.crashes)


def _within(moment: datetime, start: datetime, end: datetime | None) -> bool:
    return start <= moment and (end is None or moment < end)


def _overlap(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime
) -> timedelta:
    return max(min(a_end, b_end) - max(a_start, b_start), timedelta(0))

"""A household of Echos dropping off and coming back, as the outage tests play it.

The account holds only added Echos, "Echo 0", "Echo 1", …, and maybe added
plugs, "Plug 0", …; a test says which of them Amazon sees offline, and since
when, and moves the clock poll by poll.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DEFAULT_SCAN_INTERVAL
from custom_components.alexa_care.monitoring.health import DeviceHealth
from devtools.amazon_emulator import push_payloads
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .common import iso, next_poll, setup_with_echos, until
from .fake_amazon import ADDED_ECHO_MODEL, CUSTOMER_ID, FakeAmazon
from .fake_push import FakePush
from .repair_issues import keeps_dropping, our_issues, outage, unavailable


def serial(number: int) -> str:
    """The serial of the added Echo called "Echo {number}"."""
    return f"G0FAKE{number:010d}"


class Household:
    """An account of added Echos, its clock, and what Alexa Care makes of them."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MockConfigEntry,
        fake_amazon: FakeAmazon,
        fake_push: FakePush,
        freezer: FrozenDateTimeFactory,
    ) -> None:
        """Keep what a scene plays with; nothing is set up yet."""
        self.hass = hass
        self.entry = entry
        self.amazon = fake_amazon
        self.freezer = freezer
        self._push = fake_push

    async def set_up(
        self, echos: int, *, plugs: int = 0, pushing: bool = False
    ) -> None:
        """Alexa Care set up with `echos` Echos and `plugs` plugs.

        The push channel open if `pushing`.
        """
        if pushing:
            self._push.serving = True
        await setup_with_echos(self.hass, self.entry, self.amazon, echos, plugs)
        if pushing:
            await self.until_pushing()

    async def until_pushing(self) -> None:
        """Wait for the push channel to be open (again, after a restart)."""
        await until(self.hass, lambda: self.entry.runtime_data.push.status.connected)

    def set_online(
        self, numbers: Iterable[int], *, online: bool, at: datetime | None = None
    ) -> None:
        """The Echos change state, as Amazon saw it at `at` (now if not given)."""
        for number in numbers:
            self.amazon.set_online(
                f"Echo {number}", online=online, at=iso(at or dt_util.utcnow())
            )

    def set_plugs_online(
        self, numbers: Iterable[int], *, online: bool, at: datetime | None = None
    ) -> None:
        """The plugs change state, as Amazon saw it at `at`; pushed by no one."""
        for number in numbers:
            self.amazon.set_online(
                f"Plug {number}", online=online, at=iso(at or dt_util.utcnow())
            )

    def set_all_online(self, *, online: bool, at: datetime | None = None) -> None:
        """Every device changes state, as Amazon saw it at `at` (now if not given)."""
        self.amazon.set_all_online(online=online, at=iso(at or dt_util.utcnow()))

    def forget_amazon_times(self) -> None:
        """Amazon gives no time of the last change: only the polls can tell."""
        for endpoint in self.amazon.endpoints:
            for feature in endpoint["features"]:
                for prop in feature["properties"]:
                    prop.pop("timeOfLastChange", None)

    async def poll(self, interval: timedelta = DEFAULT_SCAN_INTERVAL) -> None:
        """Move the clock to the next poll and let it finish."""
        await next_poll(self.hass, self.freezer, interval)

    async def push(self, number: int, *, online: bool) -> None:
        """Amazon pushes that "Echo {number}" went on or off line, now."""
        self.set_online([number], online=online)
        self._push.push(
            push_payloads.connection_change(
                serial(number), ADDED_ECHO_MODEL.device_type, CUSTOMER_ID, online=online
            )
        )
        coordinator = self.entry.runtime_data.coordinator
        await until(
            self.hass, lambda: coordinator.data.echos[serial(number)].online is online
        )

    @property
    def health(self) -> DeviceHealth:
        """The devices' and the household's counts of today."""
        return self.entry.runtime_data.health

    def issues(self) -> set[str]:
        """The ids of Alexa Care's issues in the registry."""
        return our_issues(self.hass)

    @property
    def outage(self) -> str:
        """The id of the household outage issue."""
        return outage(self.entry)

    def unavailable(self, number: int) -> str:
        """The id of "Echo {number}"'s offline issue."""
        return unavailable(self.entry, serial(number))

    def keeps_dropping(self, number: int) -> str:
        """The id of "Echo {number}"'s keeps-dropping issue."""
        return keeps_dropping(self.entry, serial(number))

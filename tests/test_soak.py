"""A month in a real home, lived in minutes.

One Amazon account (eight Echos and three plugs, two Echos powered by
plugs; tests/soak_world.py) lives through 30 days on Home Assistant's
clock, against the unit tests' fake Amazon and push channel, with what a
month brings (tests/soak_schedule.py): nightly flaps, a long outage, Echos
that hang, Amazon throttling and failing, a push channel that drops, is
refused or falls silent, restarts and crashes of Home Assistant. After every
simulated minute the invariants of tests/soak_invariants.py are checked.

The clock moves to the next minute, or in 5-second steps while something is
under way (a reset, an Echo booting, a plug switched off); it stops at every
event and a second before every midnight, when the day's counts are final.
Home Assistant's timers fire at each stop, as they would have in between.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Generator
from datetime import datetime, timedelta
import heapq
import itertools
import logging
import os
import tracemalloc
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.monitoring.issues import IssueKind, IssueRef
from custom_components.alexa_care.util.log_privacy import secrets_of
from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    restore_state as rs,
    storage,
)
from homeassistant.util import dt as dt_util

from .common import settle, start_home_assistant, stop_home_assistant
from .conftest import TEST_EMAIL
from .fake_amazon import CUSTOMER_ID, HTML_PAGE
from .fake_push import FakePush
from .soak_invariants import Invariants, core_requests_per_hour
from .soak_schedule import DAYS, FLAKY_SHARE, Event, duration, events
from .soak_watch import LogWatch
from .soak_world import Household, SoakAmazon, Timeline, amazon_time

# While something is under way the clock moves in steps this long.
BUSY_STEP = timedelta(seconds=5)
# The automation's wait for a restart to work before it power-cycles:
# the restart's cooldown (10 minutes), and a minute.
RESTART_WAIT = timedelta(minutes=11)
WEEK = timedelta(days=7)
# A week's sampled day starts after tracing has run for a day, so that what
# a day replaces (the day's counts, Amazon's answers) was traced already.
MEMORY_WARM_UP = timedelta(days=1)
# The weeks sampled: the 2nd, 3rd and 4th.
MEMORY_WEEKS = (1, 2, 3)


class Soak:
    """Plays the month: the clock, the schedule, the household's automation."""

    def __init__(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        entry: MockConfigEntry,
        push: FakePush,
        aioclient_mock: AiohttpClientMocker,
        login_data: dict[str, Any],
    ) -> None:
        """The household, Amazon answering for it, and the invariants."""
        now = dt_util.utcnow()
        self.hass = hass
        self.freezer = freezer
        self.entry = entry
        self.push = push
        self.household = Household(push, now)
        self.amazon = SoakAmazon(self.household)
        self.amazon.register(aioclient_mock)
        self.aioclient_mock = aioclient_mock
        self.timeline = Timeline(day_zero=dt_util.start_of_local_day(now))
        self.invariants = Invariants(
            hass,
            entry.entry_id,
            self.household,
            self.amazon,
            lambda: sum(push.requests.values()),
            self.timeline,
        )
        self.transcripts: set[str] = set()
        self.outcomes: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._later: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._order = itertools.count()
        self._links: dict[str, str] = {}
        # What the automation did for each issue shown: (issue, since) → action → when.
        self._acted: dict[tuple[str, datetime], dict[str, datetime]] = {}
        self._runtime: object | None = None
        self._login_data = login_data
        self._secrets: dict[str, str] = {}
        self._secrets_learnt = (0, 0)
        self.log_watch = LogWatch(
            self.timeline, self.invariants.violations, self.secrets
        )

    # The clock.

    async def idle(self) -> None:
        """Let everything run that can, the push channel's streams too."""
        loop = self.hass.loop
        for _ in range(1000):
            await settle(self.hass)
            await asyncio.sleep(0)
            if not loop._ready:
                return

    def _busy(self, now: datetime) -> bool:
        moment = now.timestamp()
        return (
            any(not task.done() for task in self._tasks)
            or any(off.end is None for off in self.household.plug_offs)
            or any(
                echo.powered()
                and not echo.reachability.dropped
                and echo.reachability.back_online_at > moment
                for echo in self.household.account.echos.values()
            )
        )

    def _next_stop(self, now: datetime, next_event: datetime) -> datetime:
        minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        local = dt_util.as_local(now)
        day_end = dt_util.as_utc(
            dt_util.start_of_local_day(local.date() + timedelta(days=1))
            - timedelta(seconds=1)
        )
        stops = [minute, next_event, day_end]
        if self._later:
            stops.append(self._later[0][0])
        if self._busy(now):
            stops.append(now + BUSY_STEP)
        return min(stop for stop in stops if stop > now)

    def later(self, moment: datetime, action: Callable[[datetime], None]) -> None:
        """Do something at a moment (the end of a flap, of a storm)."""
        heapq.heappush(self._later, (moment, next(self._order), action))

    async def run(self, schedule: list[Event], end: datetime) -> None:
        """Live the schedule until `end`."""
        timed = [(self._moment(event), event) for event in schedule]
        upcoming = 0
        while (now := dt_util.utcnow()) < end:
            while upcoming < len(timed) and timed[upcoming][0] <= now:
                await self._do(timed[upcoming][1], now)
                upcoming += 1
            while self._later and self._later[0][0] <= now:
                heapq.heappop(self._later)[2](now)
            next_event = timed[upcoming][0] if upcoming < len(timed) else end
            stop = self._next_stop(now, next_event)
            self.freezer.move_to(stop)
            self.household.observe(stop)
            await self.idle()
            async_fire_time_changed(self.hass)
            await self.idle()
            await self._after(stop)

    def _moment(self, event: Event) -> datetime:
        day = self.timeline.day_zero.date() + timedelta(days=event.day)
        return dt_util.as_utc(
            datetime.combine(day, event.at, tzinfo=dt_util.get_default_time_zone())
        )

    async def _after(self, now: datetime) -> None:
        """The checks and the automation of a stop."""
        up = self.timeline.up and self.entry.state is ConfigEntryState.LOADED
        if up and (runtime := self.entry.runtime_data) is not self._runtime:
            # Set up anew (a reload, a start, the registry's own reload).
            self._runtime = runtime
            if self.timeline.setups[-1] != now:
                self.timeline.setups.append(now)
        local = dt_util.as_local(now)
        if (local.hour, local.minute, local.second) == (23, 59, 59):
            if up:
                # The day's counts are final.
                self.invariants.check(now, final=True)
        elif local.second == 0:
            await self._each_minute(now, up=up)
        else:
            self.invariants.check_plugs(now)

    async def _each_minute(self, now: datetime, *, up: bool) -> None:
        invariants = self.invariants
        local = dt_util.as_local(now)
        if up:
            invariants.check(now)
            self._automation(now)
            if local.minute % 15 == 0:
                # Home Assistant's periodic save of the states it restores.
                await rs.async_get(self.hass).async_dump_states()
        else:
            invariants.check_plugs(now)
        if local.minute == 0:
            invariants.check_hour(now)
            self.log_watch.forget_older_than(now - timedelta(hours=1))
        self._sample_memory(now)
        # What the test plugin's mocks keep of each request and each save.
        self.aioclient_mock.mock_calls.clear()
        write = storage.Store._async_write_data
        if reset := getattr(write, "reset_mock", None):
            reset()

    def _sample_memory(self, now: datetime) -> None:
        since_start = now - self.timeline.day_zero - timedelta(hours=12)
        if since_start // WEEK not in MEMORY_WEEKS:
            return
        into_week = since_start % WEEK
        if into_week == timedelta(0):
            self.invariants.start_memory_sample()
        elif into_week == MEMORY_WARM_UP:
            self.invariants.warm_memory_sample()
        elif into_week == MEMORY_WARM_UP + timedelta(days=1):
            self.invariants.end_memory_sample(now)

    # The household's automation: restart what Repairs shows offline.

    def _device_id(self, key: str) -> str:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, key), self.entry.entry_id
        )
        assert device is not None, key
        return device.id

    async def stop_automation(self) -> None:
        """End the actions the automation started (the month is over, or HA died)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _act(self, service: str, key: str) -> None:
        device_id = self._device_id(key)

        async def call() -> None:
            try:
                await self.hass.services.async_call(
                    DOMAIN, service, {"device_id": device_id}, blocking=True
                )
            except HomeAssistantError as err:
                self.outcomes[f"{service} refused: {err.translation_key}"] += 1
            else:
                self.outcomes[service] += 1

        task = self.hass.async_create_background_task(call(), f"soak: {service}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _automation(self, now: datetime) -> None:
        """An Echo shown offline: restart it; power-cycle it if that did not help."""
        issues = self.invariants.issues
        for key, echo in self.household.account.echos.items():
            issue_id = IssueRef(
                kind=IssueKind.DEVICE_UNAVAILABLE,
                entry_id=self.entry.entry_id,
                device_key=key,
            ).issue_id
            if (shown := issues.active.get(issue_id)) is None:
                continue
            done = self._acted.setdefault((issue_id, shown), {})
            plug = self._links.get(echo.identity.name)
            if echo.can_reboot and "restart" not in done:
                done["restart"] = now
                self._act("restart", key)
            elif (
                plug is not None
                and "power_cycle" not in done
                and (not echo.can_reboot or now - done["restart"] >= RESTART_WAIT)
            ):
                done["power_cycle"] = now
                self._act("power_cycle", key)

    # The schedule's events.

    async def _do(self, event: Event, now: datetime) -> None:
        handler: Callable[..., Awaitable[None] | None] = getattr(
            self, f"_on_{event.name}"
        )
        if (done := handler(now, *event.arguments)) is not None:
            await done
        await self.idle()

    async def _on_set_up(self, now: datetime) -> None:
        self.entry.add_to_hass(self.hass)
        self.timeline.setups.append(now)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)

    async def _on_link(self, now: datetime, echo: str, plug: str) -> None:
        serial = self.household.echo(echo).identity.serial
        entity_id = er.async_get(self.hass).async_get_entity_id(
            SELECT_DOMAIN, DOMAIN, f"{serial}-powered_by"
        )
        await self.hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: plug},
            blocking=True,
        )
        self._links[echo] = plug

    def _on_enable(self, now: datetime, name: str) -> None:
        assert name == "Offline time today"
        registry = er.async_get(self.hass)
        for entry in er.async_entries_for_config_entry(registry, self.entry.entry_id):
            if entry.unique_id.endswith("-offline_minutes"):
                # Home Assistant reloads the entry 30 s later.
                registry.async_update_entity(entry.entity_id, disabled_by=None)

    def _on_skew(self, now: datetime, skew: str) -> None:
        self.household.skew = duration(skew)

    def _on_flap(self, now: datetime, length: str) -> None:
        self.household.household_down(now)
        self.later(now + duration(length), self.household.household_up)

    _on_household_outage = _on_flap

    def _on_hang(self, now: datetime, echo: str) -> None:
        self.household.drop(echo, now)

    def _on_unreachable(self, now: datetime, echo: str) -> None:
        self.household.drop(echo, now, reboot_cures=False)

    def _on_drop(self, now: datetime, echo: str, length: str) -> None:
        self.household.drop(echo, now)
        self.later(
            now + duration(length), lambda at: self.household.come_back(echo, at)
        )

    def _on_unplug(self, now: datetime, echo: str, length: str) -> None:
        # Without power no restart reaches it; it has no plug to power-cycle.
        assert echo not in self._links, echo
        self.household.drop(echo, now, reboot_cures=False)
        self.later(
            now + duration(length), lambda at: self.household.come_back(echo, at)
        )

    def _trouble(
        self, now: datetime, how: str, length: timedelta, end: Callable[[], None]
    ) -> None:
        troubles = self.timeline.troubles
        troubles.append((now, None, how))
        number = len(troubles) - 1

        def over(at: datetime) -> None:
            end()
            troubles[number] = (now, at, how)

        self.later(now + length, over)

    def _on_throttle(self, now: datetime, length: str) -> None:
        self.amazon.throttling = self.push.throttling = True

        def end() -> None:
            self.amazon.throttling = self.push.throttling = False

        self._trouble(now, "throttle", duration(length), end)

    def _on_flaky(self, now: datetime, length: str) -> None:
        self.amazon.flaky_share = FLAKY_SHARE

        def end() -> None:
            self.amazon.flaky_share = 0.0

        self._trouble(now, "flaky", duration(length), end)

    def _on_html_page(self, now: datetime) -> None:
        self.amazon.fail_next(HTML_PAGE)
        # One poll fails: the entities wait for the next.
        self._trouble(now, "html page", timedelta(minutes=6), lambda: None)

    def _on_push_drop(self, now: datetime) -> None:
        self.push.drop()

    def _on_push_refuse(self, now: datetime, length: str) -> None:
        self.push.refusing = True
        self.push.drop()

        def end(_at: datetime) -> None:
            self.push.refusing = False

        self.later(now + duration(length), end)

    def _on_push_silent(self, now: datetime, length: str) -> None:
        channel = self.household.push
        channel.silence(now)
        self.later(now + duration(length), channel.speak)

    async def _stop(self, now: datetime, *, crash: bool) -> None:
        if crash:
            self.timeline.crashes.append(now)
            # The automation's actions die with the process.
            await self.stop_automation()
        self.timeline.downtimes.append((now, None))
        await stop_home_assistant(self.hass, self.entry, crash=crash)

    async def _on_crash(self, now: datetime) -> None:
        await self._stop(now, crash=True)

    async def _on_stop(self, now: datetime) -> None:
        await self._stop(now, crash=False)

    async def _on_start(self, now: datetime) -> None:
        start, _ = self.timeline.downtimes[-1]
        self.timeline.downtimes[-1] = (start, now)
        self.timeline.setups.append(now)
        self.invariants.issues.restarted()
        await start_home_assistant(self.hass, self.entry)

    async def _on_reload(self, now: datetime) -> None:
        self.timeline.setups.append(now)
        assert await self.hass.config_entries.async_reload(self.entry.entry_id)

    def _on_token_refresh(self, now: datetime) -> None:
        self.amazon.token_generation += 1

    def _on_rename(self, now: datetime, name: str, new_name: str) -> None:
        self.household.rename(name, new_name)

    def _on_add(self, now: datetime, name: str) -> None:
        assert self.household.add_echo(now).identity.name == name

    def _on_remove(self, now: datetime, name: str) -> None:
        self.household.remove(name, now)

    def _on_power_cycle(self, now: datetime, echo: str) -> None:
        self._act("power_cycle", self.household.echo(echo).identity.serial)

    def _on_voice(self, now: datetime, echo: str, heard: str) -> None:
        self.transcripts.add(heard)
        self.amazon.add_voice_record(
            echo, heard, amazon_time(now + self.household.skew)
        )
        self.household.voice_request(self.household.echo(echo).identity.serial)

    def _on_dnd(self, now: datetime, echo: str, state: str) -> None:
        serial = self.household.echo(echo).identity.serial
        self.household.set_do_not_disturb(serial, enabled=state == "on", now=now)

    def _on_switch(self, now: datetime, plug: str, state: str) -> None:
        endpoint_id = self.household.plug(plug).identity.endpoint_id
        self.household.set_power(
            endpoint_id, on=state == "on", now=now, by_home_assistant=False
        )

    # What the log must never show.

    def secrets(self) -> dict[str, str]:
        """Every secret and transcript of the month so far, by what it is."""
        # Built anew when Amazon handed out a token or someone spoke: the
        # login's secrets alone outnumber both, so a count of the dict's
        # entries would not tell.
        learnt = (len(self.amazon.access_tokens), len(self.transcripts))
        if not self._secrets or learnt != self._secrets_learnt:
            self._secrets_learnt = learnt
            found = dict.fromkeys(
                secrets_of(TEST_EMAIL, self._login_data), "a login secret"
            )
            found[TEST_EMAIL] = "the email"
            found[CUSTOMER_ID] = "the customer id"
            found.update(dict.fromkeys(self.amazon.access_tokens, "an access token"))
            found.update(dict.fromkeys(self.transcripts, "a transcript"))
            self._secrets = found
        return self._secrets

    def totals(self, seconds: float) -> str:
        """The month's totals, as the README shows them."""
        totals = self.invariants.totals
        issues = self.invariants.issues
        hours = totals.requests_by_hour
        worst = max(hours, key=hours.__getitem__)
        core = core_requests_per_hour(len(self.household.account.echos))
        memory = ", ".join(f"{size / 1024:.0f}" for size in totals.memory_by_week)
        rows = [
            (
                "Amazon requests",
                f"{totals.requests:,} ({totals.requests / len(hours):.1f} an hour)",
            ),
            (
                "worst hour for requests",
                f"{hours[worst]} ({worst}; core: {core:.0f} every hour)",
            ),
            ("state writes", f"{totals.state_writes:,}"),
            (
                "events pushed",
                ", ".join(
                    f"{name}: {count}"
                    for name, count in sorted(self.household.push.events.items())
                ),
            ),
            ("issues raised", f"{sum(issues.raised.values())} ({dict(issues.raised)})"),
            (
                "issues cleared",
                f"{sum(issues.cleared.values())} ({dict(issues.cleared)})",
            ),
            ("false alarms", str(totals.false_alarms)),
            (
                "missed hangs",
                (
                    f"{totals.missed} (of {totals.offline_episodes} devices offline "
                    "past the grace period)"
                ),
            ),
            ("memory a day added, weeks 2, 3, 4 (KiB)", memory),
            (
                "automation",
                ", ".join(f"{k}: {v}" for k, v in sorted(self.outcomes.items())),
            ),
            ("log lines read (all levels)", f"{self.log_watch.lines:,}"),
            ("real time", f"{seconds:.0f} s"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"| {name:<{width}} | {value} |" for name, value in rows)


@pytest.fixture
def quiet_capture() -> Generator[None]:
    """The log's handlers take WARNING and above during the month; ours, DEBUG.

    Pytest's capture keeps every record it takes, and the test plugin's
    stream handler writes to the captured output: a month of DEBUG lines
    would be the largest thing in memory. The soak's LogWatch reads every
    line itself.
    """
    root = logging.getLogger()
    captures = [h for h in root.handlers if h.level < logging.WARNING]
    levels = [h.level for h in captures]
    for handler in captures:
        handler.setLevel(logging.WARNING)
    loggers = [
        logging.getLogger(name)
        for name in (f"custom_components.{DOMAIN}", "aioamazondevices")
    ]
    logger_levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    yield
    for handler, level in zip(captures, levels, strict=True):
        handler.setLevel(level)
    for logger, level in zip(loggers, logger_levels, strict=True):
        logger.setLevel(level)


@pytest.mark.usefixtures("quiet_capture")
async def test_a_month_in_a_real_home(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    aioclient_mock: AiohttpClientMocker,
    fake_push: FakePush,
    mock_config_entry: MockConfigEntry,
    login_data: dict[str, Any],
) -> None:
    """Thirty days of the schedule; every invariant holds after every minute."""
    started = os.times().elapsed
    loop = hass.loop
    debug, slow = loop.get_debug(), loop.slow_callback_duration
    # Asyncio's debug mode records where every handle was created: three
    # quarters of the month's run time. And the frozen clock jumps while a
    # callback runs: asyncio would call every step a slow callback.
    loop.set_debug(False)
    loop.slow_callback_duration = timedelta(days=DAYS + 1).total_seconds()
    soak = Soak(hass, freezer, mock_config_entry, fake_push, aioclient_mock, login_data)
    logging.getLogger().addHandler(soak.log_watch)
    try:
        start = dt_util.utcnow()
        await soak.run(events(), start + timedelta(days=DAYS))
    finally:
        tracemalloc.stop()  # if a sampled day was under way
        logging.getLogger().removeHandler(soak.log_watch)
        await soak.stop_automation()
        loop.set_debug(debug)
        loop.slow_callback_duration = slow
    if mock_config_entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await settle(hass)
    print(soak.totals(os.times().elapsed - started))  # noqa: T201
    assert not soak.invariants.violations.counts, soak.invariants.violations.report()

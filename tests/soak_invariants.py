"""The soak's invariants: named checks, each failure naming the day and time.

They judge what Home Assistant shows (states, repair issues, log lines,
Amazon's requests) against the household's truth (soak_world.py). What
Alexa Care cannot know is allowed for, and said where: a drop that begins
and ends between two polls while no push comes is not seen (the README's
Data updates), so such a drop "may" be counted; one Amazon pushed, or that
lasted longer than the slowest poll, "must" be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
import gc
import math
import tracemalloc

from custom_components.alexa_care.const import (
    DEFAULT_GRACE,
    DEFAULT_OFF_SECONDS,
    DOMAIN,
    DROPS_FOR_ISSUE,
    DROPS_WINDOW,
    PLUG_RETRY_DELAY,
    POWER_ON_ATTEMPTS,
    PUSH_RECONCILE_INTERVAL,
)
from custom_components.alexa_care.monitoring.issues import (
    IssueKind,
    IssueRef,
    issue_of_data,
)
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util

from .soak_watch import IssueWatch, Totals, Violations, minutes
from .soak_world import Change, Household, Outage, SoakAmazon, Timeline

# The invariants; the log's two are soak_watch.py's.
PLUG_OFF = "no plug off longer than a power cycle takes"
ONE_ISSUE = "an Echo offline gets one issue, after the grace period, gone when back"
HOUSEHOLD_NOT_DEVICES = "no device issue or device count for a household outage"
HOUSEHOLD_COUNTED = "household outages counted once, on the account"
OUTAGE_NOTICE = "a household outage past the grace period gets its one notice"
DAILY_COUNTS = "daily counts right at midnight"
UNCHANGED_WRITES = "no state written that did not change"
REQUEST_BUDGET = "Amazon requests per hour within the budget, below core's"
FLAT_MEMORY = "memory does not grow from one week to the next"
FALSE_ALARMS = "no issue the household does not warrant"
STATES_FOLLOW = (
    "what Amazon reports reaches Home Assistant within a reconciling poll; "
    "once a poll has found the push channel silent, within a poll"
)

GRACE = DEFAULT_GRACE
# The clock moves a minute at a time, 5 s while something is under way.
STEP = timedelta(minutes=1)
# How late Alexa Care may learn of a change, and so raise or withdraw an
# issue: pushed, at the next minute's recheck; polled with the channel
# closed, at the next poll (5 min); with the channel open but silent, at
# the next reconciling poll (30 min).
PUSHED = timedelta(minutes=2)
POLLED = timedelta(minutes=6)
RECONCILED = PUSH_RECONCILE_INTERVAL + timedelta(minutes=1)
# A power cycle: off for 20 s, two more tries 5 s apart to switch it on,
# and the clock's 5 s step.
POWER_CYCLE = timedelta(
    seconds=DEFAULT_OFF_SECONDS
    + (POWER_ON_ATTEMPTS - 1) * PLUG_RETRY_DELAY.total_seconds()
    + 5
)
# Home Assistant's own dump of the states it restores runs every 15 minutes:
# a crash loses what was counted since.
RESTORE_DUMP = timedelta(minutes=15)
# Core's alexa_devices (2026.10): a poll every 300 s (its coordinator's
# SCAN_INTERVAL) of N + 2 requests for N Echos (the benchmark's count),
# and the library's keep-alive ping every 280 s.
CORE_POLL = timedelta(seconds=300)
LIBRARY_PING = timedelta(seconds=280)
# Our budget: half of core's steady rate (66 an hour at 8 Echos), storms
# included. With the push channel closed an hour costs a poll of 2 requests
# every 5 minutes (24), the hourly Echo list, the voice history every 15
# minutes with its access token (8); a channel Amazon refuses adds its
# reconnects, each with a token (a dozen in the first hour); an idle hour
# with the channel open costs about 17, its keep-alive pings included.
REQUEST_BUDGET_SHARE = 0.5
# Memory a day may add from the month's third week on (tracemalloc, after a
# full collection); the second week's day is shown, still filling caches.
# A day measures 10 to 25 KiB without a leak: states written during it
# replace ones written before tracing began, whose freeing is not seen. A
# leak of a few hundred bytes per poll or per push event shows above it.
MEMORY_PER_DAY = 48 * 1024
# What the soak itself allocates, left out of what it measures.
HARNESS = (
    tracemalloc.Filter(inclusive=False, filename_pattern="*/tests/*"),
    tracemalloc.Filter(inclusive=False, filename_pattern="*/devtools/*"),
    tracemalloc.Filter(inclusive=False, filename_pattern="*/test_util/*"),
    tracemalloc.Filter(inclusive=False, filename_pattern="*/unittest/mock.py"),
    tracemalloc.Filter(inclusive=False, filename_pattern="*/tracemalloc.py"),
    # The library detects the character set of every answer; charset_normalizer
    # keeps the last 2,048 chunks it judged (an lru_cache): about 200 a day
    # here, so an entry lives ten days, longer than the sample traces, and
    # each one a day replaces would count as growth.
    tracemalloc.Filter(inclusive=False, filename_pattern="*/charset_normalizer/*"),
)


# The entity that shows each kind of change: its platform and description.
SHOWN_BY = {
    "online": ("binary_sensor", "connectivity"),
    "dnd": ("switch", "do_not_disturb"),
    "power": ("switch", "power"),
}


def core_requests_per_hour(echos: int) -> float:
    """Core's steady rate for an account of `echos` Echos."""
    hour = timedelta(hours=1)
    return hour / CORE_POLL * (echos + 2) + hour / LIBRARY_PING


class Invariants:
    """Checked after every simulated minute (and a second before midnight)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        household: Household,
        amazon: SoakAmazon,
        push_requests: Callable[[], int],
        timeline: Timeline,
    ) -> None:
        """Start watching: issues, state writes."""
        self._hass = hass
        self._entry_id = entry_id
        self._household = household
        self._amazon = amazon
        self._push_requests = push_requests
        self._timeline = timeline
        self.violations = Violations()
        self.totals = Totals()
        self.issues = IssueWatch(hass, timeline)
        self.issues.on_raise.append(self._judge_raise)
        self._raised_in: Counter[tuple[str, datetime]] = Counter()
        self._issue_seen_in: set[tuple[str, datetime]] = set()
        self._judged_outages: set[tuple[str, datetime]] = set()
        self._plugs_flagged: set[int] = set()
        self._setup_checked: datetime | None = None
        self._memory_before: tracemalloc.Snapshot | None = None
        self._requests_at_hour = 0
        self._hour: datetime | None = None
        self._entities = er.async_get(hass)
        hass.bus.async_listen(EVENT_STATE_CHANGED, self._state_changed)
        hass.bus.async_listen(
            EVENT_STATE_REPORTED, self._state_reported, event_filter=self._is_ours
        )

    # Helpers.

    def _label(self, moment: datetime | None = None) -> str:
        return self._timeline.label(moment or dt_util.utcnow())

    def _issue(self, kind: IssueKind, key: str | None = None) -> str:
        return IssueRef(kind=kind, entry_id=self._entry_id, device_key=key).issue_id

    def _entity(self, key: str, description: str) -> str | None:
        return self._entities.async_get_entity_id(
            "sensor", DOMAIN, f"{key}-{description}"
        )

    def _number(self, entity_id: str | None) -> float | None:
        if entity_id is None or (state := self._hass.states.get(entity_id)) is None:
            return None
        try:
            value = float(state.state)
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    @callback
    def _is_ours(self, data: dict[str, object]) -> bool:
        entry = self._entities.async_get(str(data["entity_id"]))
        return entry is not None and entry.platform == DOMAIN

    def _latency(self, outage: Outage, *, end: bool = False) -> timedelta:
        """How late Alexa Care may learn that the outage began (or ended)."""
        if outage.pushed_end if end else outage.pushed:
            return PUSHED
        return RECONCILED if outage.channel_open else POLLED

    # State writes.

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        if not self._is_ours(event.data):  # type: ignore[arg-type]
            return
        self.totals.state_writes += 1
        old, new = event.data["old_state"], event.data["new_state"]
        if (
            old is not None
            and new is not None
            and old.state == new.state
            and old.attributes == new.attributes
        ):
            self.violations.add(
                UNCHANGED_WRITES,
                self._label(),
                f"{new.entity_id} written as {new.state!r} again",
                subject=new.entity_id,
            )

    @callback
    def _state_reported(self, event: Event) -> None:
        self.totals.state_writes += 1
        self.violations.add(
            UNCHANGED_WRITES,
            self._label(),
            f"{event.data['entity_id']} written unchanged "
            f"({event.data['new_state'].state!r})",
            subject=event.data["entity_id"],
        )

    # Issues.

    def _judge_raise(self, issue_id: str, now: datetime) -> None:
        """An issue the user sees now: is the household's truth behind it?"""
        shown = ir.async_get(self._hass).async_get_issue(DOMAIN, issue_id)
        ref = issue_of_data(shown.data if shown else None)
        household = self._household
        warranted = False
        if ref is None:
            pass
        elif ref.kind is IssueKind.DEVICE_UNAVAILABLE and ref.device_key:
            outage = household.open_outage(ref.device_key)
            warranted = (
                outage is not None
                and not outage.household
                and now - outage.start >= GRACE - STEP
            )
            if outage is not None:
                episode = (issue_id, outage.start)
                self._raised_in[episode] += 1
                if self._raised_in[episode] > 1:
                    self.violations.add(
                        ONE_ISSUE,
                        self._label(now),
                        f"{household.name(ref.device_key)}: issue raised "
                        f"{self._raised_in[episode]} times in one outage",
                        subject=f"{ref.device_key} raised",
                    )
        elif ref.kind is IssueKind.MOST_DEVICES_OFFLINE:
            down = household.down_since
            warranted = down is not None and now - down >= GRACE - STEP
        elif ref.kind is IssueKind.DEVICE_KEEPS_DROPPING and ref.device_key:
            warranted = self._drops_in_a_day(ref.device_key, now) >= DROPS_FOR_ISSUE
        elif ref.kind is IssueKind.THROTTLED:
            warranted = any(
                how == "throttle" and (end is None or now - end < timedelta(hours=1))
                for _, end, how in self._timeline.troubles
            )
        elif ref.kind is IssueKind.PLUG_LEFT_OFF and ref.device_key:
            warranted = any(
                off.key == ref.device_key and off.end is None
                for off in household.plug_offs
            )
        if not warranted:
            self.totals.false_alarms += 1
            about = household.name(ref.device_key) if ref and ref.device_key else ""
            kind = ref.kind if ref else issue_id
            self.violations.add(
                FALSE_ALARMS,
                self._label(now),
                f"{kind} {about} raised; "
                + self._truth(ref.device_key if ref else None, now),
                subject=f"{about} {now.isoformat()} {kind}",
            )

    def _truth(self, key: str | None, now: datetime) -> str:
        """What the household knows of a device now, for a failure message."""
        household = self._household
        down = household.down_since
        text = f"household down since {self._label(down)}" if down else "household up"
        if key is None:
            return text
        outage = household.open_outage(key)
        if outage is None:
            last = next((o for o in reversed(household.outages) if o.key == key), None)
            back = f", back since {self._label(last.end)}" if last and last.end else ""
            return f"{text}; device online{back}"
        return f"{text}; device offline since {self._label(outage.start)}" + (
            " with the household" if outage.household else ""
        )

    def _drops_in_a_day(self, key: str, now: datetime) -> int:
        return sum(
            1
            for outage in self._household.outages
            if outage.key == key
            and not outage.household
            and now - outage.start < DROPS_WINDOW
        )

    def _check_device_issues(self, now: datetime) -> None:
        household = self._household
        since_setup = now - (self._timeline.last_setup(now) or now)
        for key in household.devices():
            issue_id = self._issue(IssueKind.DEVICE_UNAVAILABLE, key)
            shown = self.issues.is_active(issue_id)
            name = household.name(key)
            outage = household.open_outage(key)
            if outage is not None and shown:
                self._issue_seen_in.add((issue_id, outage.start))
            if outage is None:
                last = next(
                    (o for o in reversed(household.outages) if o.key == key), None
                )
                if (
                    shown
                    and last is not None
                    and now - (last.end or now) > self._latency(last, end=True)
                ):
                    self.violations.add(
                        ONE_ISSUE,
                        self._label(now),
                        f"{name}: its issue stays "
                        f"{minutes(now - (last.end or now)):.0f} min "
                        "after it came back",
                        subject=f"{name} stays",
                    )
                continue
            offline = now - outage.start
            if outage.household:
                if shown:
                    self.violations.add(
                        HOUSEHOLD_NOT_DEVICES,
                        self._label(now),
                        f"{name}: an issue of its own in the household outage",
                        subject=f"{name} issue",
                    )
                continue
            if shown and offline < GRACE - STEP:
                self.violations.add(
                    ONE_ISSUE,
                    self._label(now),
                    f"{name}: issue after {minutes(offline):.0f} min offline, "
                    f"before the grace period ({minutes(GRACE):.0f} min)",
                    subject=f"{name} early",
                )
            deadline = GRACE + self._latency(outage)
            if (
                not shown
                and offline >= deadline
                and since_setup >= PUSHED
                and not self._timeline.troubled(outage.start, outage.start + deadline)
            ):
                self.violations.add(
                    ONE_ISSUE,
                    self._label(now),
                    f"{name}: offline {minutes(offline):.0f} min and no issue",
                    subject=f"{name} missing",
                )

    def _check_missed(self, now: datetime) -> None:
        """Outages that ended: each one past the grace period was shown, or missed."""
        for outage in self._household.outages:
            episode = (outage.key, outage.start)
            if (
                outage.end is None
                or outage.household
                or episode in self._judged_outages
            ):
                continue
            self._judged_outages.add(episode)
            if outage.duration(now) < GRACE or self._timeline.troubled(
                outage.start, outage.end
            ):
                continue
            self.totals.offline_episodes += 1
            issue_id = self._issue(IssueKind.DEVICE_UNAVAILABLE, outage.key)
            shown = (issue_id, outage.start) in self._issue_seen_in
            if not shown and outage.duration(now) >= GRACE + self._latency(outage):
                self.totals.missed += 1

    def _check_outage_notice(self, now: datetime) -> None:
        household = self._household
        notice = self.issues.is_active(self._issue(IssueKind.MOST_DEVICES_OFFLINE))
        since_setup = now - (self._timeline.last_setup(now) or now)
        if (down := household.down_since) is not None:
            outage = next(
                (
                    o
                    for o in reversed(household.outages)
                    if o.household and o.start >= down
                ),
                None,
            )
            latency = PUSHED if outage is None else self._latency(outage)
            if notice and now - down < GRACE - STEP:
                self.violations.add(
                    OUTAGE_NOTICE,
                    self._label(now),
                    f"notice after {minutes(now - down):.0f} min, "
                    "before the grace period",
                    subject="early",
                )
            if (
                not notice
                and now - down >= GRACE + latency
                and since_setup >= PUSHED
                and not self._timeline.troubled(down, down + GRACE + latency)
            ):
                self.violations.add(
                    OUTAGE_NOTICE,
                    self._label(now),
                    f"household down {minutes(now - down):.0f} min and no notice",
                    subject="missing",
                )
            return
        ends = [end for _, end in household.household_outages if end is not None]
        if notice and ends and now - ends[-1] > POLLED:
            self.violations.add(
                OUTAGE_NOTICE,
                self._label(now),
                f"notice stays {minutes(now - ends[-1]):.0f} min "
                "after the household is back",
                subject="stays",
            )

    # Counts.

    def _day_outages(
        self, key: str, day_start: datetime, now: datetime
    ) -> list[Outage]:
        return [
            outage
            for outage in self._household.outages
            if outage.key == key
            and outage.start < now
            and (outage.end or now) > day_start
        ]

    def _must_count(self, outage: Outage, now: datetime) -> bool:
        """Whether Alexa Care must have counted this drop by `now`."""
        timeline = self._timeline
        if (
            timeline.down_at(outage.start)
            or timeline.crashed_within(outage.start, RESTORE_DUMP)
            or timeline.troubled(outage.start, outage.start + self._latency(outage))
        ):
            return False
        return outage.pushed or outage.duration(now) >= self._latency(outage)

    def drop_offs_expected(self, key: str, now: datetime) -> tuple[int, int]:
        """Today's drop-offs that must be counted, and those that may be."""
        day_start = self._timeline.midnight_before(now)
        must = may = 0
        for outage in self._day_outages(key, day_start, now):
            if outage.household or outage.start < day_start:
                continue
            if self._must_count(outage, now):
                must += 1
            else:
                may += 1
        return must, may

    def offline_expected(self, key: str, now: datetime) -> tuple[float, float, float]:
        """Today's offline minutes outside household outages, and the bounds.

        Alexa Care counts from when Amazon lost the device (its stamp, off
        by Amazon's clock, or the push) to when it learns the device is
        back (the push, or the next poll); a drop it may not have seen may
        count from nothing up to all of it.
        """
        day_start = self._timeline.midnight_before(now)
        skew = abs(self._household.skew)
        true = low = high = timedelta(0)
        for outage in self._day_outages(key, day_start, now):
            if outage.household:
                continue
            within = min(outage.end or now, now) - max(outage.start, day_start)
            end_late = self._latency(outage, end=True) if outage.end else PUSHED
            true += within
            if not self._must_count(outage, now):
                high += within + end_late
                continue
            start_off = STEP + (timedelta(0) if outage.pushed else skew)
            low += max(within - start_off - end_late, timedelta(0))
            high += within + start_off + end_late
        return minutes(true), minutes(low), minutes(high)

    def _check_counts(self, now: datetime, *, final: bool) -> None:
        """Drop-offs never above what happened; at the day's end, also not below.

        Offline time is checked at the day's end and as Alexa Care starts.
        """
        label = self._label(now)
        just_set_up = self._timeline.setups[-1] != self._setup_checked
        self._setup_checked = self._timeline.setups[-1]
        for key in self._household.devices():
            name = self._household.name(key)
            household_drops, household_minutes = self._household_today(key, now)
            drops = self._number(self._entity(key, "drop_offs"))
            if drops is not None:
                must, may = self.drop_offs_expected(key, now)
                if drops > must + may:
                    # The household's drops counted as the device's; more
                    # than they were, a count midnight did not reset.
                    self.violations.add(
                        HOUSEHOLD_NOT_DEVICES
                        if drops - (must + may) <= household_drops
                        else DAILY_COUNTS,
                        label,
                        f"{name}: {drops:.0f} drop-offs today, {must + may} happened"
                        " outside household outages",
                        subject=f"{name} drops",
                    )
                elif final and drops < must:
                    self.violations.add(
                        DAILY_COUNTS,
                        label,
                        f"{name}: {drops:.0f} drop-offs today, {must} seen",
                        subject=f"{name} drops",
                    )
            offline = self._number(self._entity(key, "offline_minutes"))
            if offline is not None and (final or just_set_up):
                true, low, high = self.offline_expected(key, now)
                if not low - 0.1 <= offline <= high + 0.1:
                    self.violations.add(
                        HOUSEHOLD_NOT_DEVICES
                        if high < offline <= high + household_minutes + 0.1
                        else DAILY_COUNTS,
                        label,
                        f"{name}: {offline:.1f} min offline today; {true:.1f} outside "
                        f"household outages, so {low:.1f} to {high:.1f}",
                        subject=f"{name} offline",
                    )

    def _household_today(self, key: str, now: datetime) -> tuple[int, float]:
        """The device's household drops today, and the most minutes they may add.

        What Alexa Care counted beyond the device's own can be these only if
        it is no more than they: more is a count that midnight did not reset.
        """
        day_start = self._timeline.midnight_before(now)
        skew = abs(self._household.skew)
        drops, most = 0, timedelta(0)
        for outage in self._day_outages(key, day_start, now):
            if not outage.household:
                continue
            # A drop counts on the day it began, as drop_offs_expected counts.
            drops += outage.start >= day_start
            within = min(outage.end or now, now) - max(outage.start, day_start)
            end_late = self._latency(outage, end=True) if outage.end else PUSHED
            most += within + STEP + skew + end_late
        return drops, minutes(most)

    def household_outages_today(self) -> float | None:
        """The account's *Household outages today*, if Alexa Care has the sensor."""
        entity_id = self._entities.async_get_entity_id(
            "sensor", DOMAIN, f"{self._entry_id}-household_outages"
        )
        return self._number(entity_id)

    def _check_household_count(self, now: datetime) -> None:
        day_start = self._timeline.midnight_before(now)
        must = may = 0
        for start, _ in self._household.household_outages:
            if not day_start <= start < now:
                continue
            outage = next(
                (
                    o
                    for o in self._household.outages
                    if o.household and o.start == start
                ),
                None,
            )
            if outage is not None and self._must_count(outage, now):
                must += 1
            else:
                may += 1
        counted = self.household_outages_today()
        if counted is None:
            if self._timeline.label(now).endswith("12:00:00"):
                self.violations.add(
                    HOUSEHOLD_COUNTED,
                    self._label(now),
                    "no *Household outages today* sensor (unique id "
                    f"{self._entry_id}-household_outages): pending feature",
                    subject="sensor",
                )
            return
        if not must <= counted <= must + may:
            self.violations.add(
                HOUSEHOLD_COUNTED,
                self._label(now),
                f"*Household outages today* shows {counted:.0f}, "
                f"{must} to {must + may} happened",
                subject="count",
            )

    # What Home Assistant shows.

    def _stall_noticed(self, moment: datetime) -> datetime | None:
        """When a poll first found a change the silent channel had not pushed."""
        if (start := self._household.push.silence_at(moment)) is None:
            return None
        for poll in self._amazon.polls:
            if poll > start and any(
                start <= change.at < poll and change.channel_open and not change.pushed
                for change in self._household.changes
            ):
                return poll
        return None

    def _allowed(self, change: Change) -> timedelta:
        """How long Home Assistant may show a change late."""
        if change.pushed:
            return PUSHED
        if not change.channel_open:
            return POLLED
        noticed = self._stall_noticed(change.at)
        if noticed is not None and noticed <= change.at:
            return POLLED
        return RECONCILED

    def _check_states(self, now: datetime) -> None:
        household = self._household
        for (key, what), change in household.latest.items():
            domain, description = SHOWN_BY[what]
            entity_id = self._entities.async_get_entity_id(
                domain, DOMAIN, f"{key}-{description}"
            )
            state = self._hass.states.get(entity_id) if entity_id else None
            if state is None or state.state not in (STATE_ON, STATE_OFF):
                continue
            if (state.state == STATE_ON) == change.value:
                continue
            late = now - change.at
            if late <= self._allowed(change) or self._timeline.troubled(change.at, now):
                continue
            self.violations.add(
                STATES_FOLLOW,
                self._label(now),
                f"{household.name(key)}: {entity_id} shows {state.state}, "
                f"Amazon changed it {minutes(late):.0f} min ago"
                + (
                    " while the push channel was silent"
                    if household.push.silence_at(change.at)
                    else ""
                ),
                subject=f"{key} {what}",
            )

    # Plugs.

    def check_plugs(self, now: datetime) -> None:
        """Every plug Home Assistant switched off was on again within a power cycle."""
        for number, off in enumerate(self._household.plug_offs):
            if number in self._plugs_flagged:
                continue
            up = self._timeline.up_time(off.start, off.end or now)
            if up > POWER_CYCLE:
                self._plugs_flagged.add(number)
                self.violations.add(
                    PLUG_OFF,
                    self._label(now),
                    f"{self._household.name(off.key)} off for "
                    f"{up.total_seconds():.0f} s "
                    "while Home Assistant ran (a power cycle: "
                    f"{POWER_CYCLE.total_seconds():.0f} s)",
                )

    # Requests and memory.

    def check_hour(self, now: datetime) -> None:
        """An hour ended: how many requests Amazon got in it."""
        total = self._amazon.total + self._push_requests()
        if self._hour is not None:
            count = total - self._requests_at_hour
            label = self._timeline.label(self._hour)[:-3]
            self.totals.requests_by_hour[label] = count
            core = core_requests_per_hour(len(self._household.account.echos))
            if count > core * REQUEST_BUDGET_SHARE:
                self.violations.add(
                    REQUEST_BUDGET,
                    label,
                    f"{count} requests in the hour "
                    f"(budget {core * REQUEST_BUDGET_SHARE:.0f}, core {core:.0f})",
                )
        self.totals.requests = total
        self._hour = now
        self._requests_at_hour = total

    def start_memory_sample(self) -> None:
        """A sampled day is near: trace what is allocated from now on."""
        gc.collect()
        tracemalloc.start()

    def warm_memory_sample(self) -> None:
        """Tracing has run a while: what is allocated and freed in a day is traced."""
        gc.collect()
        self._memory_before = tracemalloc.take_snapshot().filter_traces(HARNESS)

    def end_memory_sample(self, now: datetime) -> None:
        """A sampled day ended: how much more Home Assistant and Alexa Care hold.

        Tracing costs six times the run time, so it runs two days a week:
        a day to trace what a day replaces (states, Amazon's answers, Home
        Assistant's saves), then the day measured. A leak shows as memory
        each measured day adds, week after week. What the soak itself keeps
        (its truth, the fake Amazon's answers, the test plugin's mocks) is
        left out.
        """
        gc.collect()
        after = tracemalloc.take_snapshot().filter_traces(HARNESS)
        grown = sum(
            stat.size_diff for stat in after.compare_to(self._memory_before, "filename")
        )
        tracemalloc.stop()
        weeks = self.totals.memory_by_week
        weeks.append(grown)
        if len(weeks) > 1 and grown > MEMORY_PER_DAY:
            self.violations.add(
                FLAT_MEMORY,
                self._label(now),
                f"a day added {grown / 1024:.0f} KiB "
                f"(at most {MEMORY_PER_DAY / 1024:.0f}; "
                f"a day the week before: {weeks[-2] / 1024:.0f} KiB)",
            )

    # The minute's checks.

    def check(self, now: datetime, *, final: bool = False) -> None:
        """Everything that must hold now, Home Assistant running."""
        self._check_device_issues(now)
        self._check_missed(now)
        self._check_outage_notice(now)
        self._check_counts(now, final=final)
        self._check_household_count(now)
        self._check_states(now)
        self.check_plugs(now)

"""What the soak watches besides states: issues, log lines, and what broke.

Each broken invariant is noted with the moment it broke (soak_world's
labels: "day 9 23:57:00"); the test fails at the end of the month with
every one of them, so that one run shows all that the month found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import override

from custom_components.alexa_care.const import DOMAIN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .soak_world import Timeline

REPEATED_LOG = "no log line above DEBUG repeated within an hour"
SECRETS = "no secret or transcript in any log line"
# Occurrences shown of each broken invariant.
SHOWN = 5


def minutes(delta: timedelta) -> float:
    """A duration in minutes, for a failure message."""
    return delta.total_seconds() / 60


def _kind(issue_id: str) -> str:
    # An issue id starts with its kind (custom_components/alexa_care/issues.py).
    return issue_id.partition(".")[0]


@dataclass
class Violations:
    """What broke, by invariant: the first few occurrences, and how often."""

    found: dict[str, list[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)
    _kinds: set[tuple[str, str]] = field(default_factory=set)

    def add(self, name: str, label: str, text: str, subject: str = "") -> None:
        """Note a violation of `name` at the moment `label`.

        A `subject` (a device, say) is counted once a day: a check that
        fails every minute of an outage is one violation, not sixty.
        """
        if subject:
            day = label.split()[1]
            if (name, subject, day) in self._seen:
                return
            self._seen.add((name, subject, day))
        self.counts[name] += 1
        shown = self.found.setdefault(name, [])
        # The first few, and the first of each other kind of subject.
        kind = (name, subject.rsplit(maxsplit=1)[-1] if subject else "")
        if len(shown) < SHOWN or kind not in self._kinds:
            shown.append(f"{label}: {text}")
        self._kinds.add(kind)

    def report(self) -> str:
        """Every broken invariant, its first occurrences and its count."""
        return "\n".join(
            f"{name} ({self.counts[name]} times):\n  " + "\n  ".join(shown)
            for name, shown in self.found.items()
        )


class IssueWatch:
    """Our repair issues as the user sees them: raised, cleared, re-shown."""

    def __init__(self, hass: HomeAssistant, timeline: Timeline) -> None:
        """Follow the issue registry's events."""
        self._hass = hass
        self._timeline = timeline
        self.active: dict[str, datetime] = {}
        self.raised: Counter[str] = Counter()
        self.cleared: Counter[str] = Counter()
        # Issues a restart of Home Assistant hid (non-persistent issues are
        # not restored); raised again after it, they are the same notice.
        self._hidden: set[str] = set()
        self.on_raise: list[Callable[[str, datetime], None]] = []
        hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, self._updated)

    @callback
    def _updated(self, event: Event[ir.EventIssueRegistryUpdatedData]) -> None:
        if event.data["domain"] != DOMAIN:
            return
        issue_id = event.data["issue_id"]
        issue = ir.async_get(self._hass).async_get_issue(DOMAIN, issue_id)
        now = dt_util.utcnow()
        if issue is not None and issue.active and issue_id not in self.active:
            self.active[issue_id] = now
            if issue_id in self._hidden:
                self._hidden.discard(issue_id)
                return
            self.raised[_kind(issue_id)] += 1
            for listener in self.on_raise:
                listener(issue_id, now)
        elif (issue is None or not issue.active) and issue_id in self.active:
            del self.active[issue_id]
            self._hidden.discard(issue_id)
            self.cleared[_kind(issue_id)] += 1

    def restarted(self) -> None:
        """Home Assistant started again: its registry shows none of our issues."""
        registry = ir.async_get(self._hass)
        for issue_id in list(self.active):
            issue = registry.async_get_issue(DOMAIN, issue_id)
            if issue is None or not issue.active:
                del self.active[issue_id]
                self._hidden.add(issue_id)

    def is_active(self, issue_id: str) -> bool:
        """Whether the user sees the issue now."""
        return issue_id in self.active


class LogWatch(logging.Handler):
    """Every log line: no secret in any, none above DEBUG twice an hour."""

    def __init__(
        self,
        timeline: Timeline,
        violations: Violations,
        secrets: Callable[[], dict[str, str]],
    ) -> None:
        """Check each line as it is logged."""
        super().__init__(logging.DEBUG)
        self._timeline = timeline
        self._violations = violations
        self._secrets = secrets
        self._last: dict[tuple[str, str], datetime] = {}
        # Every line read, DEBUG included.
        self.lines = 0

    @staticmethod
    def _ours(record: logging.LogRecord, text: str) -> bool:
        """Alexa Care's and the library's lines; Home Assistant's warnings about it.

        Home Assistant's own INFO lines (setting up a platform) come with
        each setup, whatever the integration does.
        """
        if record.name.startswith(("custom_components.alexa_care", "aioamazondevices")):
            return True
        return record.levelno >= logging.WARNING and (
            DOMAIN in text or "Alexa Care" in text
        )

    @override
    def emit(self, record: logging.LogRecord) -> None:
        self.lines += 1
        try:
            text = record.getMessage()
        except TypeError, ValueError:
            text = str(record.msg)
        text = f"{text}\n{record.exc_text or ''}"
        now = dt_util.utcnow()
        label = self._timeline.label(now)
        for secret, what in self._secrets().items():
            if secret in text:
                self._violations.add(
                    SECRETS,
                    label,
                    f"{what} in a {record.levelname} line of {record.name}",
                    subject=f"{what} {record.name}",
                )
        if record.levelno <= logging.DEBUG or not self._ours(record, text):
            return
        key = (record.name, text)
        if (last := self._last.get(key)) is not None and now - last < timedelta(
            hours=1
        ):
            self._violations.add(
                REPEATED_LOG,
                label,
                f"{record.levelname} {record.name}: {text.strip()[:200]!r} "
                f"again after {minutes(now - last):.0f} min",
                subject=text[:100],
            )
        self._last[key] = now

    def forget_older_than(self, moment: datetime) -> None:
        """Lines more than an hour old cannot repeat within the hour."""
        self._last = {key: at for key, at in self._last.items() if at >= moment}


@dataclass
class Totals:
    """The month in numbers."""

    requests: int = 0
    state_writes: int = 0
    requests_by_hour: dict[str, int] = field(default_factory=dict)
    memory_by_week: list[int] = field(default_factory=list)
    false_alarms: int = 0
    missed: int = 0
    offline_episodes: int = 0

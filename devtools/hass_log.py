"""What a real Home Assistant's log says against Alexa Care.

The browser test (Home Assistant 2026.10.4) and the newest-release test
(tests_newest) both run Home Assistant as a process and fail on what this
finds in its output: an error, a deprecation report or a blocking call
that names Alexa Care. A log record starts with Home Assistant's timestamp;
the lines after it (a traceback) belong to it, so an error whose traceback
passes through custom_components/alexa_care counts too.
"""

from __future__ import annotations

from pathlib import Path
import re

# A record starts with the date, time and level; since 2026.11 the time
# carries its offset: 2026-11-29 20:40:00.123+00:00 ERROR (MainThread) [name].
_RECORD_START = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?:[+-]\d\d:\d\d)? (?P<level>[A-Z]+) ",
    re.MULTILINE,
)
_FAILURE_LEVELS = frozenset({"ERROR", "CRITICAL"})
# How Home Assistant reports a call it will stop supporting ("... is a
# deprecated ...", "This will stop working in Home Assistant ..."), how
# Python does (a DeprecationWarning, printed after the record before it),
# and a blocking call inside the event loop.
_REPORT_MARKERS = ("deprecat", "will stop working", "detected blocking call")
# The logger's name, the custom integration's domain, a traceback's paths.
_OURS = re.compile(r"alexa_care")


def is_report(text: str) -> bool:
    """Whether a log text reports a deprecated call or a blocking call."""
    lowered = text.lower()
    return any(marker in lowered for marker in _REPORT_MARKERS)


def _records(text: str) -> list[tuple[str, str]]:
    """Each record's level and text, its traceback included."""
    starts = list(_RECORD_START.finditer(text))
    ends = [following.start() for following in starts[1:]] + [len(text)]
    return [
        (start.group("level"), text[start.start() : end].rstrip())
        for start, end in zip(starts, ends, strict=False)
    ]


def alexa_care_problems(log: Path) -> list[str]:
    """The log records of errors, deprecations and blocking calls naming us."""
    text = log.read_text(errors="replace")
    records = _records(text)
    if text.strip() and not records:
        # Home Assistant changed its format: finding nothing would prove nothing.
        raise ValueError(f"no Home Assistant log record in {log}")
    problems = []
    for level, record in records:
        if not _OURS.search(record):
            continue
        if level in _FAILURE_LEVELS or is_report(record):
            problems.append(record)
    return problems

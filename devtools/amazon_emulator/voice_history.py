"""The account's voice history, and deletion by voice.

Amazon has no endpoint that deletes recordings; the only remote way is to
send an Echo the utterances its privacy FAQ documents, as a text command.
They delete only when the account allows deletion by voice (Alexa Privacy
settings); otherwise Alexa declines, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
import re
import time

from .account import Echo

# (what was heard, what Alexa answered, the intent)
_SAMPLES = (
    ("what's the weather", "Right now it's 12 degrees with clouds.", "GetWeather"),
    ("set a timer for ten minutes", "Ten minutes, starting now.", "SetTimer"),
    ("play some jazz", "Here's a jazz station you might like.", "PlayMusicIntent"),
    ("what time is it", "It's 7:42.", "GetTime"),
)
_DELETE_LAST = "delete what i just said"
_DELETE_TODAY = "delete everything i said today"
_DELETE_ALL = "delete everything i said"


@dataclass(frozen=True, kw_only=True)
class VoiceRecord:
    """One request someone made to an Echo."""

    timestamp_ms: int
    serial: str
    device_type: str
    heard: str
    answer: str
    intent: str
    utterance_type: str = "GENERAL"


def _normalise(text: str) -> str:
    words = re.sub(r"[^\w' ]", " ", text.casefold()).split()
    if words and words[0] == "alexa":
        words = words[1:]
    return " ".join(words)


def _local_midnight(now: float) -> float:
    """The start of today, in the emulator's (the account's) time zone."""
    today = datetime.fromtimestamp(now).astimezone()
    return today.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


@dataclass(kw_only=True)
class VoiceHistory:
    """Every record of the account, and its deletion-by-voice setting."""

    deletion_by_voice: bool = True
    records: list[VoiceRecord] = field(default_factory=list)

    def seed(self, echo: Echo) -> None:
        """A few requests today and a few on earlier days of the last week."""
        now = time.time()
        today = now - _local_midnight(now)
        number = echo.identity.number
        spread = (number * 37 % 100) / 1000  # Echos were not all asked at once
        times = (
            now - today * (0.5 + spread),
            now - today * (0.1 + spread),
            now - timedelta(days=2, minutes=number).total_seconds(),
            now - timedelta(days=5, minutes=number).total_seconds(),
        )
        for index, at in enumerate(times):
            heard, answer, intent = _SAMPLES[(number + index) % len(_SAMPLES)]
            self.add(echo, heard=heard, answer=answer, intent=intent, at=at)

    def add(
        self,
        echo: Echo,
        *,
        heard: str,
        answer: str,
        intent: str = "Unknown",
        at: float | None = None,
    ) -> VoiceRecord:
        """Someone spoke to `echo` (now, unless `at` says when)."""
        record = VoiceRecord(
            timestamp_ms=int((time.time() if at is None else at) * 1000),
            serial=echo.identity.serial,
            device_type=echo.identity.model.device_type,
            heard=heard,
            answer=answer,
            intent=intent,
        )
        self.records.append(record)
        return record

    def between(self, start_ms: int, end_ms: int) -> list[VoiceRecord]:
        """The records in a time range, newest first, as Amazon lists them."""
        found = [r for r in self.records if start_ms <= r.timestamp_ms <= end_ms]
        return sorted(found, key=lambda record: record.timestamp_ms, reverse=True)

    def text_command(self, serial: str, text: str) -> None:
        """Act on a text command sent to an Echo; only deletions change things."""
        command = _normalise(text)
        if not self.deletion_by_voice or command not in {
            _DELETE_LAST,
            _DELETE_TODAY,
            _DELETE_ALL,
        }:
            return
        if command == _DELETE_LAST:
            own = [record for record in self.records if record.serial == serial]
            if own:
                self.records.remove(max(own, key=lambda r: r.timestamp_ms))
        elif command == _DELETE_TODAY:
            since_ms = _local_midnight(time.time()) * 1000
            self.records = [r for r in self.records if r.timestamp_ms < since_ms]
        else:
            self.records = []

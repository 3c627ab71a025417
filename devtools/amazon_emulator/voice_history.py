"""The account's voice history, and deletion by voice.

Amazon has no endpoint that deletes recordings; the only remote way is to
send an Echo the utterances its privacy FAQ documents, as a text command.
They delete only when the account allows deletion by voice (Alexa Privacy
settings); otherwise Alexa declines, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
import re
import time
from typing import Any

from .account import Echo
from .payloads import Json, history_record

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


def _normalise(text: str) -> str:
    words = re.sub(r"[^\w' ]", " ", text.casefold()).split()
    if words and words[0] == "alexa":
        words = words[1:]
    return " ".join(words)


def _local_midnight(now: float, time_zone: tzinfo | None) -> float:
    """The start of today in `time_zone` (None: the machine's)."""
    today = datetime.fromtimestamp(now, time_zone)
    return today.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _serial(record: Json) -> str | None:
    # Requests made from the Alexa app have no device.
    return (record["deviceInfo"] or {}).get("deviceSerialNumber")


def text_commands(node: Any) -> Iterator[tuple[str, str]]:  # noqa: ANN401
    """(serial, text) of every text command in a behaviors sequence."""
    if not isinstance(node, dict):
        return
    payload = node.get("operationPayload") or {}
    if node.get("type") == "Alexa.TextCommand" and "deviceSerialNumber" in payload:
        yield str(payload["deviceSerialNumber"]), str(payload.get("text", ""))
    # Serial and parallel nodes nest their children.
    for key in ("startNode", "nodesToExecute"):
        child = node.get(key)
        for item in child if isinstance(child, list) else [child]:
            yield from text_commands(item)


@dataclass(kw_only=True)
class VoiceHistory:
    """Every record of the account as Amazon lists them, and its settings."""

    customer_id: str
    deletion_by_voice: bool = True
    records: list[Json] = field(default_factory=list)

    def seed(self, echo: Echo) -> None:
        """A few requests today and a few on earlier days of the last week."""
        now = time.time()
        today = now - _local_midnight(now, None)
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
    ) -> Json:
        """Someone spoke to `echo` (now, unless `at` says when)."""
        record = history_record(
            customer_id=self.customer_id,
            timestamp_ms=int((time.time() if at is None else at) * 1000),
            serial=echo.identity.serial,
            device_type=echo.identity.model.device_type,
            device_name=echo.identity.name,
            heard=heard,
            answer=answer,
            intent=intent,
        )
        self.records.append(record)
        return record

    def between(self, start_ms: int, end_ms: int) -> list[Json]:
        """The records in a time range, newest first, as Amazon lists them."""
        found = [r for r in self.records if start_ms <= r["timestamp"] <= end_ms]
        return sorted(found, key=lambda record: record["timestamp"], reverse=True)

    def text_command(
        self, serial: str, text: str, time_zone: tzinfo | None = None
    ) -> None:
        """Act on a text command sent to an Echo; only deletions change things.

        "Today" is the account's day, in `time_zone` (None: the machine's).
        """
        command = _normalise(text)
        if not self.deletion_by_voice or command not in {
            _DELETE_LAST,
            _DELETE_TODAY,
            _DELETE_ALL,
        }:
            return
        if command == _DELETE_LAST:
            own = [record for record in self.records if _serial(record) == serial]
            if own:
                self.records.remove(max(own, key=lambda r: r["timestamp"]))
        elif command == _DELETE_TODAY:
            since_ms = _local_midnight(time.time(), time_zone) * 1000
            self.records = [r for r in self.records if r["timestamp"] < since_ms]
        else:
            self.records = []

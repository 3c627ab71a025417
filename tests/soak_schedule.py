"""What happens in the soak's month: one line per event, as a table.

Day 0 is Sunday 22 November 2026 (the fixtures' day), in Home Assistant's
time zone (US/Pacific, no change of daylight saving time this month); the
month ends on day 30 at noon. A day may be a range ("8-14": every day from
the 8th to the 14th). Arguments are separated by ":" where there are two.

The household (tests/soak_world.py): Kitchen Echo, Bedroom Echo Show,
Living Room Echo, Office Echo, Kids Room Echo, Bathroom Echo Show, Garage
Echo, Hallway Echo; the Kitchen Plug feeds the Kitchen Echo, the Bedroom
Plug the Bedroom Echo Show, the Living Room Plug a lamp.

What the people in the home do besides is the soak's automation
(tests/test_soak.py): when Settings → Repairs shows an Echo offline, it
restarts it, and power-cycles it through its plug if it is still offline
once the restart's cooldown is over (or at once, for an Echo Amazon cannot
restart), as the blueprint "Restart an Echo that stays offline" does.

Events:
- set_up, link (Echo: plug), enable (entity name), skew (Amazon's clock
  against Home Assistant's);
- flap (the home's internet down for a few minutes: every device offline),
  household_outage (the same for hours);
- hang (an Echo stops answering; a reboot brings it back), unreachable (only
  a power cycle brings it back), drop (offline for a while, back by itself),
  unplug (an Echo without a plug pulled from the wall: offline, and nothing
  brings it back until it is plugged in again);
- throttle (429 to everything), flaky (a share of requests answered 503 or
  never), html_page (one answer is a web page);
- push_drop, push_refuse (the stream's request answered 503), push_silent
  (open, pings answered, nothing pushed);
- crash (Home Assistant dies: nothing of the unload runs), stop (Home
  Assistant stops as usual), start, reload (the entry), token_refresh
  (Amazon's next access tokens are new ones);
- rename, add, remove (a device, in the Alexa app), power_cycle (an
  automation power-cycles an Echo), voice (someone speaks to an Echo), dnd,
  switch (a plug, in the Alexa app).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
import re

SCHEDULE = """
day     time      event              arguments
0       12:00     set_up
0       12:01     link               Kitchen Echo: Kitchen Plug
0       12:01     link               Bedroom Echo Show: Bedroom Plug
0       12:02     enable             Offline time today
0       12:05     skew               -3 min
1-30    06:45     dnd                Bedroom Echo Show: off
1-30    07:30     voice              Kitchen Echo: what's the weather in Seattle
1-30    18:30     switch             Living Room Plug: on
1-30    19:15     voice              Living Room Echo: play some jazz
1-30    22:30     dnd                Bedroom Echo Show: on
1-30    23:30     switch             Living Room Plug: off
1       03:31     flap               4 min
1       12:00     unplug             Garage Echo: 7 d
1       12:05     unplug             Bathroom Echo Show: 7 d
1       12:10     unplug             Hallway Echo: 7 d
2       03:29     flap               2 min
2       14:10     hang               Office Echo
3       03:33     flap               6 min
3       08:00     push_drop
4       03:30     flap               3 min
4       15:00     throttle           2 h
5       03:32     flap               5 min
5       09:45     hang               Office Echo
5       12:00     reload
6       09:00     push_refuse        1 h
7       03:30     flap               2 min
7       15:30     unreachable        Kitchen Echo
8       03:31     flap               6 min
8       06:00     token_refresh
8-14    07:10     drop               Kids Room Echo: 6 min
8-14    12:40     drop               Kids Room Echo: 18 min
8-14    17:25     drop               Kids Room Echo: 3 min
8-14    23:50     drop               Kids Room Echo: 25 min
9       03:28     flap               3 min
9       20:30     hang               Office Echo
9       23:57     stop
10      00:03     start
10      03:30     flap               4 min
10      04:00     power_cycle        Bedroom Echo Show
10      04:00:10  crash
10      04:02     start
11      03:34     flap               2 min
11      13:13     html_page
12      03:29     flap               5 min
12      18:00     add                Guest Room Echo
13      14:00     push_silent        6 h
13      14:30     dnd                Kitchen Echo: on
13      15:10     switch             Living Room Plug: on
13      16:00     hang               Office Echo
13      17:20     dnd                Kitchen Echo: off
13      18:00     switch             Living Room Plug: off
14      03:30     flap               3 min
15      03:31     flap               6 min
15      12:00     skew               +4 min
16      03:30     flap               2 min
16      08:05     hang               Office Echo
17      03:33     flap               4 min
17      10:00     household_outage   2 h
17      11:00     crash
17      11:06     start
18      03:29     flap               5 min
18      19:00     rename             Garage Echo: Workshop Echo
19      03:30     flap               3 min
19      17:40     hang               Office Echo
21      03:32     flap               2 min
21      09:10     unreachable        Kitchen Echo
22      03:30     flap               6 min
22      10:00     remove             Hallway Echo
23      03:31     flap               4 min
23      13:15     hang               Office Echo
24      00:00     flaky              24 h
24      03:28     flap               3 min
25      03:30     flap               5 min
25      04:00     power_cycle        Bedroom Echo Show
26      03:33     flap               2 min
26      10:50     hang               Office Echo
27      18:00     unreachable        Bedroom Echo Show
28      03:30     flap               4 min
29      03:31     flap               6 min
30      03:29     flap               3 min
"""

DAYS = 30
# The share of requests that fail on the flaky day.
FLAKY_SHARE = 0.2

_DURATION = re.compile(r"^(?P<sign>[+-]?)(?P<amount>\d+) (?P<unit>min|h|d)$")
_UNITS = {"min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


@dataclass(frozen=True)
class Event:
    """One line of the schedule, on one day."""

    day: int
    at: time
    name: str
    arguments: tuple[str, ...]

    def __str__(self) -> str:
        """The line as the schedule writes it."""
        arguments = ": ".join(self.arguments)
        return f"day {self.day} {self.at.isoformat()} {self.name} {arguments}"


def duration(text: str) -> timedelta:
    """A duration as the schedule writes it ("4 min", "2 h", "7 d", "-3 min")."""
    match = _DURATION.match(text)
    assert match, f"not a duration: {text!r}"
    amount = int(match["amount"]) * (-1 if match["sign"] == "-" else 1)
    return amount * _UNITS[match["unit"]]


def events() -> list[Event]:
    """Every event of the month, in the order of time."""
    found: list[Event] = []
    lines = [line for line in SCHEDULE.strip().splitlines()[1:] if line.strip()]
    for line in lines:
        days, at, name, *rest = line.split(maxsplit=3)
        arguments = tuple(part.strip() for part in rest[0].split(":")) if rest else ()
        first, _, last = days.partition("-")
        found.extend(
            Event(day, time.fromisoformat(at), name, arguments)
            for day in range(int(first), int(last or first) + 1)
        )
    return sorted(found, key=lambda event: (event.day, event.at))

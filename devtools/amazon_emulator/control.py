"""Command line for the emulator's control API (standard library only).

    python -m devtools.amazon_emulator.control devices
    python -m devtools.amazon_emulator.control offline "Kitchen Echo"
    python -m devtools.amazon_emulator.control offline-all
    python -m devtools.amazon_emulator.control dnd "Kitchen Echo" on
    python -m devtools.amazon_emulator.control mic "Kitchen Echo" off
    python -m devtools.amazon_emulator.control plug-app "Kitchen Plug" off
    python -m devtools.amazon_emulator.control say "Kitchen Echo" "what time is it"
    python -m devtools.amazon_emulator.control push-drop
    python -m devtools.amazon_emulator.control push-refuse on
    python -m devtools.amazon_emulator.control push-silence on

Every change Amazon announces on its push channel (an Echo going offline or
online, do not disturb, the microphone button, a plug switched, a voice
request) reaches the open push channels, whichever command made it.

Any Python 3.11+ runs it; it talks to the control API over HTTP (the URL in
--url or $AMAZON_EMULATOR_CONTROL, by default http://127.0.0.1:8125).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import json
import os
import sys
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from .failures import Fault

DEFAULT_URL = "http://127.0.0.1:8125"


def call(base_url: str, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
    """Send one request to the control API; return its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = Request(  # noqa: S310 - the URL is the developer's own
        base_url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _device_path(device: str, action: str = "") -> str:
    return f"/devices/{quote(device, safe='')}{action}"


def _print_devices(answer: dict[str, Any]) -> None:
    for echo in answer["echos"]:
        state = "online " if echo["online"] else "OFFLINE"
        plug = f"  powered by {echo['powered_by']}" if echo["powered_by"] else ""
        dnd = "  do not disturb" if echo["do_not_disturb"] else ""
        mic = "" if echo["microphone_on"] else "  microphone off"
        print(
            f"{state}  {echo['name']:<24} {echo['serial']}  {echo['model']}"
            f"{plug}{dnd}{mic}"
        )
    for plug in answer["plugs"]:
        state = "online " if plug["online"] else "OFFLINE"
        power = "on " if plug["power_on"] else "off"
        feeds = f"  feeds {plug['feeds']}" if plug["feeds"] else ""
        print(f"{state}  {plug['name']:<24} {plug['serial']}  power {power}{feeds}")
    deletion = "allowed" if answer["voice_deletion"] else "not allowed"
    print(f"deletion by voice: {deletion}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.amazon_emulator.control",
        description="Change the emulated Amazon account, or make Amazon fail.",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("AMAZON_EMULATOR_CONTROL", DEFAULT_URL),
        help=f"the control API (default {DEFAULT_URL})",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("devices", help="list the Echos and plugs")
    offline = commands.add_parser(
        "offline", help="a device goes offline (a restart or power cycle cures it)"
    )
    offline.add_argument("device", help="name, serial number or id")
    offline.add_argument(
        "--unreachable",
        action="store_true",
        help="a restart cannot reach it either: only a power cycle cures it",
    )
    offline_all = commands.add_parser(
        "offline-all", help="the home's internet goes down: every device drops at once"
    )
    offline_all.add_argument(
        "--seconds-ago",
        type=float,
        default=0,
        help="Amazon lost them that long ago (default: now)",
    )
    commands.add_parser("online-all", help="the internet is back: every device too")
    for name, text in (
        ("online", "a device is back online at once"),
        ("remove", "take a device off the account"),
    ):
        commands.add_parser(name, help=text).add_argument(
            "device", help="name, serial number or id"
        )
    add_echo = commands.add_parser("add-echo", help="set up a new Echo")
    add_echo.add_argument("--name")
    add_plug = commands.add_parser("add-plug", help="set up a new smart plug")
    add_plug.add_argument("--name")
    add_plug.add_argument("--feeds", help="the Echo it powers")
    for name, device, text in (
        ("dnd", "an Echo", "do not disturb switched in the Alexa app"),
        ("mic", "an Echo", "someone presses an Echo's microphone button"),
        ("plug-app", "a plug", "a plug switched in the Alexa app"),
    ):
        switch = commands.add_parser(name, help=text)
        switch.add_argument("device", help=f"{device}: name, serial number or id")
        switch.add_argument("state", choices=("on", "off"))
    say = commands.add_parser(
        "say", help="someone speaks to an Echo (voice history, push event)"
    )
    say.add_argument("device")
    say.add_argument("heard", help="what the Echo heard")
    say.add_argument("answer", nargs="?", default="", help="what Alexa answered")
    commands.add_parser("records", help="the voice history, newest first")
    deletion = commands.add_parser(
        "voice-deletion", help="allow deletion by voice (Alexa Privacy setting)"
    )
    deletion.add_argument("state", choices=("on", "off"))
    validation = commands.add_parser(
        "reject-unknown-queries",
        help="answer GraphQL operations the library does not send with a "
        "validation error",
    )
    validation.add_argument("state", choices=("on", "off"))
    fail = commands.add_parser("fail", help="make the next requests fail")
    fail.add_argument("kind", choices=list(Fault))
    fail.add_argument("--count", type=int, default=1, help="how many requests")
    fail.add_argument("--path", help="only requests whose host/path contains this")
    fail.add_argument(
        "--seconds", type=float, help="timeout: how long to hang (default 330)"
    )
    commands.add_parser("clear-failures", help="forget the queued failures")
    requests = commands.add_parser("requests", help="count of Amazon requests")
    requests.add_argument("--reset", action="store_true", help="count from zero")
    commands.add_parser("push-status", help="the push channel's open directive streams")
    commands.add_parser(
        "push-drop",
        help="close every open push channel now, as Amazon now and then does",
    )
    refuse = commands.add_parser(
        "push-refuse", help="answer the push channel's requests with 503 (on), or not"
    )
    refuse.add_argument("state", choices=("on", "off"))
    silence = commands.add_parser(
        "push-silence",
        help="keep the push channel open and answer its pings, but push no "
        "event (on), or push again",
    )
    silence.add_argument("state", choices=("on", "off"))
    return parser


def _fail_rule(args: argparse.Namespace) -> dict[str, object]:
    rule: dict[str, object] = {"kind": args.kind, "count": args.count}
    rule |= {"path": args.path} if args.path else {}
    return rule | ({"seconds": args.seconds} if args.seconds is not None else {})


# Each command as (method, path, body) of the control API.
_REQUESTS: dict[str, Callable[[argparse.Namespace], tuple[str, str, object]]] = {
    "devices": lambda _: ("GET", "/devices", None),
    "offline": lambda a: (
        "POST",
        _device_path(a.device, "/offline"),
        {"unreachable": a.unreachable},
    ),
    "online": lambda a: ("POST", _device_path(a.device, "/online"), None),
    "offline-all": lambda a: (
        "POST",
        "/devices/offline",
        {"seconds_ago": a.seconds_ago},
    ),
    "online-all": lambda _: ("POST", "/devices/online", None),
    "dnd": lambda a: (
        "PUT",
        _device_path(a.device, "/do-not-disturb"),
        {"enabled": a.state == "on"},
    ),
    "mic": lambda a: (
        "PUT",
        _device_path(a.device, "/microphone"),
        {"enabled": a.state == "on"},
    ),
    "plug-app": lambda a: (
        "PUT",
        _device_path(a.device, "/power"),
        {"on": a.state == "on"},
    ),
    "remove": lambda a: ("DELETE", _device_path(a.device), None),
    "add-echo": lambda a: ("POST", "/echos", {"name": a.name}),
    "add-plug": lambda a: ("POST", "/plugs", {"name": a.name, "feeds": a.feeds}),
    "say": lambda a: (
        "POST",
        "/voice-records",
        {"device": a.device, "heard": a.heard, "answer": a.answer},
    ),
    "records": lambda _: ("GET", "/voice-records", None),
    "voice-deletion": lambda a: (
        "PUT",
        "/voice-deletion",
        {"enabled": a.state == "on"},
    ),
    "reject-unknown-queries": lambda a: (
        "PUT",
        "/graphql-validation",
        {"reject_unknown_queries": a.state == "on"},
    ),
    "fail": lambda a: ("POST", "/fail-next", _fail_rule(a)),
    "clear-failures": lambda _: ("DELETE", "/fail-next", None),
    "requests": lambda a: ("DELETE" if a.reset else "GET", "/requests", None),
    "push-status": lambda _: ("GET", "/push", None),
    "push-drop": lambda _: ("POST", "/push/drop", None),
    "push-refuse": lambda a: ("PUT", "/push/refuse", {"refuse": a.state == "on"}),
    "push-silence": lambda a: (
        "PUT",
        "/push/silence",
        {"silence": a.state == "on"},
    ),
}


def main() -> int:
    """Run one command; 1 when the control API refuses it or is not there."""
    args = _parser().parse_args()
    method, path, body = _REQUESTS[args.command](args)
    try:
        answer = call(args.url, method, path, body)
    except HTTPError as err:
        print(f"error {err.code}: {err.read().decode()}", file=sys.stderr)
        return 1
    except URLError as err:
        print(
            f"the emulator is not running at {args.url}: {err.reason}", file=sys.stderr
        )
        return 1
    if args.command in {"devices", "offline-all", "online-all"}:
        _print_devices(answer)
    else:
        print(json.dumps(answer, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

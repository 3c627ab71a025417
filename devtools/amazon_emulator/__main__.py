"""Run the Amazon emulator: python -m devtools.amazon_emulator --help."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from pathlib import Path
import signal
import tempfile

from .certificates import ensure_certificates
from .credentials import DEMO_CODE, DEMO_EMAIL, DEMO_PASSWORD
from .server import AmazonEmulator

_BANNER = """\
Amazon emulator: {echos} Echos, {plugs} plugs; Amazon on 127.0.0.1:{port} (HTTPS),
its push channel on 127.0.0.1:{push_port} (HTTP/2), control API on
http://127.0.0.1:{control_port}, CA certificate {ca}

  Demo login   email {email}   password {password}   one-time code {code}

  Control it (from the project folder; `python` is any Python 3.11+):
    python -m devtools.amazon_emulator.control devices
    python -m devtools.amazon_emulator.control offline "Kitchen Echo"
    python -m devtools.amazon_emulator.control online "Kitchen Echo"
    python -m devtools.amazon_emulator.control say "Kitchen Echo" "what time is it"
    python -m devtools.amazon_emulator.control dnd "Kitchen Echo" on
    python -m devtools.amazon_emulator.control push-drop
    python -m devtools.amazon_emulator.control fail throttled --count 3
    python -m devtools.amazon_emulator.control --help
"""


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.amazon_emulator",
        description="An emulated Amazon account for Alexa Care's development.",
    )
    parser.add_argument("--echos", type=int, default=5, help="number of Echos")
    parser.add_argument(
        "--plugs",
        type=int,
        default=2,
        help="number of plugs (they feed the first Echos)",
    )
    parser.add_argument("--port", type=int, default=8124, help="Amazon's HTTPS port")
    parser.add_argument(
        "--control-port", type=int, default=8125, help="the control API's port"
    )
    parser.add_argument(
        "--push-port",
        type=int,
        default=8126,
        help="the push channel's port (HTTPS, HTTP/2 only; 0: a free one)",
    )
    parser.add_argument(
        "--cert-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "alexa-care-amazon-emulator",
        help="where the throwaway CA and certificate are kept",
    )
    parser.add_argument(
        "--reboot-seconds",
        type=float,
        default=10.0,
        help="how long a rebooting Echo stays offline",
    )
    parser.add_argument(
        "--boot-seconds",
        type=float,
        default=5.0,
        help="how long an Echo takes to come back once its plug is on again",
    )
    parser.add_argument(
        "--pid-file",
        type=Path,
        help="written once the emulator listens (its process id), removed at exit",
    )
    return parser.parse_args()


async def _run(args: argparse.Namespace) -> None:
    tls = ensure_certificates(args.cert_dir)
    emulator = AmazonEmulator.with_devices(
        tls,
        echos=args.echos,
        plugs=args.plugs,
        reboot_seconds=args.reboot_seconds,
        boot_seconds=args.boot_seconds,
    )
    await emulator.start(
        port=args.port,
        control_port=args.control_port,
        push_port=args.push_port,
        access_log=True,
    )
    print(
        _BANNER.format(
            echos=args.echos,
            plugs=args.plugs,
            port=emulator.port,
            push_port=emulator.push_port,
            control_port=emulator.control_port,
            ca=tls.ca_certificate,
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            code=DEMO_CODE,
        ),
        flush=True,
    )
    if args.pid_file:
        args.pid_file.write_text(f"{os.getpid()}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await emulator.stop()
        if args.pid_file:
            args.pid_file.unlink(missing_ok=True)


def main() -> None:
    """Start the emulator and serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="amazon-emulator: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(_arguments()))


if __name__ == "__main__":
    main()

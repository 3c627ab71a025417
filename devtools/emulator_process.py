"""The Amazon emulator as a subprocess on free ports, stopped at the end.

For the browser test (tests_e2e) and the benchmark: each starts
`python -m devtools.amazon_emulator` here and waits until it listens. The
emulator, and any other server started with `running`, runs in a process
group of its own, so that stopping it leaves nothing behind, whatever it
started, even when the caller failed half-way. No Home Assistant is
imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from devtools.amazon_emulator.certificates import ensure_certificates
from devtools.amazon_emulator.control import call

PROJECT_DIR = Path(__file__).resolve().parent.parent
STOP_SECONDS = 30.0
EMULATOR_START_SECONDS = 60.0
POLL_SECONDS = 0.1
LOG_TAIL_CHARACTERS = 2000


class ServerError(RuntimeError):
    """A server did not start, or stopped by itself."""


def free_ports(count: int) -> list[int]:
    """`count` different TCP ports on 127.0.0.1 that nothing listens on now."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    [port] = free_ports(1)
    return port


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # Whatever the process started and left running.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `args` in the project folder, output to `log`, until the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own Python and modules
            args,
            cwd=PROJECT_DIR,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop(process)


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-LOG_TAIL_CHARACTERS:]


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    log: Path,
) -> None:
    """Return once `ready()`; raise if the process stops or time runs out."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise ServerError(
                f"{what} stopped (exit code {process.returncode}); "
                f"{log} ends:\n{_log_tail(log)}"
            )
        if time.monotonic() > deadline:
            raise ServerError(
                f"{what} did not start within {timeout:.0f} s; "
                f"{log} ends:\n{_log_tail(log)}"
            )
        time.sleep(POLL_SECONDS)


@dataclass(frozen=True, kw_only=True)
class RunningEmulator:
    """The running Amazon emulator and where to reach it."""

    port: int
    push_port: int
    control_port: int
    ca_certificate: Path
    log: Path

    @property
    def control_url(self) -> str:
        """The control API's base URL."""
        return f"http://127.0.0.1:{self.control_port}"

    def control(self, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401
        """Call the emulator's control API; its JSON answer."""
        return call(self.control_url, method, path, body)

    def device(self, name: str) -> dict[str, Any]:
        """One Echo or plug as the control API lists it."""
        devices = self.control("GET", "/devices")
        for device in (*devices["echos"], *devices["plugs"]):
            if device["name"] == name:
                return dict(device)
        raise KeyError(name)

    def requested(self, path: str) -> int:
        """How many requests Amazon received on `path` (any host)."""
        by_path: dict[str, int] = self.control("GET", "/requests")["by_path"]
        return sum(count for key, count in by_path.items() if key.endswith(path))


@contextmanager
def emulator_process(
    *, echos: int, plugs: int, cert_dir: Path, work_dir: Path, log: Path
) -> Iterator[RunningEmulator]:
    """Run the emulator until the block ends; its CA and certificate in `cert_dir`.

    They are made there now unless they are there already, and the emulator
    uses them: emulators started one after the other share one CA.
    """
    tls = ensure_certificates(cert_dir)
    port, push_port, control_port = free_ports(3)
    pid_file = work_dir / f"emulator-{port}.pid"
    args = [
        sys.executable,
        "-m",
        "devtools.amazon_emulator",
        f"--echos={echos}",
        f"--plugs={plugs}",
        f"--port={port}",
        f"--push-port={push_port}",
        f"--control-port={control_port}",
        f"--cert-dir={cert_dir}",
        # Written once the emulator listens.
        f"--pid-file={pid_file}",
    ]
    with running(args, log) as process:
        wait_until(
            pid_file.exists, process, EMULATOR_START_SECONDS, "the emulator", log
        )
        yield RunningEmulator(
            port=port,
            push_port=push_port,
            control_port=control_port,
            ca_certificate=tls.ca_certificate,
            log=log,
        )

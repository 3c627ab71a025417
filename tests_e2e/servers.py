"""The Amazon emulator and Home Assistant as subprocesses, on free ports.

Each runs in a process group of its own, so that stopping it leaves nothing
behind, whatever it started, even when the test failed half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.error import URLError
from urllib.request import urlopen

from devtools.amazon_emulator.control import call

PROJECT_DIR = Path(__file__).resolve().parents[1]
ECHOS = 5
PLUGS = 2
STOP_TIMEOUT = 30.0
EMULATOR_START_TIMEOUT = 30.0
HASS_START_TIMEOUT = 420.0  # the first start installs packages

# Like config/configuration.yaml: what the dashboard and Alexa Care need, so
# that Home Assistant starts quickly, plus the port and only the loopback.
CONFIGURATION_YAML = """\
homeassistant:
  name: Alexa Care end-to-end

http:
  server_host: 127.0.0.1
  server_port: {port}

frontend:
config:
history:
logbook:
repairs:
diagnostics:
system_health:

logger:
  default: warning
  logs:
    custom_components.alexa_care: debug
    # "Home Assistant initialized": the test waits for it.
    homeassistant.bootstrap: info
"""


class ServerError(RuntimeError):
    """A server did not start, or stopped by itself."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # Whatever the process started and left running.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def _running(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
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
            _stop(process)


def _wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    log: Path,
) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise ServerError(f"{what} stopped (exit code {process.returncode}): {log}")
        if time.monotonic() > deadline:
            raise ServerError(f"{what} did not start within {timeout:.0f} s: {log}")
        time.sleep(0.5)


@dataclass(frozen=True, kw_only=True)
class Emulator:
    """The running Amazon emulator."""

    port: int
    control_url: str
    ca_certificate: Path

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
def amazon_emulator(work_dir: Path, log: Path) -> Iterator[Emulator]:
    """Start the emulator (5 Echos, 2 plugs); stop it at the end."""
    port, control_port = free_port(), free_port()
    pid_file = work_dir / "pid"
    args = [
        sys.executable,
        "-m",
        "devtools.amazon_emulator",
        f"--echos={ECHOS}",
        f"--plugs={PLUGS}",
        f"--port={port}",
        f"--control-port={control_port}",
        f"--cert-dir={work_dir}",
        f"--pid-file={pid_file}",
    ]
    with _running(args, log) as process:
        _wait_until(
            pid_file.exists, process, EMULATOR_START_TIMEOUT, "the emulator", log
        )
        yield Emulator(
            port=port,
            control_url=f"http://127.0.0.1:{control_port}",
            ca_certificate=work_dir / "ca.pem",
        )


def _started(log: Path) -> bool:
    # Until then, components (and the packages they install) are still being
    # set up, and the dashboard may find services it cannot describe.
    return "Home Assistant initialized" in log.read_text(errors="replace")


def _onboarding_answers(url: str) -> bool:
    try:
        with urlopen(f"{url}/api/onboarding", timeout=5) as response:  # noqa: S310
            return isinstance(json.loads(response.read()), list)
    except URLError, OSError, ValueError:
        return False


@contextmanager
def home_assistant(work_dir: Path, emulator: Emulator, log: Path) -> Iterator[str]:
    """Start a fresh Home Assistant with Alexa Care; its URL. Stop it at the end."""
    port = free_port()
    config_dir = work_dir / "config"
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML.format(port=port))
    (config_dir / "custom_components" / "alexa_care").symlink_to(
        PROJECT_DIR / "custom_components" / "alexa_care"
    )
    # The launcher writes its CA bundle to the temporary folder: ours.
    temp_dir = work_dir / "tmp"
    temp_dir.mkdir()
    env = os.environ | {"TMPDIR": str(temp_dir)}
    args = [
        sys.executable,
        "-m",
        "devtools.hass_with_emulator",
        f"--emulator-port={emulator.port}",
        f"--emulator-ca={emulator.ca_certificate}",
        "--",
        f"--config={config_dir}",
        # As script/develop: Home Assistant installs what its own components
        # need at the first start (into the cached venv), but not these two,
        # whose pinned versions cannot build on Python 3.14; newer ones are
        # in requirements_test.txt.
        "--skip-pip-packages=pymicro-vad,pyspeex-noise",
    ]
    url = f"http://127.0.0.1:{port}"
    with _running(args, log, env) as process:
        _wait_until(
            lambda: _started(log) and _onboarding_answers(url),
            process,
            HASS_START_TIMEOUT,
            "Home Assistant",
            log,
        )
        yield url

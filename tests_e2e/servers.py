"""Home Assistant as a subprocess, on a free port, beside the Amazon emulator.

Both are started and stopped by devtools.emulator_process, each in a process
group of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import json
import os
from pathlib import Path
import sys
from urllib.error import URLError
from urllib.request import urlopen

from devtools.emulator_process import (
    PROJECT_DIR,
    RunningEmulator,
    emulator_process,
    free_port,
    running,
    wait_until,
)

# The emulated account.
ECHOS = 5
PLUGS = 2
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
def emulator_in(work_dir: Path, log: Path) -> Iterator[RunningEmulator]:
    """The Amazon emulator of ECHOS Echos and PLUGS plugs; stopped at the end."""
    work_dir.mkdir()
    with emulator_process(
        echos=ECHOS, plugs=PLUGS, cert_dir=work_dir, work_dir=work_dir, log=log
    ) as running:
        yield running


@contextmanager
def home_assistant(
    work_dir: Path,
    emulator: RunningEmulator,
    log: Path,
    configuration_yaml: str = CONFIGURATION_YAML,
) -> Iterator[str]:
    """Start a fresh Home Assistant with Alexa Care; its URL. Stop it at the end.

    `configuration_yaml` has a `{port}` for the HTTP server's; it must set up
    onboarding and log "Home Assistant initialized" (homeassistant.bootstrap
    at info), which tell that Home Assistant is ready.
    """
    port = free_port()
    config_dir = work_dir / "config"
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / "configuration.yaml").write_text(configuration_yaml.format(port=port))
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
        f"--emulator-push-port={emulator.push_port}",
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
    with running(args, log, env) as process:
        wait_until(
            lambda: _started(log) and _onboarding_answers(url),
            process,
            HASS_START_TIMEOUT,
            "Home Assistant",
            log,
        )
        yield url

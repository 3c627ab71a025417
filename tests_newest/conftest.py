"""Fixtures: the Amazon emulator and the newest Home Assistant, as processes.

Run in the newest venv (requirements_newest.txt), without the unit tests'
plugin, which pins an older Home Assistant:
python -m pytest tests_newest -p no:homeassistant
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import shutil

import pytest

from devtools.emulator_process import PROJECT_DIR, RunningEmulator
from tests_e2e.servers import emulator_in, home_assistant

ARTIFACTS = PROJECT_DIR / "artifacts" / "newest"

# No frontend and no default_config: the API is all the test uses, and
# Home Assistant starts without installing any package.
CONFIGURATION_YAML = """\
homeassistant:
  name: Alexa Care on the newest Home Assistant

http:
  server_host: 127.0.0.1
  server_port: {port}

api:
websocket_api:
config:
onboarding:
repairs:
diagnostics:

logger:
  default: warning
  logs:
    custom_components.alexa_care: debug
    # "Home Assistant initialized": the fixture waits for it.
    homeassistant.bootstrap: info
"""


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run under pytest-homeassistant-custom-component."""
    if config.pluginmanager.has_plugin("homeassistant"):
        raise pytest.UsageError(
            "tests_newest runs a real Home Assistant: "
            "run python -m pytest tests_newest -p no:homeassistant"
        )


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder of this run's logs (git-ignored)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def emulator(tmp_path: Path, artifacts: Path) -> Iterator[RunningEmulator]:
    """The Amazon emulator: 5 Echos, 2 plugs."""
    with emulator_in(tmp_path / "emulator", artifacts / "emulator.log") as running:
        yield running


@pytest.fixture
def hass_log(artifacts: Path) -> Path:
    """Where Home Assistant's output goes."""
    return artifacts / "hass.log"


@pytest.fixture
def hass_url(
    tmp_path: Path, emulator: RunningEmulator, hass_log: Path
) -> Iterator[str]:
    """A fresh Home Assistant, its Amazon traffic sent to the emulator."""
    with home_assistant(tmp_path, emulator, hass_log, CONFIGURATION_YAML) as url:
        yield url

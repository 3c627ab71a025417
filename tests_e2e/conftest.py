"""Fixtures: the Amazon emulator, Home Assistant and headless Chromium.

Run with the unit tests' plugin off (it blocks sockets and patches Home
Assistant): python -m pytest tests_e2e -p no:homeassistant
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
import importlib.util
from pathlib import Path
import shutil

from playwright.sync_api import Page, sync_playwright
import pytest

from devtools.emulator_process import PROJECT_DIR, RunningEmulator

from .servers import emulator_in, home_assistant

ARTIFACTS = PROJECT_DIR / "artifacts" / "e2e"
# Without the background-networking flags Chromium keeps calling home, and
# fails on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Playwright's default for each action and expectation; the slow steps
# (waiting for a repair issue, for a reboot) set their own.
DEFAULT_TIMEOUT_MS = 30_000


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run under pytest-homeassistant-custom-component."""
    if config.pluginmanager.has_plugin("homeassistant"):
        raise pytest.UsageError(
            "tests_e2e needs real sockets and an unpatched Home Assistant: "
            "run python -m pytest tests_e2e -p no:homeassistant"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, for the failure screenshot."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder of this run's screenshots and logs (git-ignored)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def emulator(tmp_path: Path, artifacts: Path) -> Iterator[RunningEmulator]:
    """The Amazon emulator: 5 Echos, 2 plugs."""
    with emulator_in(tmp_path / "emulator", artifacts / "emulator.log") as running:
        yield running


@pytest.fixture
def hass_url(
    tmp_path: Path, emulator: RunningEmulator, artifacts: Path
) -> Iterator[str]:
    """A fresh Home Assistant, its Amazon traffic sent to the emulator."""
    # Home Assistant's service helper imports assist_satellite, hence
    # assist_pipeline and these: without them the websocket command
    # get_services fails and the dashboard never gets past "Loading...".
    missing = [
        module
        for module in ("pymicro_vad", "pyspeex_noise")
        if importlib.util.find_spec(module) is None
    ]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not installed: Home Assistant's frontend "
            "cannot load without them (see tests_e2e/conftest.py)"
        )
    with home_assistant(tmp_path, emulator, artifacts / "hass.log") as url:
        yield url


@pytest.fixture
def page(
    request: pytest.FixtureRequest, tmp_path: Path, artifacts: Path, hass_url: str
) -> Iterator[Page]:
    """A page of Debian's headless Chromium, screenshot taken on failure."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (script/env.sh has it)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        try:
            browser_page = context.pages[0] if context.pages else context.new_page()
            yield browser_page
            reports = request.node.stash.get(_REPORTS, {})
            if any(report.failed for report in reports.values()):
                browser_page.screenshot(path=artifacts / "failure.png", full_page=True)
        finally:
            context.close()

"""The browser step of the health dashboard: an Echo drops off twice, and shows it.

The dashboard is what dashboards/alexa_care.jinja writes for this Home
Assistant's devices (rendered by Home Assistant's template API, as
Developer tools → Template does), pasted into a new dashboard's raw
configuration editor as the README says.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import re
import time
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

from playwright.sync_api import Page, expect

from devtools.emulator_process import PROJECT_DIR, RunningEmulator

GENERATOR = PROJECT_DIR / "dashboards" / "alexa_care.jinja"
EXAMPLE = PROJECT_DIR / "dashboards" / "alexa_care.yaml"
TITLE = "Alexa Care"
# A poll requested while the last one is under 10 s old waits for the rest.
STATE_TIMEOUT_S = 30
# A device id, which the example cannot know: each Home Assistant has its own.
DEVICE_ID = re.compile(r"(device_id: )[0-9a-f]{32}")


class HomeAssistantApi:
    """Home Assistant's REST API, with the browser's own login."""

    def __init__(self, url: str, page: Page) -> None:
        """Borrow the access token of the user logged in on `page`."""
        self._url = url
        self._token: str = page.evaluate(
            "() => JSON.parse(localStorage.getItem('hassTokens')).access_token"
        )

    def call(self, method: str, path: str, body: object = None) -> bytes:
        """Send a request; the raw answer."""
        request = Request(  # noqa: S310 - the test's own server
            f"{self._url}/api/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
            },
        )
        with urlopen(request, timeout=30) as response:  # noqa: S310
            answer: bytes = response.read()
        return answer

    def state(self, entity_id: str) -> dict[str, Any]:
        """An entity's state."""
        state: dict[str, Any] = json.loads(self.call("GET", f"states/{entity_id}"))
        return state

    def entity_id(self, friendly_name: str) -> str:
        """The entity with this name (entity ids come from the names)."""
        states = json.loads(self.call("GET", "states"))
        return next(
            state["entity_id"]
            for state in states
            if state["attributes"].get("friendly_name") == friendly_name
        )


def _wait_for_state(api: HomeAssistantApi, entity_id: str, expected: str) -> None:
    """Ask for a poll, then wait until the state is `expected`."""
    api.call("POST", "services/homeassistant/update_entity", {"entity_id": entity_id})
    deadline = time.monotonic() + STATE_TIMEOUT_S
    while (state := api.state(entity_id)["state"]) != expected:
        assert time.monotonic() < deadline, f"{entity_id} stayed {state}"
        time.sleep(0.5)


def _add_dashboard(page: Page, hass_url: str, config: str) -> None:
    """As the README says: a dashboard from scratch, its YAML pasted."""
    page.goto(f"{hass_url}/config/lovelace/dashboards")
    page.get_by_role("button", name="Add dashboard").click()
    page.get_by_text("New dashboard from scratch").click()
    page.get_by_role("textbox", name=re.compile(r"^Title\*?$")).fill(TITLE)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("button", name="Edit dashboard").click()
    page.get_by_role("button", name="Open dashboard menu").click()
    page.get_by_role("menuitem", name="Raw configuration editor").click()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    # As a paste: in one piece, without the editor indenting each line.
    page.keyboard.insert_text(config)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Done").click()


def _without_device_ids(dashboard: str) -> list[str]:
    return [
        DEVICE_ID.sub(r"\1<device id>", line)
        for line in dashboard.splitlines()
        if not line.startswith("#")
    ]


def check_health_dashboard(
    page: Page,
    emulator: RunningEmulator,
    echo_name: str,
    shot: Callable[[str], None],
    artifacts: Path,
) -> None:
    """`echo_name` drops off twice; the dashboard shows 2 and the graph."""
    hass_url = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    api = HomeAssistantApi(hass_url, page)
    connectivity = api.entity_id(f"{echo_name} Connectivity")
    drop_offs = api.entity_id(f"{echo_name} Drop-offs today")
    assert api.state(drop_offs)["state"] == "0"
    echo = quote(echo_name, safe="")
    for _ in range(2):
        assert not emulator.control("POST", f"/devices/{echo}/offline")["online"]
        _wait_for_state(api, connectivity, "off")
        assert emulator.control("POST", f"/devices/{echo}/online")["online"]
        _wait_for_state(api, connectivity, "on")
    assert api.state(drop_offs)["state"] == "2"

    dashboard = api.call(
        "POST", "template", {"template": GENERATOR.read_text()}
    ).decode()
    (artifacts / "health-dashboard.yaml").write_text(dashboard)
    # The example in the repository is what the generator writes for the
    # emulator's household.
    assert _without_device_ids(dashboard) == _without_device_ids(EXAMPLE.read_text()), (
        "dashboards/alexa_care.yaml differs from artifacts/e2e/health-dashboard.yaml"
    )
    _add_dashboard(page, hass_url, dashboard)
    counts = page.locator("hui-glance-card").filter(has_text="Drop-offs today")
    expect(counts.locator(".entity").filter(has_text=echo_name)).to_have_text(
        re.compile(rf"^\s*{re.escape(echo_name)}\s*2\s*$")
    )
    graph = page.locator("hui-history-graph-card").filter(
        has_text="Connectivity, last 24 hours"
    )
    # A timeline of the devices' connectivity, drawn from their history.
    expect(graph.locator("state-history-chart-timeline")).to_be_visible()
    expect(graph.get_by_text("No state history found")).to_have_count(0)
    expect(
        page.locator("hui-statistics-graph-card").filter(
            has_text="Drop-offs per day, last 7 days"
        )
    ).to_be_visible()
    resets = page.locator("hui-entities-card").filter(has_text="Resets")
    expect(resets.get_by_text(f"Power-cycle {echo_name}")).to_be_visible()
    # No tooltip of the last button clicked; the charts animate in.
    page.mouse.move(900, 800)
    page.wait_for_timeout(1_000)
    shot("health-dashboard")

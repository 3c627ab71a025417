"""The browser step of the health dashboard: an Echo drops off twice, and shows it.

The dashboard is the one the strategy generates (strategy_dashboard.py adds
it), opened again: it is generated anew each time.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import re
import time
from typing import Any
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

from playwright.sync_api import Page, expect

from devtools.emulator_process import RunningEmulator

# A poll requested while the last one is under 10 s old waits for the rest.
STATE_TIMEOUT_S = 30


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


def check_health_dashboard(
    page: Page,
    emulator: RunningEmulator,
    echo_name: str,
    shot: Callable[[str], None],
    dashboard_url: str,
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

    page.goto(dashboard_url)
    counts = page.locator("hui-entities-card").filter(has_text="Drop-offs today")
    # Rows with the whole name, not a glance's cut-off columns; the row's
    # text holds the count and the name (its DOM puts the count first).
    name = re.escape(echo_name)
    expect(
        counts.locator("hui-sensor-entity-row").filter(has_text=echo_name)
    ).to_have_text(re.compile(rf"^\s*(2\s*{name}|{name}\s*2)\s*$"))
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
    expect(
        resets.locator("hui-button-row")
        .filter(has_text=echo_name)
        .filter(has_text="Power cycle")
    ).to_be_visible()
    # No tooltip of the last button clicked; the charts animate in.
    page.mouse.move(900, 800)
    page.wait_for_timeout(1_000)
    shot("health-dashboard")

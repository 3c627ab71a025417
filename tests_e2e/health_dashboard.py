"""The browser step of the health dashboard: an Echo drops off twice, and shows it.

The dashboard is the one the strategy generates (strategy_dashboard.py adds
it), opened again: it is generated anew each time.
"""

from __future__ import annotations

from collections.abc import Callable
import re
import time
from urllib.parse import quote

from playwright.sync_api import Page, expect

from devtools.emulator_process import RunningEmulator

from .hass_page import HomeAssistantApi

# A poll requested while the last one is under 10 s old waits for the rest.
STATE_TIMEOUT_S = 30


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
    api = HomeAssistantApi(page)
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

"""The browser step of the dashboard that builds itself: what needs you, and a tap.

An Echo of its own drops off together with the one the fix flow repairs, so
it waits for the same grace period. The user adds the Alexa Care dashboard
from Settings → Dashboards → Add dashboard (the strategy is offered there),
sees *Restart it* for that Echo at the top, taps Restart, and sees it go;
then an Echo added in the Alexa app shows on the dashboard after a reload.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import re
import time
from typing import Any
from urllib.parse import quote, urlsplit

from playwright.sync_api import Locator, Page, expect

from devtools.emulator_process import RunningEmulator

from .hass_page import HomeAssistantApi, reload_until_visible
from .health_dashboard import check_health_dashboard

TITLE = "Alexa Care"
# The issue of the dashboard's Echo is raised in the poll that raises the
# other one's, or a minute later.
SUGGESTION_TIMEOUT_S = 150
# The emulator reboots an Echo in 10 s; Amazon pushes its return.
BACK_ONLINE_TIMEOUT_MS = 90_000
NEW_ECHO = "Guest Room Echo"
# The frontend's own websocket connection, with the signed-in user's token.
CALL_WS = """(message) =>
    document.querySelector("home-assistant").hass.callWS(message)"""


def dashboard_echo(account: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    """An Echo that Amazon can reboot and that the other steps leave alone.

    `taken`: the Echos the other steps use; the push step takes the first
    Echo not among them, the power cycle those with a plug.
    """
    free = [echo for echo in account["echos"] if echo["name"] not in taken]
    pushed = free[0]["name"]
    return next(
        echo
        for echo in reversed(free)
        if echo["can_reboot"] and not echo["powered_by"] and echo["name"] != pushed
    )


def take_offline(emulator: RunningEmulator, echo: dict[str, Any]) -> dict[str, Any]:
    """The Echo drops off, with the one the fix flow repairs: the same grace period.

    Amazon can still reach it with a reboot.
    """
    name = quote(echo["name"], safe="")
    assert not emulator.control("POST", f"/devices/{name}/offline")["online"]
    return echo


def add_strategy_dashboard(
    page: Page, hass_url: str, shot: Callable[[str], None]
) -> str:
    """Add dashboard → Alexa Care → Create; returns the dashboard's URL."""
    page.goto(f"{hass_url}/config/lovelace/dashboards")
    page.get_by_role("button", name="Add dashboard").click()
    offered = page.locator("dashboard-card").filter(has_text=TITLE)
    expect(offered).to_contain_text("What needs you")
    shot("add-dashboard-offers-alexa-care")
    offered.click()
    page.get_by_role("textbox", name=re.compile(r"^Title\*?$")).fill(TITLE)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_text("What needs you")).to_be_visible()
    url_path = urlsplit(page.url).path.strip("/").split("/")[0]
    # The dashboard's whole configuration is the one strategy line.
    config = page.evaluate(CALL_WS, {"type": "lovelace/config", "url_path": url_path})
    assert config == {"strategy": {"type": "custom:alexa-care"}}, config
    return f"{hass_url}/{url_path}"


def _needs_you(page: Page) -> Locator:
    return page.locator("hui-vertical-stack-card").filter(has_text="What needs you")


def _wait_for_card(page: Page, card: Locator) -> None:
    """Reload the dashboard until the device's card shows."""
    reload_until_visible(page, card, time.monotonic() + SUGGESTION_TIMEOUT_S, 15_000)


def _new_echo_shows(page: Page, emulator: RunningEmulator, dashboard_url: str) -> None:
    """An Echo added to the account is on the dashboard after a reload."""
    assert emulator.control("POST", "/echos", {"name": NEW_ECHO})["name"] == NEW_ECHO
    api = HomeAssistantApi(page)
    # The push channel tells nothing of new devices: ask for a poll.
    api.call(
        "POST",
        "services/homeassistant/update_entity",
        {"entity_id": "sensor.devices_offline"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            api.entity_id(f"{NEW_ECHO} Suggested fix")
        except StopIteration:
            assert time.monotonic() < deadline, f"{NEW_ECHO} did not appear"
            time.sleep(1)
        else:
            break
    page.goto(dashboard_url)
    devices = page.locator("hui-entities-card").filter(has_text="Devices offline")
    expect(devices).to_contain_text(NEW_ECHO)


def what_needs_you_on_the_dashboard(
    page: Page,
    hass_url: str,
    emulator: RunningEmulator,
    echos: tuple[dict[str, Any], str],
    shot: Callable[[str], None],
) -> str:
    """The offline Echo's suggestion at the top; Restart; it goes. Returns the URL.

    `echos`: the Echo to restart, and one that stays offline meanwhile
    (another step's), whose card stays.
    """
    echo, still_needy = echos
    dashboard_url = add_strategy_dashboard(page, hass_url, shot)
    card = _needs_you(page).locator("hui-entities-card").filter(has_text=echo["name"])
    _wait_for_card(page, card)
    expect(card).to_contain_text("Restart it")
    expect(_needs_you(page).get_by_text("Nothing needs you")).to_be_hidden()
    page.mouse.move(900, 800)
    shot("dashboard-what-needs-you")

    reboot_path = f"/v1/alexa/device/reboot/{echo['device_type']}/{echo['serial']}"
    assert emulator.requested(reboot_path) == 0
    card.locator("hui-button-row").filter(has_text="Restart").locator(
        "ha-button"
    ).click()
    expect(card).to_be_hidden(timeout=BACK_ONLINE_TIMEOUT_MS)
    assert emulator.requested(reboot_path) == 1
    assert emulator.device(echo["name"])["online"]
    expect(
        _needs_you(page).locator("hui-entities-card").filter(has_text=still_needy)
    ).to_be_visible()
    expect(_needs_you(page).get_by_text("Nothing needs you")).to_be_hidden()

    _new_echo_shows(page, emulator, dashboard_url)
    return dashboard_url


def dashboards(
    page: Page,
    hass_url: str,
    emulator: RunningEmulator,
    echos: tuple[dict[str, Any], str, str],
    shot: Callable[[str], None],
) -> str:
    """What needs you, with the offline Echo; then the other one's drop-offs.

    `echos`: the Echo to restart from the dashboard, the one whose drop-offs
    are checked, and one that stays offline meanwhile. Returns the URL.
    """
    needy, other, still_needy = echos
    dashboard_url = what_needs_you_on_the_dashboard(
        page, hass_url, emulator, (needy, still_needy), shot
    )
    check_health_dashboard(page, emulator, other, shot, dashboard_url)
    return dashboard_url


def _ignore_keeps_dropping(page: Page, api: HomeAssistantApi, name: str) -> None:
    """Ignore a device's keeps-dropping issue through its fix flow, as a user may.

    Its id names the device by a tag, not by its serial: found as Settings →
    Repairs finds it, by the frontend's own list of issues.
    """
    listed = page.evaluate(CALL_WS, {"type": "repairs/list_issues"})["issues"]
    [issue_id] = [
        issue["issue_id"]
        for issue in listed
        if issue["domain"] == "alexa_care"
        and issue["translation_key"] == "device_keeps_dropping"
        and issue["translation_placeholders"]["device"] == name
    ]
    flow = json.loads(
        api.call(
            "POST",
            "repairs/issues/fix",
            {"handler": "alexa_care", "issue_id": issue_id},
        )
    )
    answer = json.loads(
        api.call(
            "POST", f"repairs/issues/fix/{flow['flow_id']}", {"next_step_id": "ignore"}
        )
    )
    assert (answer["type"], answer["reason"]) == ("abort", "ignored")


def nothing_needs_you(
    page: Page,
    dashboard_url: str,
    dropping: dict[str, Any],
    shot: Callable[[str], None],
) -> None:
    """Every device back: `dropping` (three drop-offs today) is all that needs you.

    Its card says to check its Wi-Fi and power; once its issue is ignored,
    one line says that nothing needs you.
    """
    page.goto(dashboard_url)
    cards = _needs_you(page).locator("hui-entities-card")
    card = cards.filter(has_text=dropping["name"])
    _wait_for_card(page, card)
    expect(card).to_contain_text("Check its Wi-Fi and power")
    expect(cards).to_have_count(1)
    _ignore_keeps_dropping(page, HomeAssistantApi(page), dropping["name"])
    _wait_for_card(
        page, _needs_you(page).get_by_text("Nothing needs you: every device is fine.")
    )
    page.mouse.move(900, 800)
    # The charts animate in.
    page.wait_for_timeout(1_000)
    shot("dashboard-nothing-needs-you")

"""A user sets up Alexa Care in the dashboard and repairs an offline Echo.

Headless Chromium against a real Home Assistant and the Amazon emulator:
onboarding, Add integration with the emulator's demo login, a plug switched
in the Alexa app and an Echo dropping off showing on their device pages
within seconds through the push channel, a short grace period in the entry's
options, the push channel going silent and the stall noticed, an Echo
dropping off, the repair issue, and
its text when a router still sees the Echo on the network, and its fix flow
restarting the Echo until the issue is gone; meanwhile another Echo's
restart that cannot reach it, in a second tab, and the device diagnostics
(first_hour.py); an Echo Show's power cycle
through the plug the user chooses; the Echo's page with Restart and Power
cycle, and the other restart's outcome offering the power cycle; then the
home's internet going down, and
one issue for all the devices. Each step leaves a screenshot in
artifacts/e2e/.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import time
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect
import pytest

from devtools.amazon_emulator.credentials import DEMO_CODE, DEMO_EMAIL, DEMO_PASSWORD
from devtools.emulator_process import RunningEmulator
from devtools.hass_log import alexa_care_problems

from .first_hour import (
    device_diagnostics_list_their_own_issues,
    echo_page_has_both_buttons,
    make_unreachable,
    restart_outcome_offers_the_power_cycle,
    start_a_restart_that_cannot_reach,
)
from .hass_page import reload_until_visible
from .plug_choice import power_cycle_through_the_chosen_plug
from .push_channel import a_silent_channel_is_noticed, pushed_changes_show_at_once
from .servers import ECHOS, PLUGS
from .strategy_dashboard import (
    dashboard_echo,
    dashboards,
    nothing_needs_you,
    take_offline,
)

# The demo login as the entry's title and the account's device show it.
MASKED_ACCOUNT = "d***o@example.com"

OWNER_NAME = "Ada Tester"
OWNER_USERNAME = "ada"
OWNER_PASSWORD = "end-to-end-Password-1"  # noqa: S105 - a throwaway instance
POLL_SECONDS = 60  # the shortest the options allow
GRACE_MINUTES = 1
# The first poll after the grace period raises the issue: up to a grace
# period plus two polls, with room for a slow machine.
ISSUE_TIMEOUT_S = 240
# The flow waits up to 4 minutes for the Echo; the emulator reboots in 10 s.
REBOOT_TIMEOUT_MS = 300_000


class Screenshots:
    """Numbered screenshots of the steps, in the order they are taken."""

    def __init__(self, page: Page, folder: Path) -> None:
        """Save `page`'s screenshots in `folder`."""
        self._page = page
        self._folder = folder
        self._count = 0

    def __call__(self, name: str) -> None:
        """Save the page as it is now."""
        self._count += 1
        self._page.screenshot(path=self._folder / f"{self._count:02d}-{name}.png")


def textbox(scope: Page | Locator, label: str) -> Locator:
    """A text field by its label, which Home Assistant stars when required."""
    return scope.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}\*?$"))


def open_settings_page(page: Page, link: str) -> None:
    """Sidebar → Settings → one of its pages."""
    # The link's name carries the number of repairs, if any: "2 Settings 2".
    page.get_by_role("link", name=re.compile(r"^(\d+ )?Settings( \d+)?$")).click()
    page.get_by_role("link", name=link).first.click()


def onboard(page: Page, url: str, shot: Screenshots) -> None:
    """Create the owner and go through the remaining onboarding steps."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/onboarding\.html"))
    expect(page.get_by_role("heading", name="Welcome!")).to_be_visible()
    shot("onboarding-welcome")
    page.get_by_role("button", name="Create my smart home").click()

    textbox(page, "Name").fill(OWNER_NAME)
    textbox(page, "Username").fill(OWNER_USERNAME)
    textbox(page, "Password").fill(OWNER_PASSWORD)
    textbox(page, "Confirm password").fill(OWNER_PASSWORD)
    shot("onboarding-user")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Home location")).to_be_visible()
    shot("onboarding-location")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("We would like to know the country")).to_be_visible()
    shot("onboarding-country")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Help us help you")).to_be_visible()
    shot("onboarding-analytics")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="All set!")).to_be_visible()
    shot("onboarding-done")
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_role("heading", name=f"Welcome {OWNER_NAME}")).to_be_visible()
    # Home Assistant moved the http: settings of configuration.yaml into its
    # storage as a trial, and reverts them (restarting on port 8123) unless
    # they are confirmed within 5 minutes.
    expect(page.get_by_text("Confirm new HTTP server configuration")).to_be_visible()
    shot("http-settings-to-confirm")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirm new HTTP server configuration")).to_be_hidden()
    shot("dashboard")


def add_alexa_care(page: Page, device_names: list[str], shot: Screenshots) -> None:
    """Add integration → Alexa Care → the demo login; the devices appear."""
    open_settings_page(page, "Devices & services")
    expect(page).to_have_url(re.compile(r"/config/integrations/dashboard"))
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("Alexa Care")
    shot("add-integration-search")
    page.get_by_role("button", name="Alexa Care", exact=True).click()

    expect(page.get_by_text("Log in to your Amazon account")).to_be_visible()
    textbox(page, "Email").fill(DEMO_EMAIL)
    textbox(page, "Password").fill(DEMO_PASSWORD)
    textbox(page, "One-time code").fill(DEMO_CODE)
    shot("login-form")
    page.get_by_role("button", name="Submit").click()

    # Home Assistant offers to name the new devices and put them in areas:
    # the Echos, the plugs, and the account's own page, named masked.
    expect(page.get_by_text("Name and assign")).to_be_visible()
    names = page.get_by_role("textbox", name="Device name")
    expect(names).to_have_count(len(device_names) + 1)
    assert sorted(names.evaluate_all("fields => fields.map(f => f.value)")) == sorted(
        [*device_names, MASKED_ACCOUNT]
    )
    shot("devices-found")
    page.get_by_role("button", name="Skip and finish").click()
    expect(page.get_by_text("Name and assign")).to_be_hidden()

    # Home Assistant then opens the integration's page.
    expect(page).to_have_url(re.compile(r"/config/integrations/integration/alexa_care"))
    expect(page.get_by_role("heading", name="Alexa Care", level=1)).to_be_visible()
    # The entry's title masks the email.
    expect(page.get_by_text(MASKED_ACCOUNT).first).to_be_visible()
    expect(
        page.get_by_role("link", name=f"{len(device_names)} devices")
    ).to_be_visible()
    expect(page.get_by_role("link", name="1 service")).to_be_visible()
    devices = page.get_by_role("list").get_by_role("listitem")
    for name in device_names:
        expect(devices.filter(has_text=name)).to_have_count(1)
    shot("integration-page")


def set_short_grace_period(page: Page, shot: Screenshots) -> None:
    """Configure on the entry: poll every 60 s, issue after 1 minute offline."""
    page.get_by_role("button", name="Configure").click()
    expect(page.get_by_text("Polling, repairs and resets")).to_be_visible()
    page.get_by_role("spinbutton", name=re.compile(r"^Poll interval")).fill(
        str(POLL_SECONDS)
    )
    page.get_by_role("spinbutton", name=re.compile(r"^Grace period")).fill(
        str(GRACE_MINUTES)
    )
    shot("options")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Options successfully saved.")).to_be_visible()
    shot("options-saved")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Options successfully saved.")).to_be_hidden()


def outage_raises_one_issue(
    page: Page, hass_url: str, emulator: RunningEmulator, shot: Screenshots
) -> None:
    """The home's internet goes down: one issue for all devices, no reset offered."""
    started = time.monotonic()
    # Amazon lost them a grace period ago, as if the internet went down while
    # Home Assistant was restarting: the first poll after the reload raises
    # the issue, instead of a grace period and a poll later. Nothing is
    # pushed meanwhile (a pushed drop is a drop now, and Home Assistant keeps
    # what it knew across the reload).
    assert emulator.control("PUT", "/push/silence", {"silence": True})["silent"]
    account = emulator.control(
        "POST", "/devices/offline", {"seconds_ago": GRACE_MINUTES * 60 + 10}
    )
    devices = len(account["echos"]) + len(account["plugs"])
    page.goto(f"{hass_url}/config/integrations/integration/alexa_care")
    entry = page.locator(".config-entry-wrapper > ha-row-item")
    entry.get_by_role("button", name="Menu").click()
    page.get_by_role("menuitem", name="Reload").click()
    # The dashboard says so once the reload is over, in a dialog that would
    # otherwise catch the next click.
    dialog = page.locator("dialog-box")
    reloaded = dialog.get_by_text("The integration was reloaded")
    expect(reloaded).to_be_visible()
    dialog.get_by_role("button", name="OK").click()
    expect(reloaded).to_be_hidden()
    emulator.control("PUT", "/push/silence", {"silence": False})

    open_settings_page(page, "Repairs")
    issue = page.get_by_role(
        "button", name=re.compile("Amazon reports most of your devices offline")
    )
    expect(issue).to_be_visible()
    # No issue per device, each suggesting a reset.
    expect(page.get_by_role("button", name=re.compile(" is offline"))).to_have_count(0)
    issue.click()
    expect(
        page.get_by_text(
            f"Amazon reports {devices} of the {devices} devices that were online "
            "as offline since"
        )
    ).to_be_visible()
    shot("outage-issue")
    assert time.monotonic() - started < 40


# Home Assistant's REST API, called from the signed-in page as the frontend
# calls it (its `hass.callApi` carries the user's token).
CALL_API = """([method, path, data]) =>
    document.querySelector("home-assistant").hass.callApi(method, path, data)"""


def show_still_on_the_network(
    page: Page, issue: Locator, echo: dict[str, Any], shot: Screenshots
) -> None:
    """A router's tracker still sees the offline Echo: the issue says it has hung.

    The tracker's state is posted through the REST API, with the MAC address
    as a router integration publishes it, and removed again afterwards.
    """
    tracker = "states/device_tracker.router_e2e_echo"
    attributes = {"mac": echo["mac_address"], "source_type": "router"}
    page.evaluate(
        CALL_API, ["POST", tracker, {"state": "home", "attributes": attributes}]
    )
    issue.click()
    hung = page.get_by_text(
        f"{echo['name']} ({echo['model']}) offline since",
    ).filter(has_text="still sees it: it has probably hung")
    expect(hung).to_be_visible()
    shot("fix-flow-still-on-the-network")
    page.keyboard.press("Escape")
    expect(hung).to_be_hidden()
    page.evaluate(CALL_API, ["DELETE", tracker, None])


@pytest.mark.timeout(900)
# One Home Assistant, set up once, walked through step by step in the order a
# user meets them: the steps' modules keep the details.
def test_offline_echo_repaired_from_the_dashboard(  # noqa: PLR0915
    page: Page, hass_url: str, emulator: RunningEmulator, artifacts: Path
) -> None:
    """From a fresh Home Assistant to a repaired Echo, in the browser."""
    shot = Screenshots(page, artifacts)
    account = emulator.control("GET", "/devices")
    assert (len(account["echos"]), len(account["plugs"])) == (ECHOS, PLUGS)
    device_names = [device["name"] for device in account["echos"] + account["plugs"]]
    echo = next(echo for echo in account["echos"] if echo["can_reboot"])
    echo_name = echo["name"]

    other_echo = next(e["name"] for e in account["echos"] if e["name"] != echo_name)
    # An Echo the later steps leave alone.
    pushed_echo = next(
        e["name"] for e in account["echos"] if e["name"] not in {echo_name, other_echo}
    )
    onboard(page, hass_url, shot)
    add_alexa_care(page, device_names, shot)
    pushed = pushed_changes_show_at_once(
        page, emulator, account["plugs"][0]["name"], pushed_echo, shot
    )
    set_short_grace_period(page, shot)
    pushed |= a_silent_channel_is_noticed(page, emulator, pushed_echo, shot)
    (artifacts / "push-seconds.json").write_text(json.dumps(pushed))

    open_settings_page(page, "Repairs")
    expect(page).to_have_url(re.compile(r"/config/repairs"))
    issue = page.get_by_role("button", name=re.compile(rf"{echo_name} is offline"))
    expect(issue).to_have_count(0)

    assert not emulator.control(
        "POST", f"/devices/{quote(echo_name, safe='')}/offline"
    )["online"]
    needy = take_offline(emulator, dashboard_echo(account, {echo_name, other_echo}))
    offline_at = time.monotonic()
    # Another Echo drops off with them, beyond a restart's reach (first_hour.py).
    unreachable = next(
        e
        for e in reversed(account["echos"])
        if e["can_reboot"]
        and not e["powered_by"]
        and e["name"] not in {echo_name, other_echo, needy["name"]}
    )
    make_unreachable(emulator, unreachable["name"])
    # Wait on Settings → Repairs for the issue, reloading now and then.
    reload_until_visible(page, issue, offline_at + ISSUE_TIMEOUT_S, 20_000)
    # Not before the grace period: Amazon reported the Echo offline from
    # the moment it dropped off.
    assert time.monotonic() - offline_at >= GRACE_MINUTES * 60 - 5
    shot("repair-issue")
    show_still_on_the_network(page, issue, echo, shot)

    issue.click()
    expect(
        page.get_by_text(f"Amazon has reported {echo_name} ({echo['model']}) offline")
    ).to_be_visible()
    shot("fix-flow-menu")
    reboot_path = f"/v1/alexa/device/reboot/{echo['device_type']}/{echo['serial']}"
    assert emulator.requested(reboot_path) == 0
    page.get_by_text("Restart it now", exact=True).click()

    expect(
        page.get_by_text(f"Restarting {echo_name} and waiting for it to come back")
    ).to_be_visible()
    shot("fix-flow-progress")
    expect(page.get_by_text(f"{echo_name} is online again.")).to_be_visible(
        timeout=REBOOT_TIMEOUT_MS
    )
    # The Echo came back because the flow had Amazon reboot it.
    assert emulator.requested(reboot_path) == 1
    assert emulator.device(echo_name)["online"]
    shot("fix-flow-outcome")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("The issue is repaired!")).to_be_visible()
    shot("fix-flow-repaired")
    page.get_by_role("button", name="Finish").click()

    expect(issue).to_have_count(0)
    page.reload()
    # The launch screen fades out over the page, then leaves.
    expect(page.locator("#ha-launch-screen")).to_have_count(0)
    expect(
        page.get_by_role("heading", name=re.compile(r"repairs", re.IGNORECASE))
    ).to_be_visible()
    expect(issue).to_have_count(0)
    shot("repairs-without-the-issue")
    restart_tab = start_a_restart_that_cannot_reach(page, unreachable["name"])
    device_diagnostics_list_their_own_issues(
        page, unreachable, echo, [e["serial"] for e in account["echos"]], artifacts
    )

    dashboard_url = dashboards(
        page, hass_url, emulator, (needy, other_echo, unreachable["name"]), shot
    )
    powered = [
        (e["name"], e["powered_by"]) for e in account["echos"] if e["powered_by"]
    ]
    power_cycle_through_the_chosen_plug(page, emulator, powered[0], powered[1], shot)
    echo_page_has_both_buttons(page, *powered[0], shot)
    restart_outcome_offers_the_power_cycle(
        restart_tab,
        emulator,
        unreachable,
        [p["name"] for p in account["plugs"]],
        artifacts,
    )
    # The Echo Show dropped off three times today: it keeps dropping.
    show = next(e for e in account["echos"] if e["name"] == powered[1][0])
    nothing_needs_you(page, dashboard_url, show, shot)
    # Last: it leaves every device offline.
    outage_raises_one_issue(page, hass_url, emulator, shot)

    # Home Assistant reported no error, blocking call or deprecated call of ours.
    assert alexa_care_problems(artifacts / "hass.log") == []

"""The browser steps of a new user's first hour: what they tripped over.

- A restart that cannot reach an Echo (Amazon accepts it, the Echo never
  hears it) ends in an outcome that offers the power cycle it recommends,
  with the plug choice. The flow waits 4 minutes for the Echo: it runs in a
  second tab while the first goes on with the other steps.
- A device's diagnostics list only its own repair issues, and no serial
  number appears anywhere in the download, Home Assistant's list of the
  integration's issues included.
- An Echo's page has a Restart and a Power cycle button.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import re
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Page, expect

from devtools.emulator_process import RunningEmulator

from .hass_page import HomeAssistantApi, hass_url, open_device_page

# The flow waits up to 4 minutes for the Echo, then says it did not come back.
RESTART_GIVES_UP_MS = 330_000


def make_unreachable(emulator: RunningEmulator, echo: str) -> None:
    """The Echo drops off so that a restart cannot reach it; only power helps."""
    answer = emulator.control(
        "POST", f"/devices/{quote(echo, safe='')}/offline", {"unreachable": True}
    )
    assert not answer["online"]


def start_a_restart_that_cannot_reach(page: Page, echo: str) -> Page:
    """In a second tab: the Echo's offline issue → Restart it now.

    `echo` is unreachable and its issue is open. Returns the tab, its flow
    waiting for the Echo.
    """
    tab = page.context.new_page()
    tab.goto(f"{hass_url(page)}/config/repairs")
    tab.get_by_role("button", name=re.compile(rf"{echo} is offline")).click()
    # No plug is linked: the power cycle is offered (with a plug choice)
    # beside the restart.
    expect(
        tab.get_by_text("Power-cycle it through its plug", exact=True)
    ).to_be_visible()
    tab.get_by_text("Restart it now", exact=True).click()
    expect(
        tab.get_by_text(f"Restarting {echo} and waiting for it to come back")
    ).to_be_visible()
    # The first tab goes on in front: the frontend closes the connection of
    # a tab hidden for 5 minutes, and the flow answers within 4½.
    page.bring_to_front()
    return tab


def restart_outcome_offers_the_power_cycle(
    tab: Page,
    emulator: RunningEmulator,
    echo: dict[str, Any],
    plug_names: list[str],
    artifacts: Path,
) -> None:
    """The restart did not help: the outcome offers the power cycle it names."""
    name = echo["name"]
    tab.bring_to_front()
    expect(tab.get_by_text(f"{name} did not come back")).to_be_visible(
        timeout=RESTART_GIVES_UP_MS
    )
    # Amazon took the request; the Echo never heard it.
    reboot = f"/v1/alexa/device/reboot/{echo['device_type']}/{echo['serial']}"
    assert emulator.requested(reboot) == 1
    assert not emulator.device(name)["online"]
    # The text recommends cutting its power, and the menu offers it.
    expect(tab.get_by_text("Cutting its power is the next step")).to_be_visible()
    power_cycle = tab.get_by_text("Power-cycle it through its plug", exact=True)
    expect(power_cycle).to_be_visible()
    tab.screenshot(path=artifacts / "restart-not-back-offers-power-cycle.png")
    power_cycle.click()
    # No plug is linked yet: the user chooses one, none chosen for them.
    expect(tab.get_by_text(f"Which plug powers {name}?")).to_be_visible()
    radios = tab.get_by_role("radio")
    expect(radios).to_have_count(len(plug_names))
    for index in range(len(plug_names)):
        expect(radios.nth(index)).not_to_be_checked()
    tab.screenshot(path=artifacts / "restart-not-back-plug-choice.png")
    # This Echo has no plug of its own in the emulated home: leave the flow,
    # and bring it back by hand.
    tab.get_by_role("button", name="Close").click()
    expect(tab.get_by_text(f"Which plug powers {name}?")).to_be_hidden()
    tab.close()
    tab.context.pages[0].bring_to_front()
    assert emulator.control("POST", f"/devices/{quote(name, safe='')}/online")["online"]


def _download_diagnostics(page: Page, path: Path) -> dict[str, Any]:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download diagnostics").click()
    download.value.save_as(path)
    diagnostics: dict[str, Any] = json.loads(path.read_text())
    return diagnostics


def device_diagnostics_list_their_own_issues(
    page: Page,
    with_issue: dict[str, Any],
    without_issue: dict[str, Any],
    serials: list[str],
    artifacts: Path,
) -> None:
    """`with_issue` has an open issue, `without_issue` none: as each file says."""
    for echo in (with_issue, without_issue):
        open_device_page(page, echo["name"])
        path = artifacts / f"diagnostics-{echo['name']}.json"
        download = _download_diagnostics(page, path)
        issues = download["data"]["repair_issues"]
        if echo is with_issue:
            assert [issue["kind"] for issue in issues] == ["device_unavailable"]
            assert issues[0]["device"] == f"***{echo['serial'][-4:]}"
            # Home Assistant's own list names it by the same id.
            listed = [issue["issue_id"] for issue in download["issues"]]
            assert issues[0]["issue_id"] in listed
        else:
            assert issues == []
        text = json.dumps(download)
        assert [serial for serial in serials if serial in text] == []


def echo_page_has_both_buttons(
    page: Page, echo: str, plug: str, shot: Callable[[str], None]
) -> None:
    """An Echo powered by a plug: Restart and Power cycle side by side."""
    open_device_page(page, echo)
    configuration = page.locator("ha-card").filter(
        has=page.get_by_role("heading", name="Configuration")
    )
    for button in ("Restart", "Power cycle"):
        expect(configuration.get_by_text(button, exact=True)).to_be_visible()
    expect(configuration.get_by_role("button", name="Press")).to_have_count(2)
    api = HomeAssistantApi(page)
    assert api.state(api.entity_id(f"{echo} Powered by"))["state"] == plug
    configuration.scroll_into_view_if_needed()
    page.mouse.move(1200, 850)
    shot("echo-page-buttons")

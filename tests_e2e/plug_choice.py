"""The browser step of the plug choice: which plug powers an offline Echo Show.

The Kitchen Echo is linked to its plug; then the Bedroom Echo Show (which
Amazon cannot reboot) drops off with no plug linked. Its fix flow offers the
power cycle, asks which plug with none chosen, names the Echo the Kitchen Plug
already powers, and asks once more when that plug is chosen; the user goes
back, chooses the Bedroom Plug, and the power cycle brings the Echo back.
"""

from __future__ import annotations

from collections.abc import Callable
import re
import time
from urllib.parse import quote

from playwright.sync_api import Page, expect

from devtools.emulator_process import RunningEmulator

from .hass_page import HomeAssistantApi, reload_until_visible

# The grace period, a poll, and room for a slow machine.
ISSUE_TIMEOUT_S = 240
# 20 s off, the Echo boots in 5 s, the flow looks for it every 30 s.
POWER_CYCLE_TIMEOUT_MS = 150_000


def power_cycle_through_the_chosen_plug(
    page: Page,
    emulator: RunningEmulator,
    linked: tuple[str, str],
    target: tuple[str, str],
    shot: Callable[[str], None],
) -> None:
    """`linked` (Echo, plug) is linked first; `target` (Echo, plug) is repaired."""
    (linked_echo, linked_plug), (echo, plug) = linked, target
    api = HomeAssistantApi(page)
    api.call(
        "POST",
        "services/select/select_option",
        {
            "entity_id": api.entity_id(f"{linked_echo} Powered by"),
            "option": linked_plug,
        },
    )
    assert not emulator.control("POST", f"/devices/{quote(echo, safe='')}/offline")[
        "online"
    ]
    page.goto(f"{api.url}/config/repairs")
    issue = page.get_by_role("button", name=re.compile(rf"{echo} is offline"))
    # Wait on Settings → Repairs for the issue, reloading now and then.
    reload_until_visible(page, issue, time.monotonic() + ISSUE_TIMEOUT_S, 20_000)
    issue.click()
    power_cycle = page.get_by_text("Power-cycle it through its plug", exact=True)
    expect(power_cycle).to_be_visible()
    # Amazon cannot reboot it: no restart is offered, or spoken of.
    expect(page.get_by_text(re.compile("restart", re.IGNORECASE))).to_have_count(0)
    # What the power cycle does is said next to it.
    expect(page.get_by_text(re.compile("reaches a hung device too"))).to_be_visible()
    shot("plug-choice-menu")
    power_cycle.click()

    expect(page.get_by_text(f"Which plug powers {echo}?")).to_be_visible()
    shared = page.get_by_role("radio", name=f"{linked_plug} (powers {linked_echo})")
    own = page.get_by_role("radio", name=plug, exact=True)
    expect(shared).to_be_visible()
    # Nothing is chosen for the user.
    expect(shared).not_to_be_checked()
    expect(own).not_to_be_checked()
    shot("plug-choice")

    shared.check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(f"Does {linked_plug} power {echo} too?")).to_be_visible()
    shot("plug-choice-shared-plug")
    page.get_by_text("No, choose another plug", exact=True).click()

    page.get_by_role("radio", name=plug, exact=True).check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(f"Power-cycling {echo}: its plug is off")).to_be_visible()
    shot("plug-choice-power-cycle")
    expect(page.get_by_text(f"{echo} is online again.")).to_be_visible(
        timeout=POWER_CYCLE_TIMEOUT_MS
    )
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("The issue is repaired!")).to_be_visible()
    page.get_by_role("button", name="Finish").click()
    expect(issue).to_have_count(0)

    # The other Echo's plug was never switched off.
    assert emulator.device(linked_plug)["power_on"]
    assert emulator.device(linked_echo)["online"]
    assert emulator.device(echo)["powered_by"] == plug

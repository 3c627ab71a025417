"""The browser test's push steps: changes at Amazon show within seconds.

A plug switched "in the Alexa app" and an Echo dropping off, both at the
emulator, must show on their device pages within PUSH_SECONDS, with no poll
in between (the entry polls every minute, and rests while the channel is
open).
"""

from __future__ import annotations

from collections.abc import Callable
import re
import time
from urllib.parse import quote, urlsplit

from playwright.sync_api import Locator, Page, expect

from devtools.emulator_process import RunningEmulator

PUSH_SECONDS = 5
# "Connected", not "Disconnected".
CONNECTED = re.compile(r"\bConnected\b")
INTEGRATION_PAGE = "{}/config/integrations/integration/alexa_care"
# The emulator's Echos boot in 5 s.
BOOT_SECONDS = 30
# Home Assistant opens the channel right after the entry's setup.
CHANNEL_OPEN_SECONDS = 60


def _wait_for_the_channel(emulator: RunningEmulator) -> None:
    deadline = time.monotonic() + CHANNEL_OPEN_SECONDS
    while emulator.control("GET", "/push")["open_streams"] < 1:
        assert time.monotonic() < deadline, "Home Assistant opened no push channel"
        time.sleep(0.5)


def _open_device_page(page: Page, hass_url: str, name: str) -> None:
    page.goto(INTEGRATION_PAGE.format(hass_url))
    page.get_by_role("list").get_by_role("listitem").filter(has_text=name).click()
    expect(page).to_have_url(re.compile(r"/config/devices/device/"))
    expect(page.get_by_text("Device info")).to_be_visible()


def pushed_changes_show_at_once(
    page: Page,
    emulator: RunningEmulator,
    plug_name: str,
    echo_name: str,
    shot: Callable[[str], None],
) -> dict[str, float]:
    """Switch a plug in the "app", drop an Echo: both pages change within 5 s.

    Returns the seconds each took to show; leaves the integration's page open.
    """
    hass_url = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    _wait_for_the_channel(emulator)
    polls_before = emulator.requested("/nexus/v1/graphql")

    _open_device_page(page, hass_url, plug_name)
    power = _power_switch(page)
    expect(power).to_be_checked()
    shot("plug-before-the-app")
    started = time.monotonic()
    emulator.control(
        "PUT", f"/devices/{quote(plug_name, safe='')}/power", {"on": False}
    )
    expect(power).not_to_be_checked(timeout=PUSH_SECONDS * 1000)
    plug_seconds = time.monotonic() - started
    shot("plug-switched-in-the-app")

    _open_device_page(page, hass_url, echo_name)
    connectivity = page.locator("hui-simple-entity-row").filter(has_text="Connectivity")
    expect(connectivity).to_contain_text(CONNECTED)
    echo = quote(echo_name, safe="")
    started = time.monotonic()
    emulator.control("POST", f"/devices/{echo}/offline")
    expect(connectivity).to_contain_text("Disconnected", timeout=PUSH_SECONDS * 1000)
    echo_seconds = time.monotonic() - started
    shot("echo-dropped-off")
    emulator.control("POST", f"/devices/{echo}/online")
    expect(connectivity).to_contain_text(CONNECTED, timeout=PUSH_SECONDS * 1000)
    emulator.control("PUT", f"/devices/{quote(plug_name, safe='')}/power", {"on": True})
    expect(_power_of(page, hass_url, plug_name)).to_be_checked(
        timeout=PUSH_SECONDS * 1000
    )
    # The Echo the plug feeds lost its power with it: it boots again.
    if fed := emulator.device(plug_name)["feeds"]:
        deadline = time.monotonic() + BOOT_SECONDS
        while not emulator.device(fed)["online"]:
            assert time.monotonic() < deadline, f"{fed} did not boot again"
            time.sleep(0.5)

    # Pushed, not polled: no poll read the account meanwhile.
    assert emulator.requested("/nexus/v1/graphql") == polls_before
    page.goto(INTEGRATION_PAGE.format(hass_url))
    expect(page.get_by_role("heading", name="Alexa Care", level=1)).to_be_visible()
    return {"plug_switched_in_the_app": plug_seconds, "echo_offline": echo_seconds}


def _power_switch(page: Page) -> Locator:
    return page.locator("ha-card").filter(has_text="Controls").get_by_role("switch")


def _power_of(page: Page, hass_url: str, plug_name: str) -> Locator:
    _open_device_page(page, hass_url, plug_name)
    return _power_switch(page)

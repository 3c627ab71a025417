"""The browser test's push steps: changes at Amazon show within seconds.

A plug switched "in the Alexa app" and an Echo dropping off, both at the
emulator, must show on their device pages within PUSH_SECONDS, with no poll
in between (the entry polls every minute, and rests while the channel is
open). Then the channel goes silent (open, pinged, carrying nothing): a
change is lost until a reconciling poll finds it, the stall is noticed, and
a change made meanwhile shows as the stall is noticed.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import re
import time
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect

from devtools.emulator_process import RunningEmulator

from .hass_page import INTEGRATION_PAGE, HomeAssistantApi, hass_url, open_device_page

PUSH_SECONDS = 5
# "Connected", not "Disconnected".
CONNECTED = re.compile(r"\bConnected\b")
# The emulator's Echos boot in 5 s.
BOOT_SECONDS = 30
# Home Assistant opens the channel right after the entry's setup.
CHANNEL_OPEN_SECONDS = 60
# A poll's change that the channel does not push within 30 s is missed.
STALL_NOTICED_SECONDS = 45


def _wait_for_the_channel(emulator: RunningEmulator) -> None:
    deadline = time.monotonic() + CHANNEL_OPEN_SECONDS
    while emulator.control("GET", "/push")["open_streams"] < 1:
        assert time.monotonic() < deadline, "Home Assistant opened no push channel"
        time.sleep(0.5)


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
    _wait_for_the_channel(emulator)
    polls_before = emulator.requested("/nexus/v1/graphql")

    open_device_page(page, plug_name)
    power = _controls_switch(page)
    expect(power).to_be_checked()
    shot("plug-before-the-app")
    started = time.monotonic()
    emulator.control(
        "PUT", f"/devices/{quote(plug_name, safe='')}/power", {"on": False}
    )
    expect(power).not_to_be_checked(timeout=PUSH_SECONDS * 1000)
    plug_seconds = time.monotonic() - started
    shot("plug-switched-in-the-app")

    open_device_page(page, echo_name)
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
    expect(_power_of(page, plug_name)).to_be_checked(timeout=PUSH_SECONDS * 1000)
    # The Echo the plug feeds lost its power with it: it boots again.
    if fed := emulator.device(plug_name)["feeds"]:
        deadline = time.monotonic() + BOOT_SECONDS
        while not emulator.device(fed)["online"]:
            assert time.monotonic() < deadline, f"{fed} did not boot again"
            time.sleep(0.5)

    # Pushed, not polled: no poll read the account meanwhile.
    assert emulator.requested("/nexus/v1/graphql") == polls_before
    page.goto(INTEGRATION_PAGE.format(hass_url(page)))
    expect(page.get_by_role("heading", name="Alexa Care", level=1)).to_be_visible()
    return {"plug_switched_in_the_app": plug_seconds, "echo_offline": echo_seconds}


def _controls_switch(page: Page) -> Locator:
    # A plug's power, an Echo's do not disturb: the one switch of its page.
    return page.locator("ha-card").filter(has_text="Controls").get_by_role("switch")


def _power_of(page: Page, plug_name: str) -> Locator:
    open_device_page(page, plug_name)
    return _controls_switch(page)


def _push_status(api: HomeAssistantApi, entry_id: str) -> dict[str, Any]:
    """The push channel as the entry's diagnostics describe it."""
    diagnostics = json.loads(api.call("GET", f"diagnostics/config_entry/{entry_id}"))
    status: dict[str, Any] = diagnostics["data"]["push_channel"]
    return status


def _wait_for_status(
    api: HomeAssistantApi, entry_id: str, wanted: str, seconds: float
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while (status := _push_status(api, entry_id))["status"] != wanted:
        assert time.monotonic() < deadline, f"the push channel stayed {status}"
        time.sleep(1)
    return status


def a_silent_channel_is_noticed(
    page: Page, emulator: RunningEmulator, echo_name: str, shot: Callable[[str], None]
) -> dict[str, float]:
    """Silenced, the channel loses a change; a reconciling poll notices the stall.

    The reconciling poll comes every 30 minutes: here it is asked for with
    Home Assistant's update_entity action, as an automation could. Do not
    disturb switched twice "in the app": the first shows with that poll,
    the second, made meanwhile, as the stall is noticed (the channel is
    restarted and the account read again). Returns the seconds each took;
    leaves the channel pushing again.
    """
    api = HomeAssistantApi(page)
    [entry] = json.loads(
        api.call("GET", "config/config_entries/entry?domain=alexa_care")
    )
    _wait_for_the_channel(emulator)
    _wait_for_status(api, entry["entry_id"], "open", CHANNEL_OPEN_SECONDS)
    echo = quote(echo_name, safe="")
    dnd_entity = api.entity_id(f"{echo_name} Do not disturb")
    open_device_page(page, echo_name)
    dnd = _controls_switch(page)
    expect(dnd).not_to_be_checked()

    assert emulator.control("PUT", "/push/silence", {"silence": True})["silent"]
    emulator.control("PUT", f"/devices/{echo}/do-not-disturb", {"enabled": True})
    # Lost: pushed, it would show within a second.
    page.wait_for_timeout(3_000)
    expect(dnd).not_to_be_checked()
    shot("silent-channel-lost-a-change")

    started = time.monotonic()
    api.call("POST", "services/homeassistant/update_entity", {"entity_id": dnd_entity})
    expect(dnd).to_be_checked(timeout=PUSH_SECONDS * 1000)
    polled_seconds = time.monotonic() - started
    emulator.control("PUT", f"/devices/{echo}/do-not-disturb", {"enabled": False})
    expect(dnd).not_to_be_checked(timeout=STALL_NOTICED_SECONDS * 1000)
    noticed_seconds = time.monotonic() - started
    status = _wait_for_status(api, entry["entry_id"], "stalled", PUSH_SECONDS)
    assert (status["stalls"], status["missed_changes"]) == (
        1,
        {"do_not_disturb": 1},
    )
    shot("stall-noticed-change-shown")

    # It pushes again: a change within seconds, and the channel trusted again.
    emulator.control("PUT", "/push/silence", {"silence": False})
    emulator.control("PUT", f"/devices/{echo}/do-not-disturb", {"enabled": True})
    expect(dnd).to_be_checked(timeout=PUSH_SECONDS * 1000)
    _wait_for_status(api, entry["entry_id"], "open", PUSH_SECONDS)
    emulator.control("PUT", f"/devices/{echo}/do-not-disturb", {"enabled": False})
    expect(dnd).not_to_be_checked(timeout=PUSH_SECONDS * 1000)
    return {"polled": polled_seconds, "stall_noticed": noticed_seconds}

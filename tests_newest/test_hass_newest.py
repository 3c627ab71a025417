"""Alexa Care in a real process of the newest Home Assistant release.

The unit tests run on the Home Assistant their plugin pins; this test starts
the release requirements_newest.txt names beside the Amazon emulator and
drives it through its own API only: onboarding, the config flow with the
one-time code, a short grace period in the options, the Echos and plugs in
the device registry, a plug switched off and on, an Echo restarted, another
taken offline until its repair issue appears, the voice history read, and
the diagnostics downloaded.
Home Assistant's log must not name Alexa Care in an error, a deprecation
report or a blocking call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from importlib.metadata import version
import json
from pathlib import Path
import time
from typing import Any
from urllib.parse import quote

import pytest

from devtools.amazon_emulator.credentials import DEMO_CODE, DEMO_EMAIL, DEMO_PASSWORD
from devtools.emulator_process import PROJECT_DIR, RunningEmulator
from devtools.hass_log import alexa_care_problems

from .hass_api import HassApi, owner_api

DOMAIN = "alexa_care"
POLL_SECONDS = 60  # the shortest the options allow
GRACE_MINUTES = 1
COOLDOWN_MINUTES = 10
# The first poll after the grace period raises the issue: up to a grace
# period plus two polls, with room for a slow machine.
ISSUE_TIMEOUT_S = 240
STATE_TIMEOUT_S = 30
HEARD = "what does the newest home assistant say"


def pinned(package: str) -> str:
    """The version requirements_newest.txt pins for `package`."""
    for line in (PROJECT_DIR / "requirements_newest.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip() == package:
            return version.strip()
    raise KeyError(package)


async def wait_for[T](
    read: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    within: float,
    what: str,
) -> T:
    """Read until `done(value)`; the value. Fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not done(value := await read()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {within:.0f} s; last: {value!r}")
        await asyncio.sleep(1)
    return value


async def add_alexa_care(api: HassApi) -> dict[str, Any]:
    """Add integration → Alexa Care with the emulator's demo login; the entry."""
    flow = await api.rest(
        "POST", "/api/config/config_entries/flow", {"handler": DOMAIN}
    )
    assert (flow["type"], flow["step_id"]) == ("form", "user")
    result = await api.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "code": DEMO_CODE},
    )
    assert result["type"] == "create_entry", result
    entry: dict[str, Any] = result["result"]
    # The entry's title masks the email.
    assert entry["title"] == "d***o@example.com"
    return entry


async def entry_state(api: HassApi, entry_id: str) -> str:
    """The config entry's state, such as loaded or setup_retry."""
    entries = await api.rest("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    return str(next(e for e in entries if e["entry_id"] == entry_id)["state"])


async def set_short_grace_period(api: HassApi, entry_id: str) -> None:
    """Options: poll every 60 s, issue after 1 minute offline; the entry reloads."""
    flow = await api.rest(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    assert (flow["type"], flow["step_id"]) == ("form", "init")
    result = await api.rest(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        {
            "scan_interval": POLL_SECONDS,
            "grace": GRACE_MINUTES,
            "cooldown": COOLDOWN_MINUTES,
        },
    )
    assert result["type"] == "create_entry", result
    await wait_for(
        lambda: entry_state(api, entry_id),
        lambda state: state == "loaded",
        STATE_TIMEOUT_S,
        "the entry reloaded",
    )


async def state_of(api: HassApi, entity_id: str) -> str:
    """An entity's state as the REST API shows it."""
    return str((await api.rest("GET", f"/api/states/{entity_id}"))["state"])


async def switch_plug(
    api: HassApi, emulator: RunningEmulator, plug: str, entity_id: str, *, on: bool
) -> None:
    """switch.turn_on/off; the entity and Amazon's plug follow."""
    service = "turn_on" if on else "turn_off"
    await api.rest("POST", f"/api/services/switch/{service}", {"entity_id": entity_id})
    await wait_for(
        lambda: state_of(api, entity_id),
        lambda state: state == ("on" if on else "off"),
        STATE_TIMEOUT_S,
        f"{entity_id} {service}",
    )
    assert emulator.device(plug)["power_on"] is on


async def call_action(
    api: HassApi, service: str, service_data: dict[str, Any]
) -> dict[str, Any]:
    """An Alexa Care action over the websocket; its response."""
    result = await api.command(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": service,
            "service_data": service_data,
            "return_response": True,
        }
    )
    response: dict[str, Any] = result["response"]
    return response


async def offline_issues(api: HassApi, echo_name: str) -> list[dict[str, Any]]:
    """Alexa Care's open "is offline" repair issues of one Echo."""
    issues = (await api.command({"type": "repairs/list_issues"}))["issues"]
    return [
        issue
        for issue in issues
        if issue["domain"] == DOMAIN
        and issue["translation_key"] == "device_unavailable"
        and issue["translation_placeholders"]["device"] == echo_name
    ]


@pytest.mark.timeout(600)
async def test_alexa_care_on_the_newest_home_assistant(
    hass_url: str, emulator: RunningEmulator, hass_log: Path
) -> None:
    """From a fresh newest Home Assistant to an offline Echo's repair issue."""
    # Home Assistant runs with this interpreter, hence this library.
    assert version("aioamazondevices") == pinned("aioamazondevices")
    # A plug that feeds no Echo (a lamp's), and two Echos no plug feeds:
    # switching the plug off takes nothing offline.
    plug = emulator.control("POST", "/plugs", {"name": "Lamp Plug"})
    account = emulator.control("GET", "/devices")
    echos, plugs = account["echos"], account["plugs"]
    restarted, dropped = [
        echo for echo in echos if echo["can_reboot"] and echo["powered_by"] is None
    ][:2]
    emulator.control(
        "POST", "/voice-records", {"device": restarted["name"], "heard": HEARD}
    )

    async with owner_api(hass_url) as api:
        # configuration.yaml's http: settings are on trial until confirmed.
        await api.command({"type": "http/config/promote"})
        assert (await api.rest("GET", "/api/config"))["version"] == pinned(
            "homeassistant"
        )

        entry = await add_alexa_care(api)
        entry_id = entry["entry_id"]
        assert await entry_state(api, entry_id) == "loaded"
        await set_short_grace_period(api, entry_id)

        devices = {
            device["name"]: device
            for device in await api.command({"type": "config/device_registry/list"})
            if entry_id in device["config_entries"]
            # The account's own page is a service, not an Echo or a plug.
            and device["entry_type"] != "service"
        }
        assert sorted(devices) == sorted(device["name"] for device in echos + plugs)

        # The grace period runs while the other steps go on.
        assert not emulator.control(
            "POST", f"/devices/{quote(dropped['name'], safe='')}/offline"
        )["online"]
        offline_at = time.monotonic()

        [plug_switch] = [
            entity["entity_id"]
            for entity in await api.command({"type": "config/entity_registry/list"})
            if entity["device_id"] == devices[plug["name"]]["id"]
            and entity["entity_id"].startswith("switch.")
        ]
        assert await state_of(api, plug_switch) == "on"
        await switch_plug(api, emulator, plug["name"], plug_switch, on=False)
        await switch_plug(api, emulator, plug["name"], plug_switch, on=True)

        reboot_path = (
            f"/v1/alexa/device/reboot/{restarted['device_type']}/{restarted['serial']}"
        )
        assert emulator.requested(reboot_path) == 0
        restart = await call_action(
            api, "restart", {"device_id": [devices[restarted["name"]]["id"]]}
        )
        assert emulator.requested(reboot_path) == 1
        assert restart == {
            "results": [
                {
                    "device_id": devices[restarted["name"]]["id"],
                    "device": restarted["name"],
                    "action": "restart",
                    "outcome": "restart_requested",
                }
            ]
        }

        history = await call_action(
            api,
            "get_voice_history",
            {
                "config_entry_id": entry_id,
                "device_id": devices[restarted["name"]]["id"],
            },
        )
        assert [
            (record["device"], record["heard"])
            for record in history["records"]
            if record["heard"] == HEARD
        ] == [(restarted["name"], HEARD)]

        [issue] = await wait_for(
            lambda: offline_issues(api, dropped["name"]),
            bool,
            ISSUE_TIMEOUT_S,
            f"the repair issue of {dropped['name']}",
        )
        # Not before the grace period: Amazon reported the Echo offline from
        # the moment it dropped off.
        assert time.monotonic() - offline_at >= GRACE_MINUTES * 60 - 5
        assert issue["is_fixable"]
        # Nor did Home Assistant raise an issue about Alexa Care itself.
        assert [
            other
            for other in (await api.command({"type": "repairs/list_issues"}))["issues"]
            if other["domain"] != DOMAIN and DOMAIN in json.dumps(other)
        ] == []

        # Diagnostics download, without the email.
        diagnostics = await api.rest("GET", f"/api/diagnostics/config_entry/{entry_id}")
        assert diagnostics["home_assistant"]["version"] == pinned("homeassistant")
        assert diagnostics["data"]
        assert DEMO_EMAIL not in json.dumps(diagnostics)

    assert alexa_care_problems(hass_log) == []

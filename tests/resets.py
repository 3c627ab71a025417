"""Power cycles as the tests start them, and what they leave behind.

A power cycle needs the Echo's "Powered by" plug chosen; the plug's switches
are read back from the requests the fake Amazon received. The reset store
on disk is where a power cycle records a plug it holds off.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from homeassistant.components.select import (
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_OPTION
from homeassistant.core import HomeAssistant, ServiceResponse

from .common import KITCHEN, KITCHEN_PLUG, call, device_id, set_up, settle
from .fake_amazon import FakeAmazon


def plug_switches(fake_amazon: FakeAmazon) -> list[str]:
    """The plug operations Amazon was asked for, in order."""
    return [
        body["variables"]["setEndpointFeaturesInput"]["featureControlRequests"][0][
            "featureOperationName"
        ]
        for method, path, body in fake_amazon.requests
        if path == "/nexus/v1/graphql"
        and body["operationName"] == "setEndpointFeatures"
    ]


async def link(hass: HomeAssistant, echo_name: str, plug_name: str) -> None:
    """Choose the Echo's "Powered by" plug, as a user would."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: f"select.{echo_name}_powered_by", ATTR_OPTION: plug_name},
        blocking=True,
    )


async def start_kitchen_power_cycle(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    **data: int | bool,
) -> asyncio.Task[ServiceResponse]:
    """Power the kitchen Echo off through its plug; return while the plug is off."""
    await link(hass, "kitchen_echo", "Kitchen Plug")
    cycle = hass.async_create_background_task(
        call(
            hass,
            "power_cycle",
            {"device_id": device_id(hass, entry, KITCHEN), **data},
        ),
        "cycle",
    )
    await settle(hass)
    assert plug_switches(fake_amazon) == ["turnOff"]
    return cycle


def reset_store(entry: MockConfigEntry) -> str:
    """The key of the entry's reset store (cooldowns, plugs held off)."""
    return f"{DOMAIN}.{entry.entry_id}.resets"


def left_off(hass_storage: dict[str, Any], entry: MockConfigEntry) -> list[str]:
    """The plugs the store says are off, as a restart would read them."""
    return list(hass_storage[reset_store(entry)]["data"]["switched_off"])


def _crashed_during_a_power_cycle(
    hass_storage: dict[str, Any], entry: MockConfigEntry, name: str = "Kitchen Plug"
) -> None:
    """What a run that died with the kitchen plug off left on disk, and its name."""
    hass_storage[reset_store(entry)] = {
        "version": 1,
        "minor_version": 1,
        "key": reset_store(entry),
        "data": {
            "switched_off": {
                KITCHEN_PLUG: {
                    "name": name,
                    "on_by": "2026-11-22T04:00:20+00:00",
                }
            }
        },
    }


async def start_after_a_crash(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    *,
    refused_turn_ons: int = 0,
    name: str = "Kitchen Plug",
    still_listed: bool = True,
) -> None:
    """Home Assistant starts after a run that died with the kitchen plug off.

    Amazon refuses the first `refused_turn_ons` requests to switch it on;
    `name` is the plug's name as the run that died wrote it; the account no
    longer lists the plug unless `still_listed`.
    """
    _crashed_during_a_power_cycle(hass_storage, entry, name)
    fake_amazon.set_power("Kitchen Plug", on=False)
    if not still_listed:
        fake_amazon.remove("Kitchen Plug")
    fake_amazon.failing_operations["turnOn"] = refused_turn_ons
    assert await set_up(hass, entry)

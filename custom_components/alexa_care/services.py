"""The actions: restart, power_cycle and deregister, for automations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import probatio

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util.json import JsonValueType

from .amazon.models import Device
from .const import (
    ATTR_CONFIRM,
    DEFAULT_OFF_SECONDS,
    DOMAIN,
    MAX_OFF_SECONDS,
    MIN_OFF_SECONDS,
)
from .resets.deregister import ACTION_DEREGISTER, async_deregister, validate_deregister
from .resets.procedures import ResetOutcome, Resets
from .util.errors import refused
from .util.targets import Target, resolve_target

type Step = Callable[[], Awaitable[dict[str, Any]]]

SERVICE_RESTART = "restart"
SERVICE_POWER_CYCLE = "power_cycle"
SERVICE_DEREGISTER = ACTION_DEREGISTER
ATTR_OFF_SECONDS = "off_seconds"

_DEVICE_IDS = probatio.All(cv.ensure_list, [cv.string])
RESTART_SCHEMA = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): _DEVICE_IDS})
POWER_CYCLE_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): _DEVICE_IDS,
        probatio.Optional(ATTR_OFF_SECONDS, default=DEFAULT_OFF_SECONDS): probatio.All(
            probatio.Coerce(int),
            probatio.Range(min=MIN_OFF_SECONDS, max=MAX_OFF_SECONDS),
        ),
        probatio.Optional(ATTR_CONFIRM, default=False): cv.boolean,
    }
)
DEREGISTER_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): _DEVICE_IDS,
        probatio.Optional(ATTR_CONFIRM, default=False): cv.boolean,
    }
)


async def _async_run_each(prepared: list[tuple[Target, Step]]) -> ServiceResponse:
    """Run the prepared steps device by device and report each outcome.

    When Amazon fails on one device, the error says which devices were
    already done; the devices after it are left alone.
    """
    results: list[JsonValueType] = []
    done: list[str] = []
    for target, run in prepared:
        try:
            result = await run()
        except HomeAssistantError as err:
            if not results:
                raise
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="partly_done",
                translation_placeholders={
                    "done": ", ".join(done),
                    "device": target.device.name,
                    "error": str(err),
                },
            ) from err
        done.append(target.device.name)
        reported: dict[str, JsonValueType] = {
            ATTR_DEVICE_ID: target.device_id,
            "device": target.device.name,
        }
        results.append(reported | result)
    return {"results": results}


def _release(reserved: list[tuple[Resets, tuple[Device, ...]]]) -> None:
    """A later device was refused: the earlier ones were not reset after all."""
    for resets, devices in reserved:
        resets.release(*devices)


def _targets(call: ServiceCall) -> list[Target]:
    # The same device twice is the same device once.
    device_ids = dict.fromkeys(call.data[ATTR_DEVICE_ID])
    if not device_ids:
        # An automation whose target template came out empty would otherwise
        # look as if it had reset something.
        raise refused("no_device_id")
    return [resolve_target(call.hass, device_id) for device_id in device_ids]


def _describe(outcome: ResetOutcome) -> dict[str, Any]:
    described: dict[str, Any] = {"action": outcome.action, "outcome": outcome.outcome}
    if outcome.plug is not None:
        described["plug"] = outcome.plug.name
    return described


type Reserve = Callable[[Resets, Target], tuple[tuple[Device, ...], Step]]


async def _async_reset_each(call: ServiceCall, reserve: Reserve) -> ServiceResponse:
    """Check and reserve every device before the first is reset, then reset each.

    `reserve` refuses a device or reserves it (and its plug), and returns the
    devices reserved and the step that resets it.
    """
    prepared: list[tuple[Target, Step]] = []
    reserved: list[tuple[Resets, tuple[Device, ...]]] = []
    try:
        for target in _targets(call):
            resets = target.entry.runtime_data.resets
            devices, step = reserve(resets, target)
            reserved.append((resets, devices))
            prepared.append((target, step))
    except ServiceValidationError:
        _release(reserved)
        raise
    try:
        return await _async_run_each(prepared)
    finally:
        # The devices left alone after a failure were not reset after all.
        _release(reserved)


async def _async_restart(call: ServiceCall) -> ServiceResponse:
    def reserve(resets: Resets, target: Target) -> tuple[tuple[Device, ...], Step]:
        echo = resets.validate_restart(target.device)

        async def step() -> dict[str, Any]:
            return _describe(await resets.async_restart(echo))

        return (echo,), step

    return await _async_reset_each(call, reserve)


async def _async_power_cycle(call: ServiceCall) -> ServiceResponse:
    off_time = timedelta(seconds=call.data[ATTR_OFF_SECONDS])

    def reserve(resets: Resets, target: Target) -> tuple[tuple[Device, ...], Step]:
        device = target.device
        plug = resets.validate_power_cycle(device, confirm=call.data[ATTR_CONFIRM])

        async def step() -> dict[str, Any]:
            return _describe(await resets.async_power_cycle(device, plug, off_time))

        return (device, plug), step

    return await _async_reset_each(call, reserve)


async def _async_deregister(call: ServiceCall) -> ServiceResponse:
    targets = _targets(call)
    if not call.data[ATTR_CONFIRM]:
        raise refused("confirmation_required")
    for target in targets:
        validate_deregister(target)
    prepared: list[tuple[Target, Step]] = [
        (target, partial(async_deregister, call.hass, target)) for target in targets
    ]
    return await _async_run_each(prepared)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, whatever the number of entries.

    Restarting is open to every user, like the Restart button it mirrors;
    cutting power and removing devices are for administrators.
    """
    hass.services.async_register(
        DOMAIN,
        SERVICE_RESTART,
        _async_restart,
        schema=RESTART_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    for name, handler, schema in (
        (SERVICE_POWER_CYCLE, _async_power_cycle, POWER_CYCLE_SCHEMA),
        (SERVICE_DEREGISTER, _async_deregister, DEREGISTER_SCHEMA),
    ):
        async_register_admin_service(
            hass,
            DOMAIN,
            name,
            handler,
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )

"""The actions: restart, power_cycle and deregister, for automations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import probatio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util.json import JsonValueType

from .api import AlexaCareError, AmazonResponseError, Device, Echo, SmartPlug
from .const import (
    DEFAULT_OFF_SECONDS,
    DEREGISTER_CHECKS,
    DOMAIN,
    EVENT_ACTION,
    MAX_OFF_SECONDS,
    MIN_OFF_SECONDS,
)
from .coordinator import AlexaCareConfigEntry
from .reset import ResetOutcome, Resets, async_wait

type Step = Callable[[], Awaitable[dict[str, Any]]]

SERVICE_RESTART = "restart"
SERVICE_POWER_CYCLE = "power_cycle"
SERVICE_DEREGISTER = "deregister"
ATTR_DEVICE_ID = "device_id"
ATTR_OFF_SECONDS = "off_seconds"
ATTR_CONFIRM = "confirm"
OUTCOME_DEREGISTERED = "deregistered"
OUTCOME_FAILED = "failed"

# What deregistering leaves on Amazon's side (Amazon's own help pages).
NOT_DELETED_BY_DEREGISTER = (
    "voice recordings and transcripts in the cloud",
    "the Amazon account, its login and payment methods",
    "smart-home connections and skills",
    "routines, reminders and alerts",
    "music, Audible and Kindle content, purchase history",
)

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


@dataclass(frozen=True, kw_only=True)
class Target:
    """A device an action was called for, and the entry it belongs to."""

    device_id: str
    entry: AlexaCareConfigEntry
    device: Device


def refused(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated refusal, raised before anything is sent to Amazon."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def resolve_target(hass: HomeAssistant, device_id: str) -> Target:
    """Find the Alexa Care device behind a device id, or refuse."""
    device_entry = dr.async_get(hass).async_get(device_id)
    if device_entry is None:
        raise refused("device_not_found", device_id=device_id)
    name = device_entry.name_by_user or device_entry.name or device_id
    entry: AlexaCareConfigEntry | None = next(
        (
            config_entry
            for entry_id in device_entry.config_entries
            if (config_entry := hass.config_entries.async_get_entry(entry_id))
            and config_entry.domain == DOMAIN
        ),
        None,
    )
    if entry is None:
        raise refused("not_alexa_care_device", device=name)
    if entry.state is not ConfigEntryState.LOADED:
        raise refused("entry_not_loaded", device=name)
    key = next(value for domain, value in device_entry.identifiers if domain == DOMAIN)
    device = entry.runtime_data.coordinator.data.devices.get(key)
    if device is None:
        raise refused("device_not_on_account", device=name)
    return Target(device_id=device_id, entry=entry, device=device)


def fire_action_event(
    hass: HomeAssistant, device_id: str, device: Device, action: str, outcome: str
) -> None:
    """Tell the logbook and automations what an action did."""
    hass.bus.async_fire(
        EVENT_ACTION,
        {
            "device_id": device_id,
            "device_name": device.name,
            "action": action,
            "outcome": outcome,
        },
    )


async def _async_run_each(
    hass: HomeAssistant,
    action: str,
    prepared: list[tuple[Target, Step]],
) -> ServiceResponse:
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
            fire_action_event(
                hass, target.device_id, target.device, action, OUTCOME_FAILED
            )
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
        fire_action_event(
            hass, target.device_id, target.device, action, result["outcome"]
        )
        done.append(target.device.name)
        reported: dict[str, JsonValueType] = {
            "device_id": target.device_id,
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
    return [resolve_target(call.hass, device_id) for device_id in device_ids]


def _describe(outcome: ResetOutcome) -> dict[str, Any]:
    described: dict[str, Any] = {"action": outcome.action, "outcome": outcome.outcome}
    if outcome.plug is not None:
        described["plug"] = outcome.plug.name
    return described


async def _restart_one(resets: Resets, echo: Echo) -> dict[str, Any]:
    return _describe(await resets.async_restart(echo))


async def _power_cycle_one(
    resets: Resets, device: Device, plug: SmartPlug, off_time: timedelta
) -> dict[str, Any]:
    return _describe(await resets.async_power_cycle(device, plug, off_time))


async def _async_restart(call: ServiceCall) -> ServiceResponse:
    # Every device is checked before the first is restarted.
    prepared: list[tuple[Target, Step]] = []
    reserved: list[tuple[Resets, tuple[Device, ...]]] = []
    try:
        for target in _targets(call):
            resets = target.entry.runtime_data.resets
            echo = resets.validate_restart(target.device)
            reserved.append((resets, (echo,)))
            prepared.append((target, partial(_restart_one, resets, echo)))
    except ServiceValidationError:
        _release(reserved)
        raise
    return await _async_run_each(call.hass, SERVICE_RESTART, prepared)


async def _async_power_cycle(call: ServiceCall) -> ServiceResponse:
    off_time = timedelta(seconds=call.data[ATTR_OFF_SECONDS])
    prepared: list[tuple[Target, Step]] = []
    reserved: list[tuple[Resets, tuple[Device, ...]]] = []
    try:
        for target in _targets(call):
            resets = target.entry.runtime_data.resets
            plug = resets.validate_power_cycle(
                target.device, confirm=call.data[ATTR_CONFIRM]
            )
            reserved.append((resets, (target.device, plug)))
            step = partial(_power_cycle_one, resets, target.device, plug, off_time)
            prepared.append((target, step))
    except ServiceValidationError:
        _release(reserved)
        raise
    return await _async_run_each(call.hass, SERVICE_POWER_CYCLE, prepared)


def validate_deregister(target: Target) -> None:
    """Refuse what Amazon does not let go remotely."""
    device = target.device
    if isinstance(device, Echo) and not device.can_deregister:
        raise refused("cannot_deregister", device=device.name)
    if isinstance(device, SmartPlug) and device.appliance_id is None:
        raise refused("cannot_deregister", device=device.name)


async def async_deregister(hass: HomeAssistant, target: Target) -> dict[str, Any]:
    """Deregister, check Amazon no longer lists it, then remove the device."""
    device = target.device
    account = target.entry.runtime_data.coordinator.account
    refused: AlexaCareError | None = None
    try:
        if isinstance(device, Echo):
            await account.async_deregister_echo(device)
        elif isinstance(device, SmartPlug):
            await account.async_delete_plug(device)
    except AmazonResponseError as err:
        # Amazon sometimes answers a deletion it carried out with a status
        # the library calls a failure: the account itself tells the truth.
        refused = err
    except AlexaCareError as err:
        raise _failed("deregister_failed", device, err) from err
    try:
        for delay in DEREGISTER_CHECKS:
            await async_wait(hass, delay)
            if not await account.async_is_listed(device):
                break
        else:
            raise _failed("deregister_not_verified", device, refused or "still listed")
    except AlexaCareError as err:
        raise _failed("deregister_not_verified", device, err) from err
    await target.entry.runtime_data.power_links.async_forget(device.key)
    dr.async_get(hass).async_update_device(
        target.device_id, remove_config_entry_id=target.entry.entry_id
    )
    return {
        "action": SERVICE_DEREGISTER,
        "outcome": OUTCOME_DEREGISTERED,
        "not_deleted": list(NOT_DELETED_BY_DEREGISTER),
    }


def _failed(key: str, device: Device, error: object) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"device": device.name, "error": str(error)},
    )


async def _async_deregister(call: ServiceCall) -> ServiceResponse:
    targets = _targets(call)
    if not call.data[ATTR_CONFIRM]:
        raise refused("confirmation_required")
    for target in targets:
        validate_deregister(target)
    prepared: list[tuple[Target, Step]] = [
        (target, partial(async_deregister, call.hass, target)) for target in targets
    ]
    return await _async_run_each(call.hass, SERVICE_DEREGISTER, prepared)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, whatever the number of entries."""
    for name, handler, schema in (
        (SERVICE_RESTART, _async_restart, RESTART_SCHEMA),
        (SERVICE_POWER_CYCLE, _async_power_cycle, POWER_CYCLE_SCHEMA),
        (SERVICE_DEREGISTER, _async_deregister, DEREGISTER_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            name,
            handler,
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )

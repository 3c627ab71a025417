"""Deregistering a device: refused unless Amazon allows it, then verified.

Shared by the deregister action and the repair flow's "give it away" step.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..amazon.models import AlexaCareError, AmazonResponseError, Echo, SmartPlug
from ..const import DEREGISTER_CHECKS
from ..monitoring.issues import async_withdraw_all
from ..util.clock import async_wait
from ..util.errors import device_failure, failed, refused
from ..util.events import ActionEvent
from ..util.targets import Target

ACTION_DEREGISTER = "deregister"
OUTCOME_DEREGISTERED = "deregistered"

# What deregistering leaves on Amazon's side (Amazon's own help pages).
NOT_DELETED_BY_DEREGISTER = (
    "voice recordings and transcripts in the cloud",
    "the Amazon account, its login and payment methods",
    "smart-home connections and skills",
    "routines, reminders and alerts",
    "music, Audible and Kindle content, purchase history",
)


def validate_deregister(target: Target) -> None:
    """Refuse what Amazon does not let go remotely, or a reset is busy with."""
    device = target.device
    # Deregistering the plug a power cycle holds off would leave it off.
    target.entry.runtime_data.resets.busy.check_free(device)
    if isinstance(device, Echo) and not device.can_deregister:
        raise refused("cannot_deregister", device=device.name)
    if isinstance(device, SmartPlug) and device.appliance_id is None:
        raise refused("cannot_deregister", device=device.name)


async def async_deregister(hass: HomeAssistant, target: Target) -> dict[str, Any]:
    """Deregister, check Amazon no longer lists it, then remove the device.

    Whether an action or a repair flow asked, the logbook shows it.
    """
    event = ActionEvent(
        device_id=target.device_id, device=target.device, action=ACTION_DEREGISTER
    )
    return await event.async_reported(
        hass, _async_deregister(hass, target), lambda result: str(result["outcome"])
    )


async def _async_deregister(hass: HomeAssistant, target: Target) -> dict[str, Any]:
    with target.entry.runtime_data.resets.busy.deregistering(target.device):
        return await _async_deregister_held(hass, target)


async def _async_deregister_held(hass: HomeAssistant, target: Target) -> dict[str, Any]:
    device = target.device
    # Read now: the entry may unload during the checks, and its runtime data
    # goes with it; the device is gone from Amazon all the same.
    runtime = target.entry.runtime_data
    account = runtime.coordinator.account
    answer_refused: AlexaCareError | None = None
    try:
        if isinstance(device, Echo):
            await account.async_deregister_echo(device)
        elif isinstance(device, SmartPlug):
            await account.async_delete_plug(device)
    except AmazonResponseError as err:
        # Amazon sometimes answers a deletion it carried out with a status
        # the library calls a failure: the account itself tells the truth.
        answer_refused = err
    except AlexaCareError as err:
        raise device_failure(
            hass, target.entry, err, "deregister_failed", device=device.name
        ) from err
    try:
        for delay in DEREGISTER_CHECKS:
            await async_wait(hass, delay)
            if not await account.async_is_listed(device):
                break
        else:
            if answer_refused is None:
                raise failed("deregister_still_listed", device=device.name)
            raise failed(
                "deregister_not_verified", device=device.name, error=str(answer_refused)
            )
    except AlexaCareError as err:
        raise failed(
            "deregister_not_verified", device=device.name, error=str(err)
        ) from err
    await runtime.power_links.async_forget(device.key)
    # A plug a power cycle left off is no longer ours to switch on.
    await runtime.reset_store.async_forget(device.key)
    registry = dr.async_get(hass)
    # The user may have deleted it meanwhile, on its device page.
    if registry.async_get(target.device_id) is not None:
        registry.async_remove_device(target.device_id)
    # Its issues go with it, and it leaves the snapshot before the next
    # poll: nothing may raise them again for a device that is gone.
    runtime.coordinator.async_device_left(device.key)
    async_withdraw_all(hass, target.entry.entry_id, device.key)
    return {
        "action": ACTION_DEREGISTER,
        "outcome": OUTCOME_DEREGISTERED,
        "not_deleted": list(NOT_DELETED_BY_DEREGISTER),
    }

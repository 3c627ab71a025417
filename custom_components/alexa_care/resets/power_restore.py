"""Switching on the plugs that power cycles left off, as the reset store records them.

At setup (plug_left_off.py), from the fix flow, when the entry unloads and
when Home Assistant stops (procedures.py): the power cycles that switched
them off will not live to do it.
"""

from __future__ import annotations

from ..amazon.models import AlexaCareError
from ..const import LOGGER
from ..coordinator import AlexaCareCoordinator
from .store import ResetStore


class PlugNotListedError(AlexaCareError):
    """A plug left off that the account no longer lists: Amazon cannot switch it."""


async def async_switch_on_left_off(
    coordinator: AlexaCareCoordinator, store: ResetStore, only: str | None = None
) -> dict[str, AlexaCareError]:
    """Switch on the plugs recorded as off; return those Amazon refused.

    Keyed by the plug's key; a plug no longer on the account cannot be
    switched (PlugNotListedError) and stays recorded until someone says
    what became of it (the fix flow): it may only be missing from one
    answer.
    """
    refused_on: dict[str, AlexaCareError] = {}
    for key, left_off in store.switched_off.items():
        if only not in (None, key):
            continue
        if (plug := coordinator.data.plugs.get(key)) is None:
            refused_on[key] = PlugNotListedError(
                f"{left_off['name']} is not on the Amazon account"
            )
            continue
        try:
            await coordinator.account.async_set_plug_power(plug, turn_on=True)
        except AlexaCareError as err:
            refused_on[key] = err
        else:
            await store.async_switched_on(key)
    return refused_on


async def async_switch_on_or_log(
    coordinator: AlexaCareCoordinator, store: ResetStore, when: str
) -> None:
    """Switch on the plugs left off; log each one Amazon refused."""
    for key, err in (await async_switch_on_left_off(coordinator, store)).items():
        # Still recorded: the next setup or start tries again, or raises
        # an issue.
        LOGGER.error(
            "%s was switched off for a power cycle and could not be "
            "switched on again %s: %s",
            store.switched_off[key]["name"],
            when,
            err,
        )

"""The voice-history actions: get_voice_history and delete_voice_history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

import probatio

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    service,
)
from homeassistant.helpers.importlib import async_import_module
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from ..amazon.models import Echo, VoiceRecord
from ..const import ATTR_CONFIRM, DOMAIN, VOICE_HISTORY_MAX_AGE, DeletionScope
from ..data import AlexaCareConfigEntry
from ..util.errors import refused
from ..util.events import OUTCOME_FAILED, fire_action_event
from ..util.targets import Target, resolve_target

if TYPE_CHECKING:
    from .deletion import VoiceDeletion

type DeleteVoiceHistory = Callable[
    [HomeAssistant, AlexaCareConfigEntry, Echo, DeletionScope],
    Awaitable["VoiceDeletion"],
]

# Imported at the first deletion, off the event loop: few homes ever ask for
# one, and this module is loaded with the integration.
DELETION = f"{__package__}.deletion"

SERVICE_GET_VOICE_HISTORY = "get_voice_history"
SERVICE_DELETE_VOICE_HISTORY = "delete_voice_history"
ATTR_START = "start"
ATTR_END = "end"
ATTR_LIMIT = "limit"
ATTR_SCOPE = "scope"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

GET_VOICE_HISTORY_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_DEVICE_ID): cv.string,
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_END): cv.datetime,
        probatio.Optional(ATTR_LIMIT, default=DEFAULT_LIMIT): probatio.All(
            probatio.Coerce(int), probatio.Range(min=1, max=MAX_LIMIT)
        ),
    }
)
DELETE_VOICE_HISTORY_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required(ATTR_SCOPE): probatio.Coerce(DeletionScope),
        probatio.Optional(ATTR_CONFIRM, default=False): cv.boolean,
    }
)


def _only_loaded_entry(hass: HomeAssistant) -> AlexaCareConfigEntry:
    """The account to read when the call names none: there must be one.

    Not Home Assistant's own fallback, which refuses as soon as a second
    account is set up, loaded or not.
    """
    loaded: list[AlexaCareConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if len(loaded) != 1:
        raise refused("account_required", count=str(len(loaded)))
    return loaded[0]


def _echo_target(hass: HomeAssistant, device_id: str) -> tuple[Target, Echo]:
    target = resolve_target(hass, device_id)
    if not isinstance(target.device, Echo):
        raise refused("no_voice_history", device=target.device.name)
    return target, target.device


def _as_utc(value: datetime | None) -> datetime | None:
    # A time without a zone is Home Assistant's local time.
    return dt_util.as_utc(value) if value is not None else None


def _describe(
    hass: HomeAssistant, record: VoiceRecord, entry_id: str
) -> dict[str, JsonValueType]:
    device = (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, record.serial_number), entry_id
        )
        if record.serial_number
        else None
    )
    return {
        "time": record.time.isoformat(),
        ATTR_DEVICE_ID: device.id if device else None,
        # An Echo deregistered since has left the registry, not the record.
        "device": (device.name_by_user or device.name)
        if device
        else record.device_name,
        "type": record.kind,
        "intent": record.intent,
        "heard": record.heard,
        "answer": record.answer,
    }


async def _async_get_voice_history(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    target = echo = None
    if device_id := call.data.get(ATTR_DEVICE_ID):
        target, echo = _echo_target(hass, device_id)
    entry: AlexaCareConfigEntry
    if entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID):
        entry = service.async_get_config_entry(hass, DOMAIN, entry_id)
    else:
        # The Echo's own account, or the only one there is.
        entry = target.entry if target else _only_loaded_entry(hass)
    serial: str | None = None
    if target and echo:
        if target.entry.entry_id != entry.entry_id:
            raise refused("other_account", device=echo.name, account=entry.title)
        serial = echo.key
    start = _as_utc(call.data.get(ATTR_START))
    end = _as_utc(call.data.get(ATTR_END))
    if start and end and start > end:
        raise refused("start_after_end")
    history = await entry.runtime_data.voice_history.async_read(VOICE_HISTORY_MAX_AGE)
    matching = [
        record
        for record in history.records
        if (serial is None or record.serial_number == serial)
        and (start is None or record.time >= start)
        and (end is None or record.time <= end)
    ]
    limit: int = call.data[ATTR_LIMIT]
    return {
        "read_at": history.read_at.isoformat(),
        "count": len(matching),
        "truncated": len(matching) > limit,
        "records": [
            _describe(hass, record, entry.entry_id) for record in matching[:limit]
        ],
    }


async def _async_delete_voice_history(call: ServiceCall) -> ServiceResponse:
    # What is wrong with the target first: a plug is refused with or without
    # the confirmation, so it should not take two tries to learn that.
    target, echo = _echo_target(call.hass, call.data[ATTR_DEVICE_ID])
    if not call.data[ATTR_CONFIRM]:
        raise refused("voice_confirmation_required")
    deletion_module = await async_import_module(call.hass, DELETION)
    delete = cast("DeleteVoiceHistory", deletion_module.async_delete_voice_history)
    try:
        deletion = await delete(call.hass, target.entry, echo, call.data[ATTR_SCOPE])
    except Exception:
        fire_action_event(
            call.hass,
            target.device_id,
            echo,
            SERVICE_DELETE_VOICE_HISTORY,
            OUTCOME_FAILED,
        )
        raise
    outcome = "deleted" if deletion.deleted else "nothing_to_delete"
    fire_action_event(
        call.hass, target.device_id, echo, SERVICE_DELETE_VOICE_HISTORY, outcome
    )
    return {
        ATTR_DEVICE_ID: target.device_id,
        "device": echo.name,
        "scope": deletion.scope.value,
        "outcome": outcome,
        "before": deletion.before,
        "after": deletion.after,
        "deleted": deletion.deleted,
    }


@callback
def async_setup_voice_services(hass: HomeAssistant) -> None:
    """Register the voice-history actions, for administrators only.

    Reading returns what everyone in the home said; deleting destroys it.
    """
    service.async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_GET_VOICE_HISTORY,
        _async_get_voice_history,
        schema=GET_VOICE_HISTORY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    service.async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_DELETE_VOICE_HISTORY,
        _async_delete_voice_history,
        schema=DELETE_VOICE_HISTORY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )

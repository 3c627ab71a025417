"""Sensors of the devices and of the account.

The Echos' software version, last seen online, Wi-Fi network and last voice
request; every device's suggested fix, drop-offs and offline time today; the
account's devices offline, and its household outages today and their minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .account_sensor import HOUSEHOLD, DevicesOfflineSensor, HouseholdSensor
from .amazon.models import Device, Echo
from .const import DOMAIN
from .data import AlexaCareConfigEntry, AlexaCareData
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    async_add_described_entities,
)
from .health import DROP_OFFS, OFFLINE_MINUTES
from .suggested_fix import Suggestion, device_advice

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlexaCareSensorEntityDescription[DeviceT: Device](
    SensorEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a sensor of a device."""

    value_fn: Callable[[AlexaCareData, DeviceT], StateType | datetime]
    # What else the sensor shows, which no poll's change announces: it is
    # told of it by this (runtime, device key, update) → remover.
    listen_fn: Callable[[AlexaCareData, str, CALLBACK_TYPE], CALLBACK_TYPE] | None = (
        None
    )
    # Read from the voice history, which has its own, slower schedule.
    from_voice_history: bool = False


SENSORS: tuple[AlexaCareSensorEntityDescription[Echo], ...] = (
    AlexaCareSensorEntityDescription(
        key="software_version",
        translation_key="software_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The device page shows the version already.
        entity_registry_enabled_default=False,
        device_kind=Echo,
        value_fn=lambda _, echo: echo.software_version,
    ),
    AlexaCareSensorEntityDescription(
        key="last_seen_online",
        translation_key="last_seen_online",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # While an Echo is online Amazon stamps every sample anew, so this
        # changes at every poll: a recorder row per Echo per poll for what
        # Connectivity's last change and the offline issue already say.
        entity_registry_enabled_default=False,
        device_kind=Echo,
        value_fn=lambda _, echo: echo.last_seen_online,
        # Amazon's sample times wake no other entity (models.Device).
        listen_fn=lambda runtime, key, update: (
            runtime.coordinator.async_add_sample_listener(key, update)
        ),
    ),
    AlexaCareSensorEntityDescription(
        key="wifi_network",
        translation_key="wifi_network",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The network's name identifies a home; shown only when asked for.
        entity_registry_enabled_default=False,
        device_kind=Echo,
        value_fn=lambda runtime, echo: (
            known.ssid if (known := runtime.network_identities.get(echo.key)) else None
        ),
        listen_fn=lambda runtime, key, update: (
            runtime.network_identities.async_add_listener(key, update)
        ),
    ),
    # When someone last asked an Echo something. What was said is not a state
    # or an attribute: it belongs to the get_voice_history action's response,
    # which nothing records.
    AlexaCareSensorEntityDescription(
        key="last_voice_request",
        translation_key="last_voice_request",
        device_class=SensorDeviceClass.TIMESTAMP,
        device_kind=Echo,
        value_fn=lambda runtime, echo: (
            history.last_request(echo.key)
            if (history := runtime.voice_history.data)
            else None
        ),
        # Listening also makes the voice history coordinator poll.
        listen_fn=lambda runtime, _key, update: (
            runtime.voice_history.async_add_listener(update)
        ),
        from_voice_history=True,
    ),
)


# Today's health of every device with reachability, counted by health.py.
# They change only when something happens (a drop-off, a poll while offline,
# midnight), so a household whose devices stay online costs no database rows.
HEALTH_SENSORS: tuple[AlexaCareSensorEntityDescription[Device], ...] = (
    AlexaCareSensorEntityDescription(
        key=DROP_OFFS,
        translation_key=DROP_OFFS,
        entity_category=EntityCategory.DIAGNOSTIC,
        # Back to 0 at midnight: the statistics read a drop as a new day.
        state_class=SensorStateClass.TOTAL_INCREASING,
        device_kind=Device,
        exists_fn=lambda device: device.online is not None,
        value_fn=lambda runtime, device: runtime.health.drop_offs(device.key),
    ),
    AlexaCareSensorEntityDescription(
        key=OFFLINE_MINUTES,
        translation_key=OFFLINE_MINUTES,
        entity_category=EntityCategory.DIAGNOSTIC,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        # Connectivity's history shows the outages already, and this writes
        # a state at every poll while a device is offline.
        entity_registry_enabled_default=False,
        suggested_display_precision=0,
        state_class=SensorStateClass.TOTAL_INCREASING,
        device_kind=Device,
        exists_fn=lambda device: device.online is not None,
        value_fn=lambda runtime, device: runtime.health.offline_minutes(device.key),
    ),
)


# What a device needs, in step with its repair issues (suggested_fix.py). Not
# diagnostic: reading it on a dashboard is what Alexa Care is for.
SUGGESTED_FIX = AlexaCareSensorEntityDescription[Device](
    key="suggested_fix",
    translation_key="suggested_fix",
    device_class=SensorDeviceClass.ENUM,
    options=[suggestion.value for suggestion in Suggestion],
    device_kind=Device,
    value_fn=lambda _runtime, _device: None,  # read by SuggestedFixSensor
    # Woken when the account's repair issues change (async_setup_entry).
    listen_fn=lambda runtime, key, update: runtime.issue_listeners.add(key, update),
)
ATTR_SINCE = "since"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every device, now and later, and the account's."""
    async_add_described_entities(entry, async_add_entities, SENSORS, AlexaCareSensor)
    async_add_described_entities(
        entry, async_add_entities, HEALTH_SENSORS, AlexaCareHealthSensor
    )
    async_add_described_entities(
        entry, async_add_entities, (SUGGESTED_FIX,), SuggestedFixSensor
    )
    async_add_entities(
        [
            DevicesOfflineSensor(entry),
            *(HouseholdSensor(entry, description) for description in HOUSEHOLD),
        ]
    )

    @callback
    def ours(data: ir.EventIssueRegistryUpdatedData) -> bool:
        return data["domain"] == DOMAIN

    @callback
    def issues_changed(_event: Event[ir.EventIssueRegistryUpdatedData]) -> None:
        entry.runtime_data.issue_listeners.notify()

    # One listener for every Suggested fix sensor: one each would be hundreds
    # of listeners, each called for every issue, at 500 Echos.
    entry.async_on_unload(
        hass.bus.async_listen(
            ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, issues_changed, event_filter=ours
        )
    )
    entry.async_on_unload(entry.runtime_data.health.async_track_midnight(hass))


class AlexaCareSensor(AlexaCareEntity, SensorEntity):
    """A sensor of a device."""

    entity_description: AlexaCareSensorEntityDescription[Any]

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if listen := self.entity_description.listen_fn:
            self.async_on_remove(
                listen(self.runtime, self._key, self._handle_coordinator_update)
            )

    @property
    @override
    def available(self) -> bool:
        if self.entity_description.from_voice_history:
            # Unavailable until a read has succeeded; a failed read later
            # keeps the last value.
            return super().available and self.runtime.voice_history.data is not None
        return super().available

    @override
    def _value(self) -> object:
        return self.native_value

    @property
    @override
    def native_value(self) -> StateType | datetime:
        # Home Assistant also reads it to save the state of a device gone
        # from the account, which waits out its grace period unavailable.
        if not self.known:
            return None
        return self.entity_description.value_fn(self.runtime, self.device)


class AlexaCareHealthSensor(AlexaCareSensor):
    """A count of today's health (kept across restarts by health_store.py)."""

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        # Polls that change nothing else (every device offline) and midnight
        # wake no coordinator listener.
        self.async_on_remove(
            self.runtime.health.async_add_listener(
                self._key, self._handle_coordinator_update
            )
        )


class SuggestedFixSensor(AlexaCareSensor):
    """What the device needs, as its repair issue advises; since when."""

    @property
    @override
    def available(self) -> bool:
        # A failed poll leaves the issues as they were; an expired login is
        # itself a suggestion (sign in again).
        return self.known

    @override
    def _value(self) -> object:
        return device_advice(self.coordinator.config_entry, self.device)

    @property
    @override
    def native_value(self) -> str:
        return device_advice(self.coordinator.config_entry, self.device).suggestion

    @property
    @override
    def extra_state_attributes(self) -> dict[str, str | None]:
        since = device_advice(self.coordinator.config_entry, self.device).since
        return {ATTR_SINCE: since.isoformat() if since else None}

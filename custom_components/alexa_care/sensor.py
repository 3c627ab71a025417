"""Sensors of the devices and of the account.

The Echos' software version, last seen online, Wi-Fi network and last voice
request; every device's suggested fix, drop-offs and offline time today; the
account's devices offline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    RestoreSensor,
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
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .amazon.models import Device, Echo
from .const import DOMAIN
from .coordinator import AlexaCareCoordinator
from .data import AlexaCareConfigEntry, AlexaCareData
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    account_device_info,
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
        value_fn=lambda runtime, device: runtime.coordinator.health.drop_offs(
            device.key
        ),
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
        value_fn=lambda runtime, device: runtime.coordinator.health.offline_minutes(
            device.key
        ),
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
    async_add_entities([DevicesOfflineSensor(entry)])

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
    entry.async_on_unload(
        entry.runtime_data.coordinator.health.async_track_midnight(hass)
    )


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


class AlexaCareHealthSensor(AlexaCareSensor, RestoreSensor):
    """A count of today's health that a restart of Home Assistant keeps."""

    @override
    async def async_added_to_hass(self) -> None:
        # Before the first state is written: it must show the restored count.
        health = self.coordinator.health
        last_state = await self.async_get_last_state()
        last_data = await self.async_get_last_sensor_data()
        today: float | None = None
        if (
            last_state is not None
            and last_data is not None
            and isinstance(last_data.native_value, int | float)
            and dt_util.as_local(last_state.last_changed).date() == dt_util.now().date()
        ):
            today = last_data.native_value
        health.restore(self._key, self.entity_description.key, today)
        await super().async_added_to_hass()
        # Polls that change nothing else (every device offline) and midnight
        # wake no coordinator listener.
        self.async_on_remove(
            health.async_add_listener(self._key, self._handle_coordinator_update)
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


class DevicesOfflineSensor(CoordinatorEntity[AlexaCareCoordinator], SensorEntity):
    """How many of the account's devices Amazon reports offline now."""

    _attr_has_entity_name = True
    _attr_translation_key = "devices_offline"
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, entry: AlexaCareConfigEntry) -> None:
        """The account's sensor, on the account's device page."""
        super().__init__(entry.runtime_data.coordinator)
        # The entry's id: the account's own id is a customer id, kept private.
        self._attr_unique_id = f"{entry.entry_id}-devices_offline"
        self._attr_device_info = account_device_info(entry)
        # Not named after the device (the masked login) as has_entity_name would.
        self.entity_id = "sensor.devices_offline"
        self._written: tuple[bool, int] | None = None

    @property
    @override
    def native_value(self) -> int:
        return sum(
            device.online is False for device in self.coordinator.data.devices.values()
        )

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self._written = (self.available, self.native_value)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        # As the devices' entities: a state is written only when it changed.
        if (shown := (self.available, self.native_value)) != self._written:
            self._written = shown
            self.async_write_ha_state()

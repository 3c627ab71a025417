"""Sensors of the devices and of the account.

The Echos' software version, last seen online, Wi-Fi network and last voice
request; every device's suggested fix, drop-offs and offline time today; the
account's devices offline, and its household outages today and their minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .amazon.models import Device, Echo
from .data import AlexaCareConfigEntry, AlexaCareData
from .entity import (
    AlexaCareEntity,
    AlexaCareEntityDescription,
    WritesWhenChanged,
    account_device_info,
    async_add_described_entities,
    last_poll_succeeded,
)
from .monitoring.health import DROP_OFFS, OFFLINE_MINUTES
from .monitoring.suggested_fix import (
    NOTHING_TO_DO,
    Suggestion,
    async_track_issues,
    device_advice,
)

PARALLEL_UPDATES = 0
ATTR_SINCE = "since"


class StateAndAttributes(NamedTuple):
    """A sensor's state and its attributes, read together and compared whole."""

    state: StateType
    attributes: Mapping[str, str | None]


@dataclass(frozen=True, kw_only=True)
class AlexaCareSensorEntityDescription[DeviceT: Device](
    SensorEntityDescription, AlexaCareEntityDescription[DeviceT]
):
    """Describes a sensor of a device: what it shows."""

    # Its state, or its state and attributes when one reading gives both.
    value_fn: Callable[
        [AlexaCareData, DeviceT], StateType | datetime | StateAndAttributes
    ]


def _voice_history_read(runtime: AlexaCareData) -> bool:
    # Unavailable until a read has succeeded; a failed read later keeps the
    # last value.
    return last_poll_succeeded(runtime) and runtime.voice_history.data is not None


def _health_news(
    runtime: AlexaCareData, device_key: str, update: CALLBACK_TYPE
) -> CALLBACK_TYPE:
    # Polls that change nothing else (every device offline) and midnight
    # wake no coordinator listener.
    return runtime.health.async_add_listener(device_key, update)


# What most devices show, one object for all their sensors.
_NOTHING_TO_DO_SHOWN = StateAndAttributes(Suggestion.NOTHING_TO_DO, {ATTR_SINCE: None})


def _suggested_fix(runtime: AlexaCareData, device: Device) -> StateAndAttributes:
    # One reading of the issues, which costs more than any other sensor's.
    advice = device_advice(runtime.coordinator.config_entry, device)
    if advice is NOTHING_TO_DO:
        return _NOTHING_TO_DO_SHOWN
    since = advice.since.isoformat() if advice.since else None
    return StateAndAttributes(advice.suggestion, {ATTR_SINCE: since})


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
        available_fn=_voice_history_read,
        # Listening also makes the voice history coordinator poll.
        listen_fn=lambda runtime, _key, update: (
            runtime.voice_history.async_add_listener(update)
        ),
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
        listen_fn=_health_news,
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
        listen_fn=_health_news,
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
    # A failed poll leaves the issues as they were; an expired login is
    # itself a suggestion (sign in again).
    available_fn=lambda _runtime: True,
    value_fn=_suggested_fix,
    # Woken when the account's repair issues change (async_track_issues).
    listen_fn=lambda runtime, key, update: runtime.issue_listeners.add(key, update),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every device, now and later, and the account's."""
    descriptions: tuple[AlexaCareSensorEntityDescription[Any], ...] = (
        *SENSORS,
        *HEALTH_SENSORS,
        SUGGESTED_FIX,
    )
    async_add_described_entities(
        entry, async_add_entities, descriptions, AlexaCareSensor
    )
    async_add_entities(
        AccountSensor(entry, description) for description in ACCOUNT_SENSORS
    )
    entry.async_on_unload(async_track_issues(hass, entry))
    entry.async_on_unload(entry.runtime_data.health.async_track_midnight(hass))


class AlexaCareSensor[DeviceT: Device](AlexaCareEntity[DeviceT], SensorEntity):
    """A sensor of a device."""

    entity_description: AlexaCareSensorEntityDescription[DeviceT]

    def _read(self) -> StateType | datetime | StateAndAttributes:
        # Home Assistant also reads it to save the state of a device gone
        # from the account, which waits out its grace period unavailable.
        if not self.known:
            return None
        return self.entity_description.value_fn(self.runtime, self.device)

    @override
    def _value(self) -> object:
        return self._read()

    @property
    @override
    def native_value(self) -> StateType | datetime:
        read = self._read()
        return read.state if isinstance(read, StateAndAttributes) else read

    @property
    @override
    def extra_state_attributes(self) -> dict[str, str | None] | None:
        read = self._read()
        return dict(read.attributes) if isinstance(read, StateAndAttributes) else None


# The account's own sensors, on its device page: what belongs to the
# household (household_health.py), not to one Echo or plug.
@dataclass(frozen=True, kw_only=True)
class AccountSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of the account: its value, and its entity id."""

    value_fn: Callable[[AlexaCareData], float]
    # Not named after the device (the masked login) as has_entity_name would.
    object_id: str
    # What else changes it, which no change of the account's snapshot
    # announces: (runtime, update) → remover.
    listen_fn: Callable[[AlexaCareData, CALLBACK_TYPE], CALLBACK_TYPE] | None = None


def _devices_offline(runtime: AlexaCareData) -> int:
    devices = runtime.coordinator.data.devices.values()
    return sum(device.online is False for device in devices)


def _household_news(runtime: AlexaCareData, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
    # An outage's minutes grow at updates that change no device's state.
    return runtime.health.async_add_household_listener(update)


ACCOUNT_SENSORS = (
    AccountSensorEntityDescription(
        key="devices_offline",
        translation_key="devices_offline",
        state_class=SensorStateClass.MEASUREMENT,
        object_id="devices_offline",
        value_fn=_devices_offline,
    ),
    # The household's, not any one device's. They change only while an
    # outage is under way, and at midnight.
    AccountSensorEntityDescription(
        key="household_outages",
        translation_key="household_outages",
        state_class=SensorStateClass.TOTAL_INCREASING,
        object_id="household_outages_today",
        value_fn=lambda runtime: runtime.health.household.outages_today,
        listen_fn=_household_news,
    ),
    AccountSensorEntityDescription(
        key="household_outage_minutes",
        translation_key="household_outage_minutes",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        state_class=SensorStateClass.TOTAL_INCREASING,
        object_id="household_outage_minutes_today",
        value_fn=lambda runtime: runtime.health.household.outage_minutes_today,
        listen_fn=_household_news,
    ),
)


class AccountSensor(WritesWhenChanged, SensorEntity):
    """A sensor of the account, on its device page."""

    entity_description: AccountSensorEntityDescription

    def __init__(
        self, entry: AlexaCareConfigEntry, description: AccountSensorEntityDescription
    ) -> None:
        """The account's sensor, with an entity id of its own."""
        super().__init__(entry)
        self.entity_description = description
        # The entry's id: the account's own id is a customer id, kept private.
        self._attr_unique_id = f"{entry.entry_id}-{description.key}"
        self._attr_device_info = account_device_info(entry)
        self.entity_id = f"sensor.{description.object_id}"

    @override
    def _value(self) -> object:
        return self.native_value

    @property
    @override
    def native_value(self) -> float:
        return self.entity_description.value_fn(self.runtime)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if listen := self.entity_description.listen_fn:
            self.async_on_remove(listen(self.runtime, self.async_write_if_changed))

"""The account's own sensors, on its device page.

How many devices are offline now, and the household's outages today and
their minutes (household_health.py): what belongs to the household, not to
one Echo or plug.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime
from homeassistant.core import CALLBACK_TYPE

from .data import AlexaCareConfigEntry, AlexaCareData
from .entity import WritesWhenChanged, account_device_info


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

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
from homeassistant.core import callback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import AlexaCareCoordinator
from .data import AlexaCareConfigEntry
from .entity import account_device_info
from .household_health import HouseholdHealth


@dataclass(frozen=True, kw_only=True)
class HouseholdSensorEntityDescription(SensorEntityDescription):
    """Describes a count of the household's outages today (household_health.py)."""

    value_fn: Callable[[HouseholdHealth], float]


# On the account's device: the household's, not any one device's. They change
# only while an outage is under way, and at midnight.
HOUSEHOLD = (
    HouseholdSensorEntityDescription(
        key="household_outages",
        translation_key="household_outages",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda household: household.outages_today,
    ),
    HouseholdSensorEntityDescription(
        key="household_outage_minutes",
        translation_key="household_outage_minutes",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda household: household.outage_minutes_today,
    ),
)


class AccountSensor(CoordinatorEntity[AlexaCareCoordinator], SensorEntity):
    """A sensor of the account, on its device page; written only when it changed."""

    _attr_has_entity_name = True

    def __init__(self, entry: AlexaCareConfigEntry, key: str) -> None:
        """The account's sensor `key`, with an entity id of its own."""
        super().__init__(entry.runtime_data.coordinator)
        # The entry's id: the account's own id is a customer id, kept private.
        self._attr_unique_id = f"{entry.entry_id}-{key}"
        self._attr_device_info = account_device_info(entry)
        self._written: tuple[bool, object] | None = None

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


class DevicesOfflineSensor(AccountSensor):
    """How many of the account's devices Amazon reports offline now."""

    _attr_translation_key = "devices_offline"
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, entry: AlexaCareConfigEntry) -> None:
        """The account's sensor, on the account's device page."""
        super().__init__(entry, "devices_offline")
        # Not named after the device (the masked login) as has_entity_name would.
        self.entity_id = "sensor.devices_offline"

    @property
    @override
    def native_value(self) -> int:
        return sum(
            device.online is False for device in self.coordinator.data.devices.values()
        )


class HouseholdSensor(AccountSensor):
    """Today's household outages, or their minutes."""

    entity_description: HouseholdSensorEntityDescription

    def __init__(
        self, entry: AlexaCareConfigEntry, description: HouseholdSensorEntityDescription
    ) -> None:
        """The account's count, beside its devices offline."""
        super().__init__(entry, description.key)
        self.entity_description = description
        self._health = entry.runtime_data.health
        self.entity_id = f"sensor.{description.key}_today"

    @property
    @override
    def native_value(self) -> float:
        return self.entity_description.value_fn(self._health.household)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        # An outage's minutes grow at updates that change no device's state.
        self.async_on_remove(
            self._health.async_add_household_listener(self._handle_coordinator_update)
        )

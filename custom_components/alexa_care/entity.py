"""The base entities, their descriptions, and adding them.

Each platform is a table of descriptions and one entity class: a
description says which kind of device it is for, whether a device has it
(`exists_fn`), when it can be shown (`available_fn`), what tells it of
changes besides the account's polls (`listen_fn`), and carries the
platform's behaviour (`value_fn`, `set_fn`, …).

Writing only what changed is one mechanism: the coordinator announces a
snapshot only when it differs from the last one (`always_update=False`),
the other sources announce what they changed, by device, and
`WritesWhenChanged`, the base of every device entity and account sensor,
writes a state only when what it shows differs from what it last wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Concatenate, override

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .amazon.models import AlexaCareError, AmazonAuthError, Device
from .const import DOMAIN
from .coordinator import AlexaCareCoordinator
from .data import AlexaCareConfigEntry, AlexaCareData
from .util.errors import amazon_failure

# What an unavailable entity shows, and what one not yet written has shown:
# neither equals any value.
_UNAVAILABLE = object()
_NOT_WRITTEN = object()

# Told of a source's news: (runtime, device key, update) → remover.
type DeviceListen = Callable[[AlexaCareData, str, CALLBACK_TYPE], CALLBACK_TYPE]


def _always(_device: Any) -> bool:  # noqa: ANN401 # any kind of device
    return True


def last_poll_succeeded(runtime: AlexaCareData) -> bool:
    """Shown while the account's polls succeed (the device being listed aside)."""
    return runtime.coordinator.last_update_success


@dataclass(frozen=True, kw_only=True)
class AlexaCareEntityDescription[DeviceT: Device](EntityDescription):
    """Which devices an entity is for, when it is shown, and who tells it news."""

    device_kind: type[DeviceT]
    exists_fn: Callable[[DeviceT], bool] = _always
    # Besides its device being listed by the account.
    available_fn: Callable[[AlexaCareData], bool] = last_poll_succeeded
    # What else it shows, which no change of the account's snapshot announces.
    listen_fn: DeviceListen | None = None


def unique_id(device_key: str, description_key: str) -> str:
    """An entity's unique id: its device's key and what it shows."""
    # Keys are serial numbers or Amazon endpoint ids, never the email.
    return f"{device_key}-{description_key}"


def shared_device_info(runtime: AlexaCareData, device: Device) -> DeviceInfo:
    """The device's page, one object for all its entities.

    Every entity keeps its device info for as long as it lives: a device's
    dozen entities share one (thousands of copies at 500 Echos otherwise).
    Home Assistant only reads it. A device that changed since (renamed) gets
    a new one for the entities created from now on, as before.
    """
    info = DeviceInfo(
        identifiers={(DOMAIN, device.key)},
        name=device.name,
        manufacturer=device.manufacturer,
        model=device.model,
        serial_number=device.serial_number,
        sw_version=device.software_version,
    )
    shared = runtime.device_infos.get(device.key)
    if shared != info:
        runtime.device_infos[device.key] = shared = info
    return shared


def account_device_info(entry: AlexaCareConfigEntry) -> DeviceInfo:
    """The account's own device page, for what belongs to no Echo or plug.

    Named after the entry's title (the masked login), keyed by the entry's
    id: the account's own id is a customer id, kept private.
    """
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer="Amazon",
        entry_type=DeviceEntryType.SERVICE,
    )


class WritesWhenChanged(CoordinatorEntity[AlexaCareCoordinator]):
    """An entity that writes its state only when what it shows has changed.

    The one place that decides whether a state is written, whoever woke the
    entity (the coordinator, or a source its description listens to): a
    poll that changed one device must not rewrite thousands of states.
    """

    _attr_has_entity_name = True

    def __init__(self, entry: AlexaCareConfigEntry) -> None:
        """An entity of the entry's account."""
        super().__init__(entry.runtime_data.coordinator)
        self.runtime: AlexaCareData = entry.runtime_data
        self._written: object = _NOT_WRITTEN

    def _value(self) -> object:
        """What the entity shows (read cheaply: thousands are asked a poll)."""
        return None

    def _shown(self) -> object:
        # The value itself, not wrapped: one is kept for every entity.
        return self._value() if self.available else _UNAVAILABLE

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self._written = self._shown()

    @callback
    def async_write_if_changed(self) -> None:
        """Write the state if what the entity shows differs from the last written."""
        # As tuples compare their items: the same object, or equal.
        shown = self._shown()
        if shown is not self._written and shown != self._written:
            self._written = shown
            self.async_write_ha_state()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self.async_write_if_changed()


class AlexaCareEntity[DeviceT: Device](WritesWhenChanged):
    """An entity of one device (an Echo or a plug), found by its key."""

    entity_description: AlexaCareEntityDescription[DeviceT]

    def __init__(
        self,
        entry: AlexaCareConfigEntry,
        device: DeviceT,
        description: AlexaCareEntityDescription[DeviceT],
    ) -> None:
        """Attach the entity to its device."""
        super().__init__(entry)
        self.entity_description = description
        self._key = device.key
        self._attr_unique_id = unique_id(device.key, description.key)
        self._attr_device_info = shared_device_info(self.runtime, device)

    @property
    def device(self) -> DeviceT:
        """The device as the last successful poll saw it."""
        device = self.coordinator.data.devices[self._key]
        if not isinstance(device, self.entity_description.device_kind):
            # Added for being of this kind; a key (a serial number, an
            # endpoint id) never names a device of another.
            raise TypeError(f"{self._key} is of another kind now")
        return device

    @property
    def known(self) -> bool:
        """Whether the last successful poll listed the device."""
        return self._key in self.coordinator.data.devices

    @property
    @override
    def available(self) -> bool:
        """Available while the account lists the device, and as its description says."""
        return self.known and self.entity_description.available_fn(self.runtime)

    @override
    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if listen := self.entity_description.listen_fn:
            self.async_on_remove(
                listen(self.runtime, self._key, self.async_write_if_changed)
            )


@callback
def async_add_described_entities[
    DeviceT: Device,
    DescriptionT: AlexaCareEntityDescription[Any],
](
    entry: AlexaCareConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[DescriptionT],
    entity_class: Callable[[AlexaCareConfigEntry, DeviceT, DescriptionT], Entity],
) -> None:
    """Add a platform's entities for every device, now and when they appear.

    An entity is added when its device has it: a device that is new, or one
    whose data shows it only now (a plug first seen without reachability).
    """
    descriptions = tuple(descriptions)
    coordinator = entry.runtime_data.coordinator
    registry = er.async_get(coordinator.hass)
    platform = async_get_current_platform().domain
    # The description keys added, by device key. Devices of one kind have
    # the same entities: they share one set (one per device and entity
    # would be thousands of objects kept at 500 Echos).
    added: dict[str, frozenset[str]] = {}
    kinds: dict[frozenset[str], frozenset[str]] = {}
    listed: set[str] = set()

    def _shared(keys: frozenset[str]) -> frozenset[str]:
        return kinds.setdefault(keys, keys)

    @callback
    def add_new_entities() -> None:
        devices = coordinator.data.devices
        # A device removed from Home Assistant after it left the account (its
        # entities went with it) may come back one day: it then needs its
        # entities again.
        for key in (devices.keys() - listed) & added.keys():
            added[key] = _shared(
                frozenset(
                    description_key
                    for description_key in added[key]
                    if registry.async_get_entity_id(
                        platform, DOMAIN, unique_id(key, description_key)
                    )
                )
            )
        listed.clear()
        listed.update(devices)
        new_entities: list[Entity] = []
        for device in devices.values():
            done = added.get(device.key, frozenset())
            new = [
                entity_class(entry, device, description)
                for description in descriptions
                if description.key not in done
                and isinstance(device, description.device_kind)
                and description.exists_fn(device)
            ]
            if new:
                added[device.key] = _shared(
                    done | {entity.entity_description.key for entity in new}
                )
                new_entities.extend(new)
        if new_entities:
            async_add_entities(new_entities)

    add_new_entities()
    entry.async_on_unload(coordinator.async_add_listener(add_new_entities))


def amazon_action[EntityT: AlexaCareEntity[Any], **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Raise a translated HomeAssistantError when Amazon refuses an action."""

    async def handler(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await func(self, *args, **kwargs)
        except AlexaCareError as err:
            if isinstance(err, AmazonAuthError):
                self.coordinator.config_entry.async_start_reauth(self.hass)
            raise amazon_failure(
                err, "action", HomeAssistantError, device=self.device.name
            ) from err

    return handler

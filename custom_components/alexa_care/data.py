"""What a loaded config entry holds: its runtime data."""

from __future__ import annotations

from dataclasses import field

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo

from .coordinator import AlexaCareCoordinator
from .home_network.identity import NetworkIdentities
from .monitoring.availability import AvailabilityIssues
from .monitoring.health import DeviceHealth
from .options import AlexaCareOptions
from .resets.power_links import PowerLinks
from .resets.procedures import Resets
from .resets.store import ResetStore
from .updates.push import PushUpdates
from .util.device_listeners import DeviceListeners
from .util.record import Record
from .voice.history import VoiceHistoryCoordinator


class AlexaCareData(Record, frozen=False):
    """Everything the platforms, actions and repair flows of an entry use."""

    # Its listeners, in step with every update of its snapshot.
    availability: AvailabilityIssues
    coordinator: AlexaCareCoordinator
    health: DeviceHealth
    network_identities: NetworkIdentities
    options: AlexaCareOptions
    power_links: PowerLinks
    push: PushUpdates
    resets: Resets
    reset_store: ResetStore
    voice_history: VoiceHistoryCoordinator
    # One device info per device, shared by its entities (entity.py).
    device_infos: dict[str, DeviceInfo] = field(default_factory=dict)
    # The Suggested fix sensors, woken when the repair issues change (sensor.py).
    issue_listeners: DeviceListeners = field(default_factory=DeviceListeners)


type AlexaCareConfigEntry = ConfigEntry[AlexaCareData]


@callback
def async_loaded_entry(
    hass: HomeAssistant, entry_id: str
) -> AlexaCareConfigEntry | None:
    """The entry, if it is loaded: a repair flow outlives its entry's unload."""
    entry: AlexaCareConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return None
    return entry

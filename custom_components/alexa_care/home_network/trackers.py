"""What the home network says about an Echo: do its router's trackers see it?

Router integrations (FRITZ!Box, UniFi, Nmap, …) publish device_tracker
entities with a `mac` attribute, `home` while the device is on the network.
An Echo Amazon reports offline but the router still sees has probably hung;
one the router does not see has lost power or Wi-Fi.
"""

from __future__ import annotations

from enum import StrEnum

from homeassistant.const import STATE_HOME, STATE_NOT_HOME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import format_mac

# device_tracker's own name, which homeassistant.const lacks: reading
# states needs nothing of device_tracker loaded.
ATTR_MAC = "mac"


class NetworkPresence(StrEnum):
    """Whether the home network sees a device."""

    ON_NETWORK = "on_network"
    OFF_NETWORK = "off_network"


def network_presence(hass: HomeAssistant, mac_address: str) -> NetworkPresence | None:
    """What the trackers with this MAC address say; None if none has it.

    Two trackers (a router and a mesh access point) may disagree: one that
    sees the device is enough.
    """
    wanted = format_mac(mac_address)
    states = {
        state.state
        for state in hass.states.async_all(Platform.DEVICE_TRACKER)
        if isinstance(mac := state.attributes.get(ATTR_MAC), str)
        and format_mac(mac) == wanted
    }
    if STATE_HOME in states:
        return NetworkPresence.ON_NETWORK
    if STATE_NOT_HOME in states:
        return NetworkPresence.OFF_NETWORK
    return None

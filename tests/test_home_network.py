"""Tests of what the home network's trackers say about a MAC address."""

from __future__ import annotations

from custom_components.alexa_care.home_network.trackers import (
    NetworkPresence,
    network_presence,
)
from homeassistant.core import HomeAssistant

MAC = "68:54:fd:3a:1b:2c"


async def test_one_tracker_that_sees_it_is_enough(hass: HomeAssistant) -> None:
    """A router and a mesh point disagree: the one that sees the Echo wins."""
    hass.states.async_set("device_tracker.mesh", "not_home", {"mac": MAC})
    assert network_presence(hass, MAC) is NetworkPresence.OFF_NETWORK
    hass.states.async_set("device_tracker.router", "home", {"mac": MAC.upper()})
    assert network_presence(hass, MAC) is NetworkPresence.ON_NETWORK


async def test_trackers_without_the_mac_say_nothing(hass: HomeAssistant) -> None:
    """Other devices, a tracker without a MAC, a zone name: no claim."""
    hass.states.async_set("device_tracker.phone", "home", {"mac": "aa:bb:cc:dd:ee:ff"})
    hass.states.async_set("device_tracker.gps", "home", {"latitude": 1.0})
    hass.states.async_set("device_tracker.echo", "Office", {"mac": MAC})
    hass.states.async_set("sensor.echo_mac", "home", {"mac": MAC})
    assert network_presence(hass, MAC) is None

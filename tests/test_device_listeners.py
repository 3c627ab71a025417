"""Tests of the listeners of one device's news."""

from __future__ import annotations

from custom_components.alexa_care.util.device_listeners import DeviceListeners


def test_a_removed_listener_is_not_woken_and_its_device_is_forgotten() -> None:
    """Removing the last listener of a device forgets the device."""
    listeners = DeviceListeners()
    woken: list[str] = []
    remove_kitchen = listeners.add("kitchen", lambda: woken.append("kitchen"))
    listeners.add("hall", lambda: woken.append("hall"))
    remove_plug = listeners.add("plug", lambda: woken.append("plug"))
    listeners.add("plug", lambda: woken.append("plug again"))

    remove_kitchen()
    remove_plug()
    listeners.notify()

    assert woken == ["hall", "plug again"]
    assert sorted(listeners.devices()) == ["hall", "plug"]

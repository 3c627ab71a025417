"""How long setting up a big account takes, on the wall clock."""

from __future__ import annotations

import time
from unittest.mock import patch

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.coordinator import AlexaCareCoordinator
from homeassistant.core import HomeAssistant
from tests.common import setup_with_echos
from tests.fake_amazon import FakeAmazon


async def test_setup_of_500_devices_is_quick(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_amazon: FakeAmazon
) -> None:
    """500 Echos: our part of the setup (log in, read, parse) takes under 2 s.

    The whole setup, Home Assistant creating the 6,502 entities (4,501 of them
    enabled) included, takes about 3 s on a busy 2-core machine (our part
    0.1 s); it is checked with room for a slower one.
    """
    our_seconds: list[float] = []
    first_refresh = AlexaCareCoordinator.async_config_entry_first_refresh

    async def timed_first_refresh(coordinator: AlexaCareCoordinator) -> None:
        started = time.perf_counter()
        await first_refresh(coordinator)
        our_seconds.append(time.perf_counter() - started)

    with patch.object(
        AlexaCareCoordinator, "async_config_entry_first_refresh", timed_first_refresh
    ):
        seconds = await setup_with_echos(hass, mock_config_entry, fake_amazon, 500)

    # Thirteen entities per Echo, the software version, the last seen online,
    # the Wi-Fi network and the offline time disabled by default; the
    # account's devices offline, household outages today and their minutes,
    # and its push channel (disabled by default).
    assert len(hass.states.async_entity_ids()) == 500 * 9 + 3
    assert our_seconds[0] < 2
    assert seconds < 5

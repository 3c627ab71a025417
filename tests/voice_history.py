"""Shared by the voice history tests: Amazon's history page and the deletion.

How often the page was read, delete_voice_history called as the tests call
it (time passing for its checks), and a second loaded account to tell
accounts apart.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from homeassistant.core import HomeAssistant, ServiceResponse

from .common import call, run_while_time_passes
from .fake_amazon import FakeAmazon

HISTORY = "/alexa-privacy/apd/rah/alexa-history-records-v2"


def history_reads(fake_amazon: FakeAmazon) -> int:
    """How many pages of voice history Amazon was asked for."""
    return sum(1 for _, path, _ in fake_amazon.requests if path == HISTORY)


async def delete_history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    echo_id: str,
    scope: str,
) -> ServiceResponse:
    """Call delete_voice_history, letting time pass for the checks."""
    return await run_while_time_passes(
        hass,
        freezer,
        call(
            hass,
            "delete_voice_history",
            {"device_id": echo_id, "scope": scope, "confirm": True},
        ),
    )


def another_account(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """A second account, loaded (it shares the first one's runtime data)."""
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", data={})
    other.add_to_hass(hass)
    other.mock_state(hass, entry.state)
    other.runtime_data = entry.runtime_data
    return other

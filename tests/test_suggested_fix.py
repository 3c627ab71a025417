"""Tests of the Suggested fix sensor: always what the repair issue advises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.monitoring.suggested_fix import Suggestion
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import (
    BEDROOM,
    KITCHEN,
    KITCHEN_PLUG,
    iso,
    next_poll,
    read_network_identities,
    settle,
)
from .fake_amazon import EXPIRED_LOGIN, FakeAmazon
from .repair_issues import (
    GRACE,
    KITCHEN_MAC,
    Dashboard,
    come_back,
    go_offline,
    keeps_dropping,
    offline_issue,
    plug_left_off,
    seen_by_router,
    unavailable,
)
from .resets import link, start_after_a_crash
from .scenes import Household

pytestmark = pytest.mark.usefixtures("repairs")
KITCHEN_FIX = "sensor.kitchen_echo_suggested_fix"
BEDROOM_FIX = "sensor.bedroom_echo_show_suggested_fix"
PLUG_FIX = "sensor.kitchen_plug_suggested_fix"
# What the fix flow's first choice means as a suggestion.
FIRST_CHOICE = {"restart": Suggestion.RESTART, "power_cycle": Suggestion.POWER_CYCLE}


def _fix(hass: HomeAssistant, entity_id: str = KITCHEN_FIX) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _since(hass: HomeAssistant, entity_id: str = KITCHEN_FIX) -> str | None:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.attributes["since"]


def _created(hass: HomeAssistant, issue_id: str) -> str:
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    return issue.created.isoformat()


async def test_a_sensor_on_every_device_shown_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Echos and plugs; enabled, not diagnostic; its states are the suggestions.

    The Bedroom Echo Show, offline since long before setup, cannot reboot:
    its plug comes first.
    """
    for entity_id in (KITCHEN_FIX, BEDROOM_FIX, PLUG_FIX):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None
        assert entry.disabled_by is None
        assert entry.entity_category is None
        assert entry.translation_key == "suggested_fix"
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.attributes["options"] == [s.value for s in Suggestion]
    assert _fix(hass) == Suggestion.NOTHING_TO_DO
    assert _since(hass) is None
    assert _fix(hass, PLUG_FIX) == Suggestion.NOTHING_TO_DO
    assert _fix(hass, BEDROOM_FIX) == Suggestion.POWER_CYCLE
    bedroom_issue = unavailable(init_integration, BEDROOM)
    assert _since(hass, BEDROOM_FIX) == _created(hass, bedroom_issue)


@pytest.mark.parametrize(
    ("router", "linked", "suggestion", "step_id"),
    [
        (None, False, Suggestion.RESTART, "init"),
        ("home", False, Suggestion.RESTART, "on_network"),
        ("home", True, Suggestion.POWER_CYCLE, "on_network"),
        ("not_home", True, Suggestion.CHECK_WIFI_OR_POWER, "off_network"),
    ],
    ids=["no router", "on network", "on network with a plug", "off network"],
)
async def test_offline_echo_follows_its_fix_flow(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    dashboard: Dashboard,
    router: str | None,
    linked: bool,
    suggestion: Suggestion,
    step_id: str,
) -> None:
    """The suggestion is the fix flow's advice; nothing once the Echo is back."""
    await read_network_identities(hass, freezer)
    if linked:
        await link(hass, "kitchen_echo", "Kitchen Plug")
    if router is not None:
        await seen_by_router(hass, router, KITCHEN_MAC)
    await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
    await next_poll(hass, freezer, timedelta(minutes=5))
    assert _fix(hass) == Suggestion.NOTHING_TO_DO  # within the grace period

    await next_poll(hass, freezer, timedelta(minutes=10))
    issue_id = unavailable(init_integration, KITCHEN)
    assert _fix(hass) == suggestion
    assert _since(hass) == _created(hass, issue_id)
    flow = await dashboard.start(issue_id)
    assert flow["step_id"] == step_id
    if step_id != "off_network":
        assert FIRST_CHOICE[flow["menu_options"][0]] == suggestion

    await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert _fix(hass) == Suggestion.NOTHING_TO_DO
    assert _since(hass) is None


async def test_offline_plug_is_guided_to_its_factory_reset(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    dashboard: Dashboard,
) -> None:
    """A plug offers no reset of its own: its flow starts with the guided steps."""
    issue_id = await offline_issue(
        hass, init_integration, fake_amazon, freezer, "Kitchen Plug", KITCHEN_PLUG
    )
    assert _fix(hass, PLUG_FIX) == Suggestion.FACTORY_RESET
    flow = await dashboard.start(issue_id)
    assert flow["menu_options"][0].startswith("factory_reset")


async def test_keeps_dropping_suggests_its_wifi(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three short outages in a day: check its Wi-Fi; a quiet day ends it."""
    for _ in range(3):
        await go_offline(hass, fake_amazon, freezer, "Kitchen Echo")
        await come_back(hass, fake_amazon, freezer, "Kitchen Echo")
    assert _fix(hass) == Suggestion.CHECK_WIFI_OR_POWER
    assert _since(hass) == _created(hass, keeps_dropping(init_integration, KITCHEN))

    await next_poll(hass, freezer, timedelta(hours=24))
    assert _fix(hass) == Suggestion.NOTHING_TO_DO


async def test_household_outage_suggests_waiting(
    hass: HomeAssistant, household: Household
) -> None:
    """Most devices dropped at once: no reset, wait; the one still online: nothing."""
    await household.set_up(4)
    household.set_online(range(3), online=False)
    await household.poll()
    await household.poll(GRACE)
    assert household.issues() == {household.outage}
    assert _fix(hass, "sensor.echo_0_suggested_fix") == Suggestion.WAIT_FOR_AMAZON
    assert _since(hass, "sensor.echo_0_suggested_fix") == _created(
        hass, household.outage
    )
    assert _fix(hass, "sensor.echo_3_suggested_fix") == Suggestion.NOTHING_TO_DO

    household.set_online(range(3), online=True)
    await household.poll()
    assert _fix(hass, "sensor.echo_0_suggested_fix") == Suggestion.NOTHING_TO_DO


async def test_throttled_account_waits_for_amazon(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While Amazon refuses every request, no reset can be done: wait."""
    await offline_issue(hass, init_integration, fake_amazon, freezer)
    assert _fix(hass) == Suggestion.RESTART
    fake_amazon.throttling = True
    await next_poll(hass, freezer)
    assert _fix(hass) == Suggestion.WAIT_FOR_AMAZON  # available though the poll failed
    assert _fix(hass, PLUG_FIX) == Suggestion.NOTHING_TO_DO

    fake_amazon.throttling = False
    await next_poll(hass, freezer, timedelta(hours=1))
    assert _fix(hass) == Suggestion.RESTART


async def test_plug_left_off_suggests_switching_it_on(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
    hass_storage: dict[str, Any],
    dashboard: Dashboard,
) -> None:
    """Amazon refused to switch on the plug a crash left off; its flow does it."""
    await start_after_a_crash(
        hass, mock_config_entry, fake_amazon, hass_storage, refused_turn_ons=2
    )
    assert _fix(hass, PLUG_FIX) == Suggestion.SWITCH_PLUG_ON
    assert _since(hass, PLUG_FIX) is not None

    issue_id = plug_left_off(mock_config_entry, KITCHEN_PLUG)
    fake_amazon.failing_operations.clear()  # Amazon takes it now
    flow = await dashboard.start(issue_id)
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["type"] == "create_entry"
    await settle(hass)
    assert _fix(hass, PLUG_FIX) == Suggestion.NOTHING_TO_DO


async def test_expired_login_suggests_signing_in_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon refusing the tokens: nothing is known until the user signs in."""
    fake_amazon.fail_next(EXPIRED_LOGIN)
    await next_poll(hass, freezer)
    assert _fix(hass) == Suggestion.SIGN_IN_AGAIN
    assert _fix(hass, PLUG_FIX) == Suggestion.SIGN_IN_AGAIN


async def test_an_ignored_issue_needs_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ignored in Settings → Repairs: the dashboard does not nag either."""
    await offline_issue(hass, init_integration, fake_amazon, freezer)
    ir.async_ignore_issue(
        hass, DOMAIN, unavailable(init_integration, KITCHEN), ignore=True
    )
    await hass.async_block_till_done()
    assert _fix(hass) == Suggestion.NOTHING_TO_DO


async def _restart_home_assistant(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Stop the entry, read the issues back from disk as a start does, start it."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    registry = ir.async_get(hass)
    await registry._store.async_save(registry._data_to_save())
    await registry.async_load()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


@pytest.mark.parametrize("back_meanwhile", [True, False])
async def test_restart_of_home_assistant_with_an_issue_open(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    back_meanwhile: bool,
) -> None:
    """Back while Home Assistant was down: nothing to do; still offline: the same.

    Home Assistant reads an issue of the last run back as inactive until it
    is raised again: it must not count while it is only a memory.
    """
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    since = _created(hass, issue_id)
    assert _fix(hass) == Suggestion.RESTART
    if back_meanwhile:
        fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await _restart_home_assistant(hass, init_integration)
    if back_meanwhile:
        assert _fix(hass) == Suggestion.NOTHING_TO_DO
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    else:
        assert _fix(hass) == Suggestion.RESTART
        assert _since(hass) == since


async def test_an_issue_of_the_last_run_counts_only_once_raised_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Back, then dropped again just before the start: within its grace period.

    The registry still holds the last run's issue, inactive, which Settings →
    Repairs does not show: nor does the sensor, until the issue is raised.
    """
    issue_id = await offline_issue(hass, init_integration, fake_amazon, freezer)
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    fake_amazon.set_online("Kitchen Echo", online=False, at=iso(dt_util.utcnow()))
    await _restart_home_assistant(hass, init_integration)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert not issue.active
    assert _fix(hass) == Suggestion.NOTHING_TO_DO

    await next_poll(hass, freezer, GRACE)
    assert _fix(hass) == Suggestion.RESTART

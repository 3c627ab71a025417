"""Tests of deleting the voice history by voice: the delete_voice_history action.

What is deleted and counted, nothing to delete, deletion by voice disabled in
the Alexa privacy settings (and its repair issue), Amazon refusing the
sentence, and a history that cannot be read again afterwards.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION
from custom_components.alexa_care.monitoring.issues import IssueKind, IssueRef
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .common import BEDROOM, KITCHEN, call, device_id, run_while_time_passes, settle
from .fake_amazon import EXPIRED_LOGIN, SERVER_ERROR, THROTTLED, FakeAmazon
from .voice_history import HISTORY, delete_history, history_reads


async def test_delete_today(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Today's records go; the answer counts them before and after."""
    events = async_capture_events(hass, EVENT_ACTION)
    kitchen = device_id(hass, init_integration, KITCHEN)

    response = await delete_history(hass, freezer, kitchen, "today")

    assert response == {
        "device_id": kitchen,
        "device": "Kitchen Echo",
        "scope": "today",
        "outcome": "deleted",
        "before": 4,
        "after": 0,
        "deleted": 4,
    }
    assert fake_amazon.text_commands == [(KITCHEN, "delete everything I said today")]
    assert len(fake_amazon.history) == 4
    assert events[-1].data["action"] == "delete_voice_history"
    assert events[-1].data["outcome"] == "deleted"


async def test_delete_last_and_all(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Last: this Echo's last record ("what I just said"); all: everything."""
    bedroom = device_id(hass, init_integration, BEDROOM)
    response = await delete_history(hass, freezer, bedroom, "last")
    assert (response["before"], response["after"]) == (1, 0)
    remaining = {record["title"] for record in fake_amazon.history}
    assert "set a timer for ten minutes" not in remaining
    assert "turn off the bedroom light" in remaining

    response = await delete_history(hass, freezer, bedroom, "all")
    assert (response["before"], response["after"]) == (6, 0)
    # The record older than Amazon's 7 days was not ours to count, nor kept.
    assert fake_amazon.history == []


async def test_nothing_to_delete(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With nothing in scope, Alexa is not asked at all."""
    fake_amazon.history.clear()
    freezer.tick(timedelta(minutes=2))
    kitchen = device_id(hass, init_integration, KITCHEN)

    response = await delete_history(hass, freezer, kitchen, "today")

    assert response["outcome"] == "nothing_to_delete"
    assert (response["before"], response["after"]) == (0, 0)
    assert fake_amazon.text_commands == []


async def test_deletion_by_voice_disabled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Nothing deleted: an error and a repair issue say how to enable it."""
    fake_amazon.voice_deletion_enabled = False
    kitchen = device_id(hass, init_integration, KITCHEN)
    issue_id = IssueRef(
        kind=IssueKind.VOICE_DELETION_DISABLED, entry_id=init_integration.entry_id
    ).issue_id

    reads = history_reads(fake_amazon)
    with pytest.raises(HomeAssistantError) as failed:
        await delete_history(hass, freezer, kitchen, "today")

    assert failed.value.translation_key == "voice_deletion_disabled"
    # One read before the request, three after it, then it gave up.
    assert history_reads(fake_amazon) == reads + 4
    placeholders = {
        "device": "Kitchen Echo",
        "before": "4",
        "scope": "today",
        "url": "https://www.amazon.com/alexaprivacysettings",
    }
    assert failed.value.translation_placeholders == placeholders
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == placeholders
    assert issue.learn_more_url == placeholders["url"]
    assert issue.is_fixable is False
    assert len(fake_amazon.history) == 8
    assert len(fake_amazon.text_commands) == 1

    fake_amazon.voice_deletion_enabled = True
    await delete_history(hass, freezer, kitchen, "today")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_removing_the_entry_withdraws_the_deletion_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No issue of the account outlives it."""
    fake_amazon.voice_deletion_enabled = False
    kitchen = device_id(hass, init_integration, KITCHEN)
    with pytest.raises(HomeAssistantError):
        await delete_history(hass, freezer, kitchen, "today")
    assert [
        issue.translation_key
        for (domain, _), issue in issue_registry.issues.items()
        if domain == DOMAIN
    ] == ["device_unavailable", "voice_deletion_disabled"]

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.issues == {}


async def test_delete_command_refused_by_amazon(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Amazon failing the text command is reported, and nothing is claimed."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    fake_amazon.fail_next(SERVER_ERROR, 3, path="/api/behaviors/preview")
    with pytest.raises(HomeAssistantError) as failed:
        await delete_history(hass, freezer, kitchen, "today")
    assert failed.value.translation_key == "voice_command_failed"
    assert len(fake_amazon.history) == 8

    # A login Amazon no longer accepts, or throttling: said as for any action.
    fake_amazon.fail_next(EXPIRED_LOGIN, path="/api/behaviors/preview")
    with pytest.raises(HomeAssistantError) as failed:
        await delete_history(hass, freezer, kitchen, "today")
    assert failed.value.translation_key == "action_invalid_auth"
    fake_amazon.fail_next(THROTTLED, 3, path="/api/behaviors/preview")
    with pytest.raises(HomeAssistantError) as failed:
        await delete_history(hass, freezer, kitchen, "today")
    assert failed.value.translation_key == "action_throttled"
    assert len(fake_amazon.history) == 8


async def test_delete_then_history_unreadable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The sentence was sent; the re-read failing says the result is unknown."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    deletion = hass.async_create_background_task(
        call(
            hass,
            "delete_voice_history",
            {"device_id": kitchen, "scope": "last", "confirm": True},
        ),
        "deletion",
    )
    await settle(hass)
    # Read, then asked: Amazon's history page fails from now on.
    assert fake_amazon.requests[-1][1] == "/api/behaviors/preview"
    fake_amazon.fail_next(THROTTLED, 30, path=HISTORY)
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(hass, freezer, deletion)
    assert failed.value.translation_key == "voice_deletion_unverified"
    assert failed.value.translation_placeholders["scope"] == "last"


async def test_a_deletion_ending_after_an_unload_says_what_happened(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The entry unloads during the checks: the action still says what happened."""
    fake_amazon.voice_deletion_enabled = False
    kitchen = device_id(hass, init_integration, KITCHEN)
    deletion = hass.async_create_background_task(
        call(
            hass,
            "delete_voice_history",
            {"device_id": kitchen, "scope": "today", "confirm": True},
        ),
        "deletion",
    )
    for _ in range(100):
        if fake_amazon.text_commands:
            break
        await asyncio.sleep(0)
    assert fake_amazon.text_commands
    await hass.config_entries.async_unload(init_integration.entry_id)
    await settle(hass)

    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(hass, freezer, deletion)
    assert failed.value.translation_key == "voice_deletion_disabled"

"""Tests of the deregister action: removed once Amazon confirms it, kept if not."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.alexa_care.amazon.models import AccountSnapshot
from custom_components.alexa_care.const import DOMAIN, EVENT_ACTION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .common import (
    BEDROOM,
    DESK_PLUG,
    KITCHEN,
    KITCHEN_PLUG,
    call,
    device_id,
    run_while_time_passes,
    settle,
)
from .fake_amazon import SERVER_ERROR, TIMEOUT, FakeAmazon
from .repair_issues import offline_issue


@pytest.mark.parametrize(
    ("key", "request_path"),
    [
        (KITCHEN, f"/api/devices/device/{KITCHEN}"),
        (
            KITCHEN_PLUG,
            "/api/phoenix/appliance/AAA_SonarCloudService_00FF0FAKEPLUG0KITCHEN",
        ),
    ],
    ids=["echo", "plug"],
)
async def test_deregister(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    key: str,
    request_path: str,
) -> None:
    """Deregistered, checked gone from the account, removed from Home Assistant."""
    events = async_capture_events(hass, EVENT_ACTION)
    target = device_id(hass, init_integration, key)
    response = await run_while_time_passes(
        hass, freezer, call(hass, "deregister", {"device_id": target, "confirm": True})
    )
    assert ("DELETE", request_path) in [(m, p) for m, p, _ in fake_amazon.requests]
    (result,) = response["results"]
    assert result["outcome"] == "deregistered"
    assert "voice recordings and transcripts in the cloud" in result["not_deleted"]
    assert dr.async_get(hass).async_get(target) is None
    assert events[-1].data["outcome"] == "deregistered"


def _keeps_listing_it(fake_amazon: FakeAmazon) -> None:
    fake_amazon.keeps_deleted_devices = True


def _refuses(fake_amazon: FakeAmazon) -> None:
    fake_amazon.fail_next(SERVER_ERROR, 3)


def _times_out(fake_amazon: FakeAmazon) -> None:
    fake_amazon.fail_next(TIMEOUT)


@pytest.mark.parametrize(
    ("amazon", "translation_key", "error"),
    [
        pytest.param(
            _keeps_listing_it, "deregister_still_listed", "", id="still listed"
        ),
        # Refused, and not carried out: the error says why.
        pytest.param(
            _refuses, "deregister_not_verified", "Internal Server Error", id="refused"
        ),
        pytest.param(_times_out, "deregister_failed", "", id="timeout"),
    ],
)
async def test_a_deregistration_amazon_does_not_confirm_keeps_the_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    amazon: Callable[[FakeAmazon], None],
    translation_key: str,
    error: str,
) -> None:
    """Amazon still listing the device, refusing, or silent: kept, and said so."""
    target = device_id(hass, init_integration, KITCHEN)
    amazon(fake_amazon)
    with pytest.raises(HomeAssistantError) as failed:
        await run_while_time_passes(
            hass,
            freezer,
            call(hass, "deregister", {"device_id": target, "confirm": True}),
        )
    assert failed.value.translation_key == translation_key
    assert error in failed.value.translation_placeholders.get("error", "")
    assert dr.async_get(hass).async_get(target) is not None


def _deletes(fake_amazon: FakeAmazon) -> list[str]:
    return [path for method, path, _ in fake_amazon.requests if method == "DELETE"]


async def test_a_device_being_deregistered_refuses_a_second_deregistration(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Refused before a second request reaches Amazon; the first one finishes."""
    kitchen = device_id(hass, init_integration, KITCHEN)
    # Amazon takes its time to let the Echo go: the first call keeps checking.
    fake_amazon.keeps_deleted_devices = True
    first = hass.async_create_background_task(
        call(hass, "deregister", {"device_id": kitchen, "confirm": True}), "first"
    )
    await settle(hass)
    assert not first.done()
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "deregister", {"device_id": kitchen, "confirm": True})
    assert refused.value.translation_key == "deregister_in_progress"
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "restart", {"device_id": kitchen})
    assert refused.value.translation_key == "deregister_in_progress"
    assert len(_deletes(fake_amazon)) == 1

    fake_amazon.remove("Kitchen Echo")
    response = await run_while_time_passes(hass, freezer, first)
    assert response["results"][0]["outcome"] == "deregistered"
    # Free again: what refuses it now is that it is gone.
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "restart", {"device_id": kitchen})
    assert refused.value.translation_key != "deregister_in_progress"


async def test_a_deregistration_ending_after_an_unload_removes_the_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The entry is disabled while Amazon takes its time to let the plug go."""
    fake_amazon.keeps_deleted_devices = True
    desk = device_id(hass, init_integration, DESK_PLUG)
    deregistration = hass.async_create_background_task(
        call(hass, "deregister", {"device_id": desk, "confirm": True}), "deregister"
    )
    await settle(hass)
    assert not deregistration.done()
    await hass.config_entries.async_unload(init_integration.entry_id)
    await settle(hass)

    fake_amazon.remove("Desk Lamp Plug")  # Amazon lets it go
    response = await run_while_time_passes(hass, freezer, deregistration)
    assert response["results"][0]["outcome"] == "deregistered"
    assert device_registry.async_get(desk) is None


async def test_a_poll_under_way_brings_back_no_device_given_away(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_amazon: FakeAmazon,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The offline Echo Show is given away while a slow poll is under way.

    The poll's answer, asked before, still lists it: taken as it is, it put
    the device back, and with it an offline issue nothing would withdraw.
    """
    issue_id = await offline_issue(
        hass, init_integration, fake_amazon, freezer, "Bedroom Echo Show", BEDROOM
    )
    coordinator = init_integration.runtime_data.coordinator
    account = coordinator.account
    read = account.async_get_snapshot
    answer = asyncio.Event()

    async def slow_read(*, refresh_device_list: bool = False) -> AccountSnapshot:
        snapshot = await read(refresh_device_list=refresh_device_list)
        await answer.wait()
        return snapshot

    with patch.object(account, "async_get_snapshot", slow_read):
        poll = hass.async_create_background_task(coordinator.async_refresh(), "poll")
        await asyncio.sleep(0)
        bedroom = device_id(hass, init_integration, BEDROOM)
        await run_while_time_passes(
            hass,
            freezer,
            call(hass, "deregister", {"device_id": bedroom, "confirm": True}),
        )
        answer.set()
        await poll
        await settle(hass)

    assert BEDROOM not in coordinator.data.devices
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

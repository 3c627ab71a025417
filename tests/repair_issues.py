"""The repair issues the tests expect, and Settings → Repairs opening their flows.

An issue is known by its id; the ids are the integration's own (`IssueRef`).
The dashboard drives a fix flow over HTTP, as the frontend does; the steps
several fix flow tests take (an Echo back online, a restart that does not
help, a give-away) are here, with the flow's texts as the dashboard shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.monitoring.issues import IssueKind, IssueRef
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .common import BEDROOM, KITCHEN, iso, next_poll, run_while_time_passes
from .fake_amazon import FakeAmazon
from .integration_files import load_integration_file

# How long a device may be offline before its issue is raised (the default).
GRACE = timedelta(minutes=15)
# The Kitchen Echo's MAC address, as Amazon gives it.
KITCHEN_MAC = "68:54:FD:3A:1B:2C"
# The English texts of the offline issue's fix flow, as the dashboard shows them.
FIX_FLOW_TEXTS = load_integration_file("translations/en.json")["issues"][
    "device_unavailable"
]["fix_flow"]


def unavailable(entry: MockConfigEntry, key: str) -> str:
    """The id of a device's offline issue."""
    return IssueRef(
        kind=IssueKind.DEVICE_UNAVAILABLE, entry_id=entry.entry_id, device_key=key
    ).issue_id


def keeps_dropping(entry: MockConfigEntry, key: str) -> str:
    """The id of a device's keeps-dropping issue."""
    return IssueRef(
        kind=IssueKind.DEVICE_KEEPS_DROPPING, entry_id=entry.entry_id, device_key=key
    ).issue_id


def plug_left_off(entry: MockConfigEntry, key: str) -> str:
    """The id of the issue of a plug a power cycle left off."""
    return IssueRef(
        kind=IssueKind.PLUG_LEFT_OFF, entry_id=entry.entry_id, device_key=key
    ).issue_id


def outage(entry: MockConfigEntry) -> str:
    """The id of the entry's household outage issue."""
    return IssueRef(
        kind=IssueKind.MOST_DEVICES_OFFLINE, entry_id=entry.entry_id
    ).issue_id


def throttled_issue_id(entry_id: str) -> str:
    """The id of the issue shown while Amazon throttles an account."""
    return IssueRef(kind=IssueKind.THROTTLED, entry_id=entry_id).issue_id


def our_issues(hass: HomeAssistant) -> set[str]:
    """The ids of Alexa Care's issues in the registry."""
    return {issue for domain, issue in ir.async_get(hass).issues if domain == DOMAIN}


@contextmanager
def issue_events(hass: HomeAssistant) -> Iterator[list[tuple[str, str]]]:
    """Our issues raised, updated and withdrawn meanwhile: (action, issue id)."""
    events: list[tuple[str, str]] = []

    @callback
    def keep(event: Event[ir.EventIssueRegistryUpdatedData]) -> None:
        if event.data["domain"] == DOMAIN:
            events.append((event.data["action"], event.data["issue_id"]))

    remove = hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, keep)
    try:
        yield events
    finally:
        remove()


def local(moment: Any) -> str:  # noqa: ANN401
    """A moment as an issue shows it on an English (US) system."""
    return dt_util.as_local(moment).strftime("%-m/%-d/%Y, %-I:%M %p")


async def go_offline(
    hass: HomeAssistant, fake: FakeAmazon, freezer: FrozenDateTimeFactory, name: str
) -> None:
    """The device goes offline now; the next poll sees it."""
    fake.set_online(name, online=False, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)


async def come_back(
    hass: HomeAssistant, fake: FakeAmazon, freezer: FrozenDateTimeFactory, name: str
) -> None:
    """The device is online again; the next poll sees it."""
    fake.set_online(name, online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer)


async def offline_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeAmazon,
    freezer: FrozenDateTimeFactory,
    name: str = "Kitchen Echo",
    key: str = KITCHEN,
) -> str:
    """The device goes offline and stays so past the grace period: its issue."""
    await go_offline(hass, fake, freezer, name)
    await next_poll(hass, freezer, GRACE)
    issue_id = unavailable(entry, key)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    return issue_id


async def seen_by_router(hass: HomeAssistant, state: str, mac: str) -> None:
    """A router integration's tracker for a MAC address, as the REST API posts it."""
    hass.states.async_set(
        "device_tracker.router_client", state, {"mac": mac, "source_type": "router"}
    )
    await hass.async_block_till_done()


class Dashboard:
    """Drives a fix flow the way the frontend does, over HTTP."""

    def __init__(self, client: Any) -> None:  # noqa: ANN401
        """Keep the authenticated client."""
        self._client = client

    async def start(self, issue_id: str) -> dict[str, Any]:
        """Click "fix" on an issue."""
        response = await self._client.post(
            "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
        )
        assert response.status == HTTPStatus.OK
        return await response.json()

    async def send(self, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Submit a step (a menu choice, a form)."""
        response = await self._client.post(
            f"/api/repairs/issues/fix/{flow_id}", json=data
        )
        assert response.status == HTTPStatus.OK
        return await response.json()

    async def choose(self, flow: dict[str, Any], step_id: str) -> dict[str, Any]:
        """Choose one of a menu's options."""
        return await self.send(flow["flow_id"], {"next_step_id": step_id})

    async def close(self, flow_id: str) -> None:
        """Close the dialog: the frontend deletes a flow that has not ended."""
        response = await self._client.delete(f"/api/repairs/issues/fix/{flow_id}")
        assert response.status == HTTPStatus.OK

    async def current(self, flow_id: str) -> dict[str, Any]:
        """Read the flow's current step, as the frontend does after progress."""
        response = await self._client.get(f"/api/repairs/issues/fix/{flow_id}")
        assert response.status == HTTPStatus.OK
        return await response.json()


def shown_menu(flow: dict[str, Any]) -> str:
    """A menu as the dashboard shows it: its text, its choices and what they do."""
    step = FIX_FLOW_TEXTS["step"][flow["step_id"]]
    option_texts = step.get("menu_option_descriptions", {})
    return " ".join(
        [
            step["description"],
            *(step["menu_options"][option] for option in flow["menu_options"]),
            *(option_texts.get(option, "") for option in flow["menu_options"]),
        ]
    )


def plug_choice(flow: dict[str, Any]) -> dict[str, Any]:
    """The plug field of the link_plug form, as the dashboard receives it."""
    assert flow["type"] == "form"
    assert flow["step_id"] == "link_plug"
    (field,) = flow["data_schema"]
    assert field["name"] == "plug"
    return field


async def back_online_and_fixed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_amazon: FakeAmazon,
    dashboard: Dashboard,
    flow: dict[str, Any],
    issue_id: str,
) -> None:
    """The Kitchen Echo comes back: the flow shows the outcome, the issue goes."""
    fake_amazon.set_online("Kitchen Echo", online=True, at=iso(dt_util.utcnow()))
    await next_poll(hass, freezer, timedelta(seconds=30))
    flow = await dashboard.current(flow["flow_id"])
    assert flow["type"] == "form"
    assert flow["step_id"] == "outcome"
    flow = await dashboard.send(flow["flow_id"], {})
    assert flow["type"] == "create_entry"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def bedroom_plug_choice(
    dashboard: Dashboard, entry: MockConfigEntry
) -> dict[str, Any]:
    """The Bedroom Echo Show's fix flow, power cycle chosen: which plug powers it?"""
    flow = await dashboard.start(unavailable(entry, BEDROOM))
    return await dashboard.choose(flow, "power_cycle")


async def restart_that_does_not_help(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    dashboard: Dashboard,
    flow: dict[str, Any],
) -> dict[str, Any]:
    """The menu's restart, and five minutes without the Echo: what comes next."""
    flow = await dashboard.choose(flow, "restart")
    for _ in range(10):
        await next_poll(hass, freezer, timedelta(seconds=30))
    flow = await dashboard.current(flow["flow_id"])
    assert flow["step_id"] == "restart_not_back"
    return flow


async def factory_reset_and_give_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    dashboard: Dashboard,
    issue_id: str,
) -> dict[str, Any]:
    """An Echo Show's guided factory reset, then "give it away": deregister it."""
    flow = await dashboard.start(issue_id)
    flow = await dashboard.choose(flow, "factory_reset_action_button")
    flow = await dashboard.send(flow["flow_id"], {})
    give_away = dashboard.send(flow["flow_id"], {"deregister": True})
    return await run_while_time_passes(hass, freezer, give_away)

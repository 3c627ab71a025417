"""What to do about a device: the one place that decides a repair's advice.

The offline issue's fix flow orders its menu with `offline_menu`, and the
*Suggested fix* sensor shows what `device_advice` reads from the same menu
and the same open issues, so the dashboard and Settings → Repairs never
disagree; `async_track_issues` tells the sensors when those issues change.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir

from ..amazon.models import Device, Echo, SmartPlug
from ..const import DOMAIN
from ..data import AlexaCareConfigEntry
from ..home_network.trackers import NetworkPresence, network_presence
from ..util.record import Record
from .issues import IssueKind, IssueRef


class Suggestion(StrEnum):
    """What a device needs; also the sensor's states and their translation keys."""

    NOTHING_TO_DO = "nothing_to_do"
    RESTART = "restart"
    POWER_CYCLE = "power_cycle"
    CHECK_WIFI_OR_POWER = "check_wifi_or_power"
    WAIT_FOR_AMAZON = "wait_for_amazon"
    FACTORY_RESET = "factory_reset"
    SWITCH_PLUG_ON = "switch_plug_on"
    SIGN_IN_AGAIN = "sign_in_again"


class Advice(Record):
    """A device's suggestion, and since when the issue behind it is open."""

    suggestion: Suggestion
    since: datetime | None = None


NOTHING_TO_DO = Advice(suggestion=Suggestion.NOTHING_TO_DO)


def factory_reset_step(device: Device) -> str:
    """The guided factory-reset step for the device's model."""
    if isinstance(device, SmartPlug):
        if device.manufacturer == "Amazon":
            return "factory_reset_amazon_plug"
        return "factory_reset_other_plug"
    model = (device.model or "").lower()
    # Echo Dot and Echo Show reset with the Action button; the Echo with
    # the Microphone-off and Volume-down buttons.
    if "dot" in model or "show" in model:
        return "factory_reset_action_button"
    return "factory_reset_echo"


def presence(entry: AlexaCareConfigEntry, device: Device) -> NetworkPresence | None:
    """What the router's trackers say of an Echo whose MAC address is known."""
    if not isinstance(device, Echo):
        return None
    known = entry.runtime_data.network_identities.get(device.key)
    if known is None or known.mac_address is None:
        return None
    return network_presence(entry.runtime_data.coordinator.hass, known.mac_address)


def offline_menu(
    entry: AlexaCareConfigEntry, device: Device
) -> tuple[list[str], NetworkPresence | None]:
    """The offline issue's choices for the device, best first, and its presence."""
    runtime = entry.runtime_data
    seen = presence(entry, device)
    options: list[str] = []
    if isinstance(device, Echo) and device.can_restart:
        options.append("restart")
    # An Echo, and a plug on the account to link it to if none is yet.
    if isinstance(device, Echo) and runtime.coordinator.data.plugs:
        if seen is NetworkPresence.ON_NETWORK and runtime.power_links.plug_of(
            device.key
        ):
            # A hung Echo may not receive a restart: its power goes first.
            options.insert(0, "power_cycle")
        else:
            options.append("power_cycle")
    return [*options, factory_reset_step(device), "ignore"], seen


def _offline_suggestion(entry: AlexaCareConfigEntry, device: Device) -> Suggestion:
    options, seen = offline_menu(entry, device)
    if seen is NetworkPresence.OFF_NETWORK:
        # The flow's first words: check its power and Wi-Fi before any reset.
        return Suggestion.CHECK_WIFI_OR_POWER
    return {
        "restart": Suggestion.RESTART,
        "power_cycle": Suggestion.POWER_CYCLE,
    }.get(options[0], Suggestion.FACTORY_RESET)


def _open_issue(hass: HomeAssistant, issue: IssueRef) -> ir.IssueEntry | None:
    """The issue if it is shown: raised since the start, and not ignored."""
    found = ir.async_get(hass).async_get_issue(DOMAIN, issue.issue_id)
    if found is None or not found.active or found.dismissed_version is not None:
        return None
    return found


def _sign_in_needed(entry: AlexaCareConfigEntry) -> bool:
    coordinator = entry.runtime_data.coordinator
    return isinstance(coordinator.last_exception, ConfigEntryAuthFailed) or any(
        entry.async_get_active_flows(coordinator.hass, {SOURCE_REAUTH})
    )


def _issue_advice(
    entry: AlexaCareConfigEntry, device: Device
) -> tuple[Suggestion, ir.IssueEntry] | None:
    """The suggestion of the device's most pressing open issue, and that issue."""
    hass = entry.runtime_data.coordinator.hass

    def issue(kind: IssueKind, key: str | None = device.key) -> ir.IssueEntry | None:
        return _open_issue(
            hass, IssueRef(kind=kind, entry_id=entry.entry_id, device_key=key)
        )

    if found := issue(IssueKind.PLUG_LEFT_OFF):
        return Suggestion.SWITCH_PLUG_ON, found
    if found := issue(IssueKind.DEVICE_UNAVAILABLE):
        if throttled := issue(IssueKind.THROTTLED, None):
            # Amazon takes no reset now: the fix has to wait.
            return Suggestion.WAIT_FOR_AMAZON, throttled
        return _offline_suggestion(entry, device), found
    outage = issue(IssueKind.MOST_DEVICES_OFFLINE, None)
    if outage and device.online is False:
        # Dropped with most of the household: resetting it would not help.
        return Suggestion.WAIT_FOR_AMAZON, outage
    if found := issue(IssueKind.DEVICE_KEEPS_DROPPING):
        # The issue's advice: its Wi-Fi first, then a factory reset.
        return Suggestion.CHECK_WIFI_OR_POWER, found
    return None


def device_advice(entry: AlexaCareConfigEntry, device: Device) -> Advice:
    """What the device needs now, read from the repair issues that are open."""
    if _sign_in_needed(entry):
        # Nothing about any device is known until Amazon accepts us again.
        return Advice(suggestion=Suggestion.SIGN_IN_AGAIN)
    if (found := _issue_advice(entry, device)) is None:
        return NOTHING_TO_DO
    suggestion, issue = found
    return Advice(suggestion=suggestion, since=issue.created)


@callback
def async_track_issues(
    hass: HomeAssistant, entry: AlexaCareConfigEntry
) -> CALLBACK_TYPE:
    """Wake the Suggested fix sensors whenever our repair issues change.

    One listener for all of them: one each would be hundreds of listeners,
    each called for every issue, at 500 Echos. Returns the remover.
    """

    @callback
    def ours(data: ir.EventIssueRegistryUpdatedData) -> bool:
        return data["domain"] == DOMAIN

    @callback
    def issues_changed(_event: Event[ir.EventIssueRegistryUpdatedData]) -> None:
        entry.runtime_data.issue_listeners.notify()

    return hass.bus.async_listen(
        ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, issues_changed, event_filter=ours
    )

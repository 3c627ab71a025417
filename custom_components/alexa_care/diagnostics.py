"""Diagnostics a user can attach to a bug report without leaking secrets.

The email, password, every token and cookie, the customer ids and each
Echo's Wi-Fi network and MAC address are redacted; serial numbers, endpoint
and appliance ids keep only their last four characters. Voice transcripts
are never part of it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntry

from .amazon.models import Device
from .const import CONF_LOGIN_DATA, DOMAIN
from .data import AlexaCareConfigEntry
from .home_network.identity import NetworkIdentity
from .monitoring.issues import open_issues
from .updates.push import PushStatus
from .util.log_privacy import SECRET_FILTER
from .voice.history import VoiceHistoryCoordinator

TO_REDACT = {CONF_EMAIL, "password", "title", "unique_id"}
# An Echo's Wi-Fi network and MAC address identify a home.
NETWORK_TO_REDACT = {"ssid", "mac_address"}


def _redacted(text: str | None) -> str | None:
    return SECRET_FILTER.redact(text) if text is not None else None


def mask(identifier: str | None) -> str | None:
    """Keep the last four characters of a serial number or an id."""
    if identifier is None:
        return None
    return "***" + identifier[-4:]


def _device(device: Device) -> dict[str, Any]:
    data = device.as_dict()
    for field in ("key", "serial_number", "appliance_id"):
        if field in data:
            data[field] = mask(data[field])
    if "capabilities" in data:
        data["capabilities"] = sorted(data["capabilities"])
    return data


def _network(identity: NetworkIdentity | None) -> dict[str, Any] | None:
    # Whether and when it was read, and whether it has Wi-Fi: not which.
    if identity is None:
        return None
    return async_redact_data(
        {
            "read_at": _time(identity.read_at),
            "has_wifi": identity.wifi is not None,
            "ssid": identity.ssid,
            "mac_address": identity.mac_address,
        },
        NETWORK_TO_REDACT,
    )


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _push(status: PushStatus) -> dict[str, Any]:
    return {
        "connected": status.connected,
        "connected_since": _time(status.connected_since),
        "last_event_at": _time(status.last_event_at),
        "reconnects": status.reconnects,
        "stopped": status.stopped,
        "events": dict(status.events),
        "unreadable_events": dict(status.unreadable),
        "status": status.state,
        "stalled_since": _time(status.stalled_since),
        "stalls": status.stalls,
        "stall_restarts": status.stall_restarts,
        "missed_changes": dict(status.missed),
        "usual_gap": status.usual_gap.total_seconds(),
    }


def _issues(
    hass: HomeAssistant, entry_id: str, device_key: str | None = None
) -> list[dict[str, Any]]:
    """The open issues (of one device, if given); their ids carry no serial."""
    registry = ir.async_get(hass)
    listed = []
    for issue in open_issues(hass, entry_id, device_key):
        entry = registry.async_get_issue(DOMAIN, issue.issue_id)
        if entry is None or not entry.active:  # only known from before a restart
            continue
        listed.append(
            {
                "issue_id": issue.issue_id,
                "kind": issue.kind.value,
                "device": mask(issue.device_key),
                "severity": entry.severity,
                "ignored": entry.dismissed_version is not None,
            }
        )
    return listed


def _masked_keys(mapping: dict[str, Any]) -> dict[str, Any]:
    return {mask(key) or "": value for key, value in mapping.items()}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AlexaCareConfigEntry
) -> dict[str, Any]:
    """The entry, the last poll, resets, links and open issues."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    login_data = entry.data.get(CONF_LOGIN_DATA) or {}
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT | {CONF_LOGIN_DATA}),
            # Which marketplace, and whether tokens are stored: nothing more.
            "site": login_data.get("site"),
            "tokens_stored": bool(login_data.get("refresh_token")),
            "options": dict(entry.options),
        },
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "last_exception": repr(coordinator.last_exception)
            if coordinator.last_exception
            else None,
            "poll_interval": runtime.options.poll_interval.total_seconds(),
            "current_interval": (
                coordinator.update_interval.total_seconds()
                if coordinator.update_interval
                else None
            ),
            "backing_off": coordinator.backing_off,
            "endpoint_query": coordinator.account.endpoint_queries.in_use,
            # Amazon's own words when it refused our query, redacted as the
            # log has them, should they ever name anyone.
            "endpoint_query_refused": _redacted(
                coordinator.account.endpoint_queries.refusal
            ),
        },
        "push_channel": _push(runtime.push.status),
        "echos": [_device(echo) for echo in coordinator.data.echos.values()],
        "plugs": [_device(plug) for plug in coordinator.data.plugs.values()],
        "last_resets": {
            mask(key): _time(moment)
            for key, moment in runtime.reset_store.cooldowns.last_resets().items()
        },
        "power_links": _masked_keys(
            {echo: mask(plug) for echo, plug in runtime.power_links.links.items()}
        ),
        "network_identities": {
            mask(key): _network(identity)
            for key, identity in runtime.network_identities.identities.items()
        },
        "voice_history": _voice_history(runtime.voice_history),
        "repair_issues": _issues(hass, entry.entry_id),
    }


def _voice_history(history: VoiceHistoryCoordinator) -> dict[str, Any]:
    # How much there is and of which kinds, never what was said.
    records = history.data.records if history.data else ()
    return {
        "last_update_success": history.last_update_success,
        "read_at": _time(history.data.read_at) if history.data else None,
        "records": len(records),
        "kinds": dict(Counter(record.kind for record in records)),
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: AlexaCareConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """One device as the last poll saw it, with its resets and link."""
    runtime = entry.runtime_data
    key = next(value for domain, value in device.identifiers if domain == DOMAIN)
    polled = runtime.coordinator.data.devices.get(key)
    return {
        "device": _device(polled) if polled else None,
        "last_reset": _time(runtime.reset_store.cooldowns.last_reset(key)),
        "powered_by": mask(runtime.power_links.plug_of(key)),
        "offline_since": _time(runtime.availability.offline_since(key)),
        "network": _network(runtime.network_identities.get(key)),
        "repair_issues": _issues(hass, entry.entry_id, key),
    }

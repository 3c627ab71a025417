"""The account as Amazon's JSON shows it (shapes as in tests/fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .account import Account, Echo, Plug
from .catalog import (
    APP_DEVICE_TYPE,
    PLUG_DEVICE_TYPE,
    PLUG_MODEL,
    PLUG_SOFTWARE_VERSION,
    SPEAKER_GROUP_TYPE,
    speaker_group_serial,
)
from .credentials import Credentials
from .voice_history import VoiceRecord

type Json = dict[str, Any]

_ESSID = "Demo-Home"


def iso_time(timestamp: float) -> str:
    """GraphQL's time format: 2026-11-22T02:40:00.000Z."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(value: str | None) -> Json | None:
    return None if value is None else {"value": {"text": value}}


def _group_members(account: Account) -> list[str]:
    # The "Everywhere" group holds the first two Echos, as in the fixtures.
    return list(account.echos)[:2]


def _echo_record(echo: Echo, customer_id: str, groups: list[str], now: float) -> Json:
    identity = echo.identity
    return {
        "accountName": identity.name,
        "appDeviceList": [],
        "capabilities": list(identity.model.capabilities),
        "clusterMembers": [],
        "deviceAccountId": identity.account_id,
        "deviceFamily": identity.model.family,
        "deviceOwnerCustomerId": customer_id,
        "deviceType": identity.model.device_type,
        "deviceTypeFriendlyName": None,
        "essid": _ESSID,
        "language": "en-US",
        "macAddress": identity.mac_address,
        "online": echo.online(now),
        "parentClusters": groups,
        "serialNumber": identity.serial,
        "softwareVersion": identity.model.software_version,
    }


def devices_v2(
    account: Account, credentials: Credentials, apps: dict[str, str], now: float
) -> Json:
    """GET api/devices-v2/device: Echos, the speaker group, the signed-in apps."""
    customer = credentials.customer_id
    members = _group_members(account)
    group = speaker_group_serial()
    devices = [
        _echo_record(echo, customer, [group] if serial in members else [], now)
        for serial, echo in account.echos.items()
    ]
    if len(members) > 1:
        devices.append(
            {
                "accountName": "Everywhere",
                "appDeviceList": [],
                "capabilities": ["AUDIO_PLAYER", "MULTI_ROOM_MUSIC", "VOLUME_SETTING"],
                "clusterMembers": members,
                "deviceAccountId": None,
                "deviceFamily": "WHA",
                "deviceOwnerCustomerId": customer,
                "deviceType": SPEAKER_GROUP_TYPE,
                "deviceTypeFriendlyName": None,
                "essid": None,
                "language": None,
                "macAddress": None,
                "online": True,
                "parentClusters": [],
                "serialNumber": group,
                "softwareVersion": "0",
            }
        )
    # Each login registers the library as an app, which Amazon then lists.
    devices.extend(
        {
            "accountName": name,
            "appDeviceList": [],
            "capabilities": ["MICROPHONE", "VOLUME_SETTING"],
            "clusterMembers": [],
            "deviceAccountId": None,
            "deviceFamily": "VOX",
            "deviceOwnerCustomerId": customer,
            "deviceType": APP_DEVICE_TYPE,
            "deviceTypeFriendlyName": None,
            "essid": None,
            "language": "en-US",
            "macAddress": None,
            "online": True,
            "parentClusters": [],
            "serialNumber": serial,
            "softwareVersion": "35602678",
        }
        for serial, name in apps.items()
    )
    return {"devices": devices}


def _reachability(online: bool, last_change: float, now: float) -> Json:  # noqa: FBT001
    return {
        "name": "connectivity",
        "properties": [
            {
                "name": "reachability",
                "__typename": "Reachability",
                "reachabilityStatusValue": "OK" if online else "UNREACHABLE",
                "timeOfSample": iso_time(now),
                "timeOfLastChange": iso_time(last_change),
            }
        ],
    }


def _echo_endpoint(echo: Echo, now: float) -> Json:
    identity = echo.identity
    online = echo.online(now)
    return {
        "endpointId": identity.endpoint_id,
        "friendlyNameObject": _text(identity.name),
        "manufacturer": _text("Amazon"),
        "model": _text(identity.model.name),
        "serialNumber": _text(identity.serial),
        "softwareVersion": _text(identity.model.software_version),
        "displayCategories": {"primary": {"value": "ALEXA_VOICE_ENABLED"}},
        "legacyIdentifiers": {
            "dmsIdentifier": {"deviceType": _text(identity.model.device_type)}
        },
        "legacyAppliance": {"applianceId": f"AAA_SonarCloudService_{identity.serial}"},
        "features": [
            _reachability(online, echo.reachability.last_change(online=online), now)
        ],
    }


def _plug_endpoint(plug: Plug, now: float) -> Json:
    identity = plug.identity
    online = plug.online(now)
    return {
        "endpointId": identity.endpoint_id,
        "friendlyNameObject": _text(identity.name),
        "manufacturer": _text("Amazon"),
        "model": _text(PLUG_MODEL),
        "serialNumber": _text(identity.serial),
        "softwareVersion": _text(PLUG_SOFTWARE_VERSION),
        "displayCategories": {"primary": {"value": "SMARTPLUG"}},
        "legacyIdentifiers": {"dmsIdentifier": {"deviceType": _text(PLUG_DEVICE_TYPE)}},
        "legacyAppliance": {"applianceId": identity.appliance_id},
        "features": [
            _reachability(online, plug.reachability.last_change(online=online), now),
            {
                "name": "power",
                "properties": [
                    {
                        "name": "powerState",
                        "__typename": "Power",
                        "powerStateValue": "ON" if plug.power_on else "OFF",
                        "timeOfSample": iso_time(now),
                    }
                ],
            },
        ],
    }


def endpoints(account: Account, now: float) -> list[Json]:
    """GraphQL listEndpoints: every Echo and plug."""
    return [
        *(_echo_endpoint(echo, now) for echo in account.echos.values()),
        *(_plug_endpoint(plug, now) for plug in account.plugs.values()),
    ]


def dnd_list(account: Account) -> Json:
    """GET api/dnd/device-status-list."""
    statuses = [
        {
            "deviceSerialNumber": serial,
            "deviceType": echo.identity.model.device_type,
            "enabled": echo.do_not_disturb,
        }
        for serial, echo in account.echos.items()
    ]
    if len(_group_members(account)) > 1:
        statuses.append(
            {
                "deviceSerialNumber": speaker_group_serial(),
                "deviceType": SPEAKER_GROUP_TYPE,
                "enabled": False,
            }
        )
    return {"doNotDisturbDeviceStatusList": statuses}


def history_record(record: VoiceRecord) -> Json:
    """One of alexaHistoryRecords, with the fields the library reads."""
    return {
        "timestamp": record.timestamp_ms,
        "utteranceType": record.utterance_type,
        "recordType": "VOICE_HISTORY",
        "intent": record.intent,
        "title": record.heard,
        "subTitle": record.answer,
        "deviceInfo": {
            "deviceSerialNumber": record.serial,
            "deviceType": record.device_type,
        },
        "personsInfo": [],
    }

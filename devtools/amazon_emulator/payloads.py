"""The account as Amazon's JSON shows it (shapes as in tests/fixtures).

Only builders of Amazon's answers live here, and nothing they need opens a
socket: the unit tests' fake answers with them too.
"""

from __future__ import annotations

from datetime import UTC, datetime
import functools
import re
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


def echo_record(echo: Echo, customer_id: str, groups: list[str], now: float) -> Json:
    """An Echo as devices-v2 lists it."""
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
    account: Account, customer: str, apps: dict[str, str], now: float
) -> Json:
    """GET api/devices-v2/device: Echos, the speaker group, the signed-in apps."""
    members = _group_members(account)
    group = speaker_group_serial()
    devices = [
        echo_record(echo, customer, [group] if serial in members else [], now)
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


def wifi_details(record: Json) -> Json | None:
    """GET api/device-wifi-details for a devices-v2 record; None: Amazon answers 400.

    Amazon has Wi-Fi details only for devices that joined a Wi-Fi network:
    not for speaker groups or the Alexa apps.
    """
    if not record.get("macAddress"):
        return None
    return {
        "deviceSerialNumber": record["serialNumber"],
        "deviceType": record["deviceType"],
        "essid": record["essid"],
        "macAddress": record["macAddress"],
    }


def reachability(*, online: bool, sampled: str, last_change: str) -> Json:
    """A device's reachability property (GraphQL times)."""
    return {
        "name": "reachability",
        "__typename": "Reachability",
        "reachabilityStatusValue": "OK" if online else "UNREACHABLE",
        "timeOfSample": sampled,
        "timeOfLastChange": last_change,
    }


def power_state(*, on: bool, sampled: str) -> Json:
    """A plug's powerState property (GraphQL time)."""
    return {
        "name": "powerState",
        "__typename": "Power",
        "powerStateValue": "ON" if on else "OFF",
        "timeOfSample": sampled,
    }


def _connectivity(device: Echo | Plug, now: float) -> Json:
    online = device.online(now)
    last_change = device.reachability.last_change(online=online)
    return {
        "name": "connectivity",
        "properties": [
            reachability(
                online=online, sampled=iso_time(now), last_change=iso_time(last_change)
            )
        ],
    }


def echo_endpoint(echo: Echo, now: float) -> Json:
    """An Echo as GraphQL listEndpoints lists it."""
    identity = echo.identity
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
        "features": [_connectivity(echo, now)],
    }


def plug_endpoint(plug: Plug, now: float) -> Json:
    """An Amazon Smart Plug as GraphQL listEndpoints lists it."""
    identity = plug.identity
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
            _connectivity(plug, now),
            {
                "name": "power",
                "properties": [power_state(on=plug.power_on, sampled=iso_time(now))],
            },
        ],
    }


def endpoints(account: Account, now: float) -> list[Json]:
    """GraphQL listEndpoints: every Echo and plug."""
    return [
        *(echo_endpoint(echo, now) for echo in account.echos.values()),
        *(plug_endpoint(plug, now) for plug in account.plugs.values()),
    ]


def dnd_status(serial: str, device_type: str, *, enabled: bool) -> Json:
    """A device's do-not-disturb status, as listed and as PUT api/dnd/status answers."""
    return {"deviceSerialNumber": serial, "deviceType": device_type, "enabled": enabled}


def dnd_list(account: Account) -> Json:
    """GET api/dnd/device-status-list."""
    statuses = [
        dnd_status(serial, echo.identity.model.device_type, enabled=echo.do_not_disturb)
        for serial, echo in account.echos.items()
    ]
    if len(_group_members(account)) > 1:
        statuses.append(
            dnd_status(speaker_group_serial(), SPEAKER_GROUP_TYPE, enabled=False)
        )
    return {"doNotDisturbDeviceStatusList": statuses}


def users_me(customer_id: str, country: str | None = "US") -> Json:
    """GET api/users/me: the account's customer id and marketplace.

    An account whose owner never chose a country has none.
    """
    return {
        "id": customer_id,
        "countryOfResidence": country,
        "marketPlaceDomainName": "amazon.com",
        "marketPlaceId": "ATVPDKIKX0DER",
        "marketPlaceLocale": "en-US",
    }


def access_token(token: str, seconds: int) -> Json:
    """POST auth/token with the refresh token: a new access token."""
    return {"access_token": token, "token_type": "bearer", "expires_in": seconds}


def list_endpoints(endpoints: list[Json]) -> Json:
    """The answer to a GraphQL listEndpoints query."""
    return {"data": {"listEndpoints": {"endpoints": endpoints}}}


# The GraphQL operations aioamazondevices sends (16.3.2 and 17.2.3): its
# device query, its state queries (by endpoint id), the feature mutation.
LIBRARY_DEVICE_QUERY = "getDevicesBaseData"
LIBRARY_STATE_QUERIES = frozenset(
    {"getEndpointState", "getEndpointFeatures", "getPolledSensorState"}
)
LIBRARY_OPERATIONS = frozenset(
    {LIBRARY_DEVICE_QUERY, *LIBRARY_STATE_QUERIES, "setEndpointFeatures"}
)


def is_library_operation(operation: Json) -> bool:
    """Whether the library sends this operation (an Amazon that validates knows it)."""
    return operation.get("operationName") in LIBRARY_OPERATIONS


@functools.cache
def _selects(query: str, field: str) -> bool:
    return re.search(rf"\b{field}\b", query) is not None


def _property_as_asked(prop: Json, query: str) -> Json:
    # A property's own fields come only when the query has a fragment for
    # its type; 16.3.2's state query has none for Power, for instance.
    if re.search(rf"\.\.\.\s*on\s+{prop['__typename']}\b", query):
        return prop
    return {"name": prop["name"], "__typename": prop["__typename"]}


def _state_as_asked(endpoint: Json, query: str) -> Json:
    state: Json = {"endpointId": endpoint["endpointId"]}
    if _selects(query, "friendlyNameObject"):
        state["friendlyNameObject"] = endpoint["friendlyNameObject"]
    state["features"] = [
        feature
        | {"properties": [_property_as_asked(p, query) for p in feature["properties"]]}
        for feature in endpoint.get("features") or ()
    ]
    return state


def _fields_as_asked(endpoint: Json, query: str) -> Json:
    # GraphQL answers with the fields a query selects: an endpoint's own
    # fields are enough to tell our two queries apart.
    return {field: value for field, value in endpoint.items() if _selects(query, field)}


def endpoints_answer(operation: Json, endpoints: list[Json]) -> Json:
    """A listEndpoints query's answer, with what its operation asks for.

    Ours get the endpoint fields they select; the library's device query
    gets no features, its state queries only the features of the endpoints
    named.
    """
    name = operation.get("operationName")
    query = str(operation.get("query", ""))
    if name == LIBRARY_DEVICE_QUERY:
        return list_endpoints(
            [{k: v for k, v in e.items() if k != "features"} for e in endpoints]
        )
    if name in LIBRARY_STATE_QUERIES:
        wanted = set((operation.get("variables") or {}).get("endpointIds") or ())
        return list_endpoints(
            [_state_as_asked(e, query) for e in endpoints if e["endpointId"] in wanted]
        )
    return list_endpoints([_fields_as_asked(e, query) for e in endpoints])


ENDPOINT_NOT_FOUND = ("ENDPOINT_NOT_FOUND", "No such endpoint")
ENDPOINT_UNREACHABLE = ("ENDPOINT_UNREACHABLE", "Device is unresponsive")
_FEATURE_REQUEST_KEYS = (
    "endpointId",
    "featureName",
    "instance",
    "featureOperationName",
)


def feature_outcome(request: Json, error: tuple[str, str] | None = None) -> Json:
    """How setEndpointFeatures reports one request: done, or (code, message)."""
    outcome = {key: request[key] for key in _FEATURE_REQUEST_KEYS if key in request}
    if error is None:
        return outcome | {"code": "SUCCESS"}
    code, message = error
    return outcome | {"code": code, "message": message}


def set_endpoint_features(outcomes: list[Json]) -> Json:
    """The answer to the setEndpointFeatures mutation."""
    return {
        "data": {
            "setEndpointFeatures": {
                "featureControlResponses": [
                    o for o in outcomes if o["code"] == "SUCCESS"
                ],
                "errors": [o for o in outcomes if o["code"] != "SUCCESS"],
            }
        }
    }


# What Amazon answers, in an HTTP 200, to an operation it does not accept.
UNKNOWN_OPERATION = {
    "data": None,
    "errors": [
        {
            "message": "Validation error: unknown operation",
            "extensions": {"classification": "ValidationError"},
        }
    ],
}


def history_record(  # noqa: PLR0913 - one record has that many facts
    *,
    customer_id: str,
    timestamp_ms: int,
    serial: str,
    device_type: str,
    device_name: str,
    heard: str,
    answer: str,
    intent: str,
) -> Json:
    """One of alexaHistoryRecords: someone spoke to an Echo."""
    return {
        "recordKey": f"{customer_id}#{timestamp_ms}#{device_type}#{serial}",
        "recordType": "VOICE_HISTORY",
        "timestamp": timestamp_ms,
        "utteranceType": "GENERAL",
        "intent": intent,
        "title": heard,
        "subTitle": answer,
        "deviceInfo": {
            "deviceSerialNumber": serial,
            "deviceType": device_type,
            "deviceName": device_name,
        },
        "personsInfo": [],
    }


HISTORY_PAGE_SIZE = 50


def history_page(records: list[Json], token: str | None, page_size: int) -> Json:
    """One page of POST alexa-history-records-v2; `records` newest first.

    `token` is the previous page's paginationToken. Amazon's pages overlap
    by a record, which clients must tell apart by its recordKey.
    """
    offset = int(token or 0)
    end = offset + page_size
    return {
        "alexaHistoryRecords": records[max(offset - 1, 0) : end],
        "paginationToken": str(end) if end < len(records) else None,
    }


def history_review_page(csrf_token: str) -> str:
    """GET alexa-privacy/apd/rvh: its csrf-token meta is the records' token."""
    return f"""<!doctype html>
<html lang="en-us"><head><meta charset="utf-8">
<meta name="csrf-token" content="{csrf_token}">
<title>Alexa Privacy - Review Voice History</title></head>
<body><div id="root"></div></body></html>
"""

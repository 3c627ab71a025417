"""Our GraphQL queries, and reading Amazon's endpoints into our devices.

One `listEndpoints` request carries every endpoint's name, reachability and
plug power: the poll's cost does not grow with the account. What rarely
changes (model, serial number, firmware, category) is asked for only with
the Echo list, so that a steady poll's answer is less than half as long.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .models import (
    LOGGER,
    AmazonResponseError,
    AmazonThrottledError,
    Echo,
    PlugPushed,
    SmartPlug,
    placeable,
)

_LIST_ENDPOINTS = """
query %s {
  listEndpoints(
    listEndpointsInput: { latencyTolerance: LOW, includeHouseholdDevices: true }
  ) {
    endpoints {
      endpointId: id
      friendlyNameObject { value { text } }%s
      features {
        name
        properties {
          name
          __typename
          ... on Reachability {
            reachabilityStatusValue
            timeOfSample
            timeOfLastChange
          }
          ... on Power { powerStateValue timeOfSample }
        }
      }
    }
  }
}
"""
# What the library's own device query (const/queries.py) reads besides.
_DESCRIPTION_FIELDS = """
      manufacturer { value { text } }
      model { value { text } }
      serialNumber { value { text } }
      softwareVersion { value { text } }
      displayCategories { primary { value } }
      legacyIdentifiers { dmsIdentifier { deviceType { value { text } } } }
      legacyAppliance { applianceId }"""

OPERATION_ENDPOINTS = "alexaCareEndpoints"
# listEndpoints with the fields of the library's own device and state queries,
# reachability and power included, for all endpoints at once.
QUERY_ENDPOINTS = _LIST_ENDPOINTS % (OPERATION_ENDPOINTS, _DESCRIPTION_FIELDS)
OPERATION_ENDPOINT_STATES = "alexaCareEndpointStates"
# The same, less the description: for the polls between two reads of it.
QUERY_ENDPOINT_STATES = _LIST_ENDPOINTS % (OPERATION_ENDPOINT_STATES, "")

OPERATION_SET_FEATURES = "setEndpointFeatures"
# The smart-home feature mutation the library's call_feature_operation sends.
MUTATION_SET_FEATURES = """
mutation setEndpointFeatures(
  $setEndpointFeaturesInput: SetEndpointFeaturesInput!
) {
  setEndpointFeatures(setEndpointFeaturesInput: $setEndpointFeaturesInput) {
    featureControlResponses { endpointId featureName featureOperationName code }
    errors { endpointId featureName featureOperationName code message }
  }
}
"""

GRAPHQL_THROTTLED = "UNOFFICIAL_CLIENT_TOO_MANY_REQUESTS"
CATEGORY_SMART_PLUG = "SMARTPLUG"


class GraphQLRefusedError(AmazonResponseError):
    """Amazon answered a GraphQL request with errors and no data (no throttling)."""


def raise_for_graphql_errors(answer: Mapping[str, Any]) -> None:
    """Raise ours for GraphQL's errors inside an HTTP 200."""
    errors = answer.get("errors") or []
    codes = {(error.get("extensions") or {}).get("errorCode") for error in errors}
    if GRAPHQL_THROTTLED in codes:
        raise AmazonThrottledError("Too many requests")
    if errors and not answer.get("data"):
        message = str(errors[0].get("message", "GraphQL error"))
        if any(isinstance(error, Mapping) and error.get("path") for error in errors):
            # Failed while Amazon ran it (an internal error): no refusal.
            raise AmazonResponseError(message)
        raise GraphQLRefusedError(message)


def set_power_request(plug: SmartPlug, *, turn_on: bool) -> dict[str, Any]:
    """The mutation that switches a plug on or off through its power feature."""
    request = {
        "endpointId": plug.key,
        "featureName": "power",
        "featureOperationName": "turnOn" if turn_on else "turnOff",
    }
    return {
        "operationName": OPERATION_SET_FEATURES,
        "variables": {
            "setEndpointFeaturesInput": {"featureControlRequests": [request]}
        },
        "query": MUTATION_SET_FEATURES,
    }


def raise_for_feature_errors(answer: Mapping[str, Any]) -> None:
    """Raise ours when Amazon refused a feature operation."""
    raise_for_graphql_errors(answer)
    if failures := answer["data"][OPERATION_SET_FEATURES].get("errors"):
        raise AmazonResponseError(
            str(failures[0].get("message") or failures[0].get("code"))
        )


def field(container: object, *path: str) -> object:
    """What sits at `path` in nested objects; None where one is of another kind.

    A field Amazon sent in another shape is read as a missing one: the
    device it belongs to is shown with what else it has.
    """
    for key in path:
        if not isinstance(container, Mapping):
            return None
        container = container.get(key)
    return container


def text(container: object, key: str) -> str | None:
    """Read GraphQL's `{key: {value: {text: …}}}`."""
    found = field(container, key, "value", "text")
    return str(found) if found is not None else None


def text_or_none(value: object) -> str | None:
    """A text field of Amazon's JSON answers, or None for one of another kind."""
    return value if isinstance(value, str) and value else None


def _time(raw: object, amazon_ahead: timedelta) -> datetime | None:
    """Amazon's stamp on our clock; None if it has none or it cannot be placed.

    A stamp that is no ISO 8601 text, has no time zone, or is not placeable
    (models.py) is no moment a device was seen: read as unknown, as a
    missing one is.
    """
    if not raw:
        return None
    try:
        stamp = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        stamp = None
    seen = stamp - amazon_ahead if stamp and stamp.tzinfo is not None else None
    if seen is None or not placeable(seen):
        LOGGER.warning("Amazon sent a last-seen time that cannot be placed: %s", raw)
        return None
    return seen


def _listed(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _property(endpoint: object, name: str) -> Mapping[str, Any] | None:
    for feature in _listed(field(endpoint, "features")):
        for prop in _listed(field(feature, "properties")):
            if field(prop, "name") == name:
                found: Mapping[str, Any] = prop
                return found
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class Description:
    """What an endpoint is: read with the device list, not with every poll."""

    endpoint_id: str
    serial_number: str | None
    model: str | None
    manufacturer: str | None
    software_version: str | None
    is_smart_plug: bool
    appliance_id: str | None


def describe(endpoint: Mapping[str, Any]) -> Description:
    """An endpoint's description, from a query that asked for it."""
    category = field(endpoint, "displayCategories", "primary", "value")
    return Description(
        endpoint_id=str(endpoint["endpointId"]),
        serial_number=text(endpoint, "serialNumber"),
        model=text(endpoint, "model"),
        manufacturer=text(endpoint, "manufacturer"),
        software_version=text(endpoint, "softwareVersion"),
        is_smart_plug=category == CATEGORY_SMART_PLUG,
        appliance_id=text_or_none(field(endpoint, "legacyAppliance", "applianceId")),
    )


class _Reachability(NamedTuple):
    # A tuple, not a dataclass: built for every device at every poll.
    online: bool
    last_seen_online: datetime | None


def _reachability(
    endpoint: Mapping[str, Any] | None, amazon_ahead: timedelta
) -> _Reachability | None:
    """Whether the endpoint is online, and when it last was on our clock.

    `amazon_ahead`: how far Amazon's clock runs ahead of ours (clock_offset.py).
    """
    if not endpoint or not (prop := _property(endpoint, "reachability")):
        return None
    online = prop.get("reachabilityStatusValue") == "OK"
    # Online: seen at the last sample. Offline: last seen when that changed.
    seen = prop.get("timeOfSample") if online else prop.get("timeOfLastChange")
    return _Reachability(online, _time(seen, amazon_ahead))


def echo(
    record: Mapping[str, Any],
    endpoint: tuple[Description, Mapping[str, Any] | None] | None,
    *,
    do_not_disturb: bool | None,
    microphones_on: bool | None = None,
    amazon_ahead: timedelta,
) -> Echo:
    """An Echo from its devices-v2 record and, if Amazon lists one, its endpoint.

    The endpoint: its description and, if this poll read one, its state. The
    last-seen stamp on our clock: `amazon_ahead` taken off.
    """
    description, state = endpoint or (None, None)
    serial = str(record["serialNumber"])
    reachability = _reachability(state, amazon_ahead)
    return Echo(
        key=serial,
        name=text(state, "friendlyNameObject")
        or text_or_none(record.get("accountName"))
        or "Echo",
        model=(description and description.model)
        or text_or_none(record.get("deviceTypeFriendlyName")),
        manufacturer=(description and description.manufacturer) or "Amazon",
        serial_number=serial,
        software_version=(description and description.software_version)
        or text_or_none(record.get("softwareVersion")),
        # Without an endpoint, devices-v2's own flag is all there is.
        online=reachability.online if reachability else bool(record["online"]),
        last_seen_online=reachability.last_seen_online if reachability else None,
        device_type=str(record["deviceType"]),
        capabilities=frozenset(record.get("capabilities") or ()),
        do_not_disturb=do_not_disturb,
        microphones_on=microphones_on,
    )


def smart_plug(
    description: Description, state: Mapping[str, Any], *, amazon_ahead: timedelta
) -> SmartPlug | None:
    """A plug is an endpoint of the smart-plug category with a power feature.

    Its last-seen stamp on our clock: `amazon_ahead` taken off.
    """
    # Echos are most of the endpoints: their category settles it first.
    if not description.is_smart_plug:
        return None
    if (power := _property(state, "powerState")) is None:
        return None
    reachability = _reachability(state, amazon_ahead)
    power_value = power.get("powerStateValue")
    return SmartPlug(
        key=description.endpoint_id,
        name=text(state, "friendlyNameObject") or "Smart plug",
        model=description.model,
        manufacturer=description.manufacturer,
        serial_number=description.serial_number,
        software_version=description.software_version,
        online=reachability.online if reachability else None,
        last_seen_online=reachability.last_seen_online if reachability else None,
        appliance_id=description.appliance_id,
        power_on=None if power_value is None else power_value == "ON",
    )


def pushed_plug(endpoint_id: str, state: Mapping[str, Any]) -> PlugPushed | None:
    """A smart-home change Amazon pushed, from the features that changed.

    They come as a GraphQL endpoint has them. None when the change carries
    neither power nor reachability. Features of another shape raise
    TypeError: the update is unreadable, and push_parts.py counts it.
    """
    features = state.get("features")
    if not isinstance(features, list) or not all(
        isinstance(field(feature, "properties"), list) for feature in features
    ):
        raise TypeError("features of another shape")
    power_value = field(_property(state, "powerState"), "powerStateValue")
    # Only whether it is online: the stamp is not read.
    reachability = _property(state, "reachability")
    if power_value is None and reachability is None:
        return None
    return PlugPushed(
        endpoint_id=endpoint_id,
        power_on=None if power_value is None else power_value == "ON",
        online=None
        if reachability is None
        else reachability.get("reachabilityStatusValue") == "OK",
    )

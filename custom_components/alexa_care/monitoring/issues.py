"""The repair issues' ids and data: the one place that builds and reads them.

An issue of the account is `<kind>.<entry id>`, a device's
`<kind>.<entry id>.<device tag>`. Every issue carries its kind, entry and
device key in its data, which the fix flows are chosen by, so that removing
an entry or a device withdraws all of its issues at once, whatever their kind.

The device tag is not the device's key: an Echo's key is its serial number,
and Home Assistant lists every issue id in each diagnostics download, where
we cannot mask it. A plain hash of a serial is no disguise (diagnostics show
its last characters, and models share a prefix: the rest is guessed in
seconds), so the tag is a keyed hash, keyed by a secret of the entry that
diagnostics redact (its unique id, the account's customer id).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
import hashlib
import hmac
import re
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..util.record import Record

# Each entry's key for its device tags, registered when it is set up.
_TAG_KEYS: dict[str, bytes] = {}
_TAG_LENGTH = 12
_TAG = re.compile(rf"[0-9a-f]{{{_TAG_LENGTH}}}")


def register_device_tag_key(entry_id: str, secret: str) -> None:
    """Key the entry's device tags with a secret diagnostics never show."""
    _TAG_KEYS[entry_id] = secret.encode()


def device_tag(entry_id: str, device_key: str) -> str:
    """What a device's issue ids carry instead of its key."""
    # An entry not set up yet has no secret: its id is at least not the serial.
    secret = _TAG_KEYS.get(entry_id, entry_id.encode())
    digest = hmac.new(secret, device_key.encode(), hashlib.sha256).hexdigest()
    return digest[:_TAG_LENGTH]


class IssueKind(StrEnum):
    """What an issue is about; also its translation key."""

    THROTTLED = "throttled"
    MOST_DEVICES_OFFLINE = "most_devices_offline"
    VOICE_DELETION_DISABLED = "voice_deletion_disabled"
    DEVICE_UNAVAILABLE = "device_unavailable"
    DEVICE_KEEPS_DROPPING = "device_keeps_dropping"
    PLUG_LEFT_OFF = "plug_left_off"


class IssueRef(Record):
    """Which issue: its kind, its entry, and its device if it has one."""

    kind: IssueKind
    entry_id: str
    device_key: str | None = None

    @property
    def issue_id(self) -> str:
        """The id the issue registry knows it by."""
        if self.device_key is None:
            return f"{self.kind}.{self.entry_id}"
        return (
            f"{self.kind}.{self.entry_id}.{device_tag(self.entry_id, self.device_key)}"
        )

    @property
    def data(self) -> dict[str, str | int | float | None]:
        """What the issue carries, for its fix flow."""
        return {
            "kind": self.kind.value,
            "entry_id": self.entry_id,
            "device_key": self.device_key,
        }


def _kind(value: object) -> IssueKind | None:
    try:
        return IssueKind(value) if isinstance(value, str) else None
    except ValueError:
        return None


def issue_of_data(data: Mapping[str, Any] | None) -> IssueRef | None:
    """The issue its data names; None for data that is not ours."""
    data = data or {}
    entry_id, device_key = data.get("entry_id"), data.get("device_key")
    if (
        (kind := _kind(data.get("kind"))) is None
        or not isinstance(entry_id, str)
        or not isinstance(device_key, str | None)
    ):
        return None
    return IssueRef(kind=kind, entry_id=entry_id, device_key=device_key)


# The issues a fix flow can repair (repairs.py); the others go by themselves.
_FIXABLE = {
    IssueKind.DEVICE_UNAVAILABLE,
    IssueKind.DEVICE_KEEPS_DROPPING,
    IssueKind.PLUG_LEFT_OFF,
}
# A plug left off may power the router: worse than a device offline.
_ERRORS = {IssueKind.PLUG_LEFT_OFF}


@callback
def async_raise(
    hass: HomeAssistant,
    issue: IssueRef,
    placeholders: dict[str, str],
    learn_more_url: str | None = None,
) -> None:
    """Raise (or update) the issue.

    Placeholders that carry text from Amazon or a router must be escaped
    already (markdown.py): Home Assistant renders issue texts as markdown.
    """
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue.issue_id,
        is_fixable=issue.kind in _FIXABLE,
        is_persistent=False,
        learn_more_url=learn_more_url,
        severity=(
            ir.IssueSeverity.ERROR
            if issue.kind in _ERRORS
            else ir.IssueSeverity.WARNING
        ),
        translation_key=issue.kind,
        translation_placeholders=placeholders,
        data=issue.data,
    )


@callback
def async_withdraw(hass: HomeAssistant, issue: IssueRef) -> None:
    """Delete the issue, if it is open."""
    ir.async_delete_issue(hass, DOMAIN, issue.issue_id)


def open_issues(
    hass: HomeAssistant, entry_id: str, device_key: str | None = None
) -> list[IssueRef]:
    """The entry's issues raised since Home Assistant started (a device's, if given).

    Read from their data: an issue known only from before a restart has
    none, and is shown again only once raised again.
    """
    found: list[IssueRef] = []
    for (domain, _), entry in ir.async_get(hass).issues.items():
        if domain != DOMAIN or (issue := issue_of_data(entry.data)) is None:
            continue
        if issue.entry_id == entry_id and device_key in (None, issue.device_key):
            found.append(issue)
    return found


def entry_issue_ids(hass: HomeAssistant, entry_id: str) -> list[str]:
    """The ids of every issue of the entry the registry knows, data or not."""
    return [
        issue_id
        for domain, issue_id in ir.async_get(hass).issues
        if domain == DOMAIN and issue_id.partition(".")[2].startswith(entry_id)
    ]


@callback
def async_withdraw_all(
    hass: HomeAssistant, entry_id: str, device_key: str | None = None
) -> None:
    """Delete every issue of the entry, or of one of its devices."""
    if device_key is not None:
        for kind in IssueKind:
            ir.async_delete_issue(
                hass,
                DOMAIN,
                IssueRef(kind=kind, entry_id=entry_id, device_key=device_key).issue_id,
            )
        return
    # Older versions joined some ids with underscores: the entry's id is
    # all that marks them.
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and entry_id in issue_id:
            ir.async_delete_issue(hass, DOMAIN, issue_id)


@callback
def async_withdraw_untagged(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the device issues older versions named by the device's serial.

    The registry keeps an ignored issue's id across restarts, and Home
    Assistant lists it in every diagnostics download.
    """
    for issue_id in entry_issue_ids(hass, entry_id):
        device_part = issue_id.split(".", 2)[2:]
        if device_part and not _TAG.fullmatch(device_part[0]):
            ir.async_delete_issue(hass, DOMAIN, issue_id)

"""The repair issues' ids and data: the one place that builds and reads them.

An issue of the account is `<kind>.<entry id>`, a device's
`<kind>.<entry id>.<device key>` (a plug's key has dots of its own: it is
the rest of the id). Every issue carries the same in its data, which the
fix flows are chosen by, so that removing an entry or a device withdraws
all of its issues at once, whatever their kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


class IssueKind(StrEnum):
    """What an issue is about; also its translation key."""

    THROTTLED = "throttled"
    MOST_DEVICES_OFFLINE = "most_devices_offline"
    VOICE_DELETION_DISABLED = "voice_deletion_disabled"
    DEVICE_UNAVAILABLE = "device_unavailable"
    DEVICE_KEEPS_DROPPING = "device_keeps_dropping"
    PLUG_LEFT_OFF = "plug_left_off"


@dataclass(frozen=True, kw_only=True)
class IssueRef:
    """Which issue: its kind, its entry, and its device if it has one."""

    kind: IssueKind
    entry_id: str
    device_key: str | None = None

    @property
    def issue_id(self) -> str:
        """The id the issue registry knows it by."""
        if self.device_key is None:
            return f"{self.kind}.{self.entry_id}"
        return f"{self.kind}.{self.entry_id}.{self.device_key}"

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


def parse_issue_id(issue_id: str) -> IssueRef | None:
    """The issue an id names; None for an id that is not one of ours."""
    kind, _, rest = issue_id.partition(".")
    entry_id, _, device_key = rest.partition(".")
    if (known := _kind(kind)) is None or not entry_id:
        return None
    return IssueRef(kind=known, entry_id=entry_id, device_key=device_key or None)


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
    """The entry's issues in the registry (only the device's, if given)."""
    found: list[IssueRef] = []
    for domain, issue_id in ir.async_get(hass).issues:
        if domain != DOMAIN or (issue := parse_issue_id(issue_id)) is None:
            continue
        if issue.entry_id == entry_id and device_key in (None, issue.device_key):
            found.append(issue)
    return found


@callback
def async_withdraw_all(
    hass: HomeAssistant, entry_id: str, device_key: str | None = None
) -> None:
    """Delete every issue of the entry, or of one of its devices."""
    for issue in open_issues(hass, entry_id, device_key):
        async_withdraw(hass, issue)
    if device_key is None:
        # Older versions joined some ids with underscores; only the
        # registry still knows them, and only the entry's id marks them.
        for domain, issue_id in list(ir.async_get(hass).issues):
            if domain == DOMAIN and entry_id in issue_id:
                ir.async_delete_issue(hass, DOMAIN, issue_id)

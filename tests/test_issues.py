"""Tests of the repair issues' ids: no serial number in them, old ones cleared."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.alexa_care.const import DOMAIN
from custom_components.alexa_care.monitoring.issues import (
    IssueKind,
    IssueRef,
    register_device_tag_key,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .common import KITCHEN
from .fake_amazon import FakeAmazon


def _offline(entry_id: str, device_key: str) -> str:
    return IssueRef(
        kind=IssueKind.DEVICE_UNAVAILABLE, entry_id=entry_id, device_key=device_key
    ).issue_id


def test_a_device_issue_id_is_keyed_by_a_secret_of_the_entry() -> None:
    """Not the serial, nor a hash anyone could compute from a guessed serial."""
    register_device_tag_key("ENTRY_A", "amzn1.account.FIRST")
    register_device_tag_key("ENTRY_B", "amzn1.account.SECOND")
    first, second = _offline("ENTRY_A", KITCHEN), _offline("ENTRY_B", KITCHEN)

    assert first.startswith("device_unavailable.ENTRY_A.")
    assert KITCHEN not in first
    assert KITCHEN[-4:] not in first
    assert first.rpartition(".")[2] != second.rpartition(".")[2]
    # The same device, the same id: an ignored issue stays ignored.
    assert _offline("ENTRY_A", KITCHEN) == first
    register_device_tag_key("ENTRY_A", "amzn1.account.ANOTHER")
    assert _offline("ENTRY_A", KITCHEN) != first


async def test_setup_withdraws_the_ids_older_versions_named_by_serial(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_amazon: FakeAmazon,
) -> None:
    """An ignored issue of an older version kept its serial in the registry."""
    entry_id = mock_config_entry.entry_id
    old = f"device_unavailable.{entry_id}.{KITCHEN}"
    # Another account's is left to that account's setup.
    others = f"device_unavailable.01JANOTHERACCOUNT000000000.{KITCHEN}"
    for issue_id in (old, others):
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="most_devices_offline",
            translation_placeholders={"count": "5", "total": "6", "since": "-"},
        )
    ir.async_ignore_issue(hass, DOMAIN, old, ignore=True)
    mock_config_entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()

    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, old) is None
    assert registry.async_get_issue(DOMAIN, others) is not None

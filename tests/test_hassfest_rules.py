"""The rules hassfest applies to a custom integration's actions, icons and manifest.

hassfest (Home Assistant's validator, also run for integrations listed in
HACS) rejects what these tests reject; the translations are checked in
test_translations.py. The checks are written here, not taken from hassfest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, selector

from .common import (
    HTML,
    INTEGRATION,
    SLUG,
    TRANSLATION_KEY,
    invalid_keys,
    load_integration_file,
    unexpected_keys,
)

SERVICE_KEYS = {"name", "description", "fields", "target"}
FIELD_KEYS = {"name", "description", "example", "default", "required", "advanced"}


def test_services_have_texts_and_icons() -> None:
    """Each action: name, description, fields translated; an icon; valid selectors."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    texts = load_integration_file("translations/en.json")["services"]
    icons = load_integration_file("icons.json")["services"]
    problems: list[str] = []
    for name, service in services.items():
        if not SLUG.fullmatch(name):
            problems.append(f"{name}: not a slug")
        problems += unexpected_keys(service, name, SERVICE_KEYS)
        if not isinstance(icons.get(name, {}).get("service"), str):
            problems.append(f"{name}: no icon in icons.json")
        translated = texts.get(name, {})
        problems += [
            f"{name}: no {key} in en.json"
            for key in ("name", "description")
            if key not in translated
        ]
        for field, spec in service.get("fields", {}).items():
            problems += unexpected_keys(
                spec, f"{name}.{field}", FIELD_KEYS | {"selector", "filter"}
            )
            field_texts = translated.get("fields", {}).get(field, {})
            problems += [
                f"{name}.{field}: no {key} in en.json"
                for key in ("name", "description")
                if key not in field_texts
            ]
            selector.validate_selector(spec["selector"])
            select = spec["selector"].get("select") or {}
            if (
                key := select.get("translation_key")
            ) and key not in load_integration_file("translations/en.json")["selector"]:
                problems.append(f"{name}.{field}: selector {key} not translated")
    assert problems == []
    # Nothing translated or drawn for an action that does not exist.
    assert texts.keys() == services.keys()
    assert icons.keys() == services.keys()


def _icon(value: object) -> bool:
    return (
        isinstance(value, str) and value.startswith("mdi:") and not HTML.search(value)
    )


def test_icons() -> None:
    """Material Design icons, keyed by platform and translation key."""
    icons = load_integration_file("icons.json")
    problems = unexpected_keys(
        icons, "", {"entity", "services", "config", "options", "issues"}
    )
    problems += invalid_keys(icons["entity"], "entity", SLUG)
    for platform, entities in icons["entity"].items():
        problems += invalid_keys(entities, platform, TRANSLATION_KEY)
        for key, entity in entities.items():
            where = f"{platform}.{key}"
            problems += unexpected_keys(
                entity, where, {"default", "state", "range", "state_attributes"}
            )
            if "default" in entity and not _icon(entity["default"]):
                problems.append(f"{where}.default: not an mdi: icon")
            problems += invalid_keys(
                entity.get("state", {}), f"{where}.state", TRANSLATION_KEY
            )
            for state, icon in entity.get("state", {}).items():
                if not _icon(icon) or icon == entity.get("default"):
                    problems.append(
                        f"{where}.state.{state}: not an mdi: icon of its own"
                    )
    for name, icon in icons["services"].items():
        if not _icon(icon.get("service") if isinstance(icon, dict) else icon):
            problems.append(f"services.{name}: not an mdi: icon")
    assert problems == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_every_entity_translation_key_exists(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each entity's name comes from en.json, and any icon it has is for a real key."""
    translated = load_integration_file("translations/en.json")["entity"]
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    assert entries
    used = {(entry.domain, entry.translation_key) for entry in entries}
    assert None not in {key for _, key in used}
    assert {
        (platform, key) for platform, keys in translated.items() for key in keys
    } == used
    icons = load_integration_file("icons.json")["entity"]
    assert {(platform, key) for platform, keys in icons.items() for key in keys} <= used


MANIFEST_REQUIRED = {
    "domain": str,
    "name": str,
    "codeowners": list,
    "config_flow": bool,
    "documentation": str,
    "integration_type": str,
    "iot_class": str,
    "issue_tracker": str,
    "requirements": list,
    "version": str,
}
MANIFEST_OPTIONAL = {
    "after_dependencies", "bluetooth", "dependencies", "dhcp", "homekit",
    "import_executor", "loggers", "mqtt", "quality_scale", "single_config_entry",
    "ssdp", "usb", "zeroconf",
}  # fmt: skip
IOT_CLASSES = {
    "assumed_state", "calculated", "cloud_polling", "cloud_push",
    "local_polling", "local_push",
}  # fmt: skip


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    """What hassfest (and HACS) would reject in a custom integration's manifest."""
    problems = [
        f"{key}: missing or not a {kind.__name__}"
        for key, kind in MANIFEST_REQUIRED.items()
        if not isinstance(manifest.get(key), kind)
    ]
    problems += unexpected_keys(
        manifest, "", MANIFEST_REQUIRED.keys() | MANIFEST_OPTIONAL
    )
    if list(manifest) != sorted(
        manifest, key=lambda k: {"domain": "0", "name": "1"}.get(k, f"2{k}")
    ):
        problems.append("keys not sorted: domain, name, then alphabetical order")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("iot_class: unknown")
    for key in ("documentation", "issue_tracker"):
        if not str(manifest.get(key, "")).startswith("https://"):
            problems.append(f"{key}: not an https URL")
    version = AwesomeVersion(str(manifest.get("version")))
    if version.strategy is AwesomeVersionStrategy.UNKNOWN:
        problems.append("version: not a version")
    for key in ("codeowners", "requirements", "loggers"):
        if not all(isinstance(item, str) for item in manifest.get(key, [])):
            problems.append(f"{key}: not a list of strings")
    return problems


def test_manifest() -> None:
    """Complete, sorted, and for the folder it is in."""
    manifest = load_integration_file("manifest.json")
    assert manifest_problems(manifest) == []
    assert manifest["domain"] == INTEGRATION.name
    # A config flow in the folder needs the manifest to say so.
    assert manifest["config_flow"] is (INTEGRATION / "config_flow.py").exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda m: {"name": m["name"]} | m,
            "keys not sorted: domain, name, then alphabetical order",
        ),
        (
            lambda m: {k: v for k, v in m.items() if k != "version"},
            "version: missing or not a str",
        ),
        (lambda m: m | {"version": "one"}, "version: not a version"),
        (lambda m: m | {"iot_class": "cloud"}, "iot_class: unknown"),
        (lambda m: m | {"homepage": "https://x"}, ".homepage: not allowed here"),
    ],
)
def test_the_manifest_rules_catch(
    change: Callable[[dict[str, Any]], dict[str, Any]], problem: str
) -> None:
    """Each rule rejects what hassfest rejects."""
    assert problem in manifest_problems(change(load_integration_file("manifest.json")))

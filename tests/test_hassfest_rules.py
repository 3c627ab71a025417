"""The rules hassfest applies to a custom integration's actions, icons and manifest.

hassfest (Home Assistant's validator, also run for integrations listed in
HACS) rejects what these tests reject; the translations are checked in
test_translations.py. The checks are written here, not taken from hassfest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, selector

from .integration_files import (
    HTML,
    INTEGRATION,
    SLUG,
    TRANSLATION_KEY,
    invalid_keys,
    load_integration_file,
    unexpected_keys,
)

SERVICE_KEYS = {"name", "description", "fields", "target"}
FIELD_KEYS = {
    "name", "description", "example", "default", "required", "advanced",
    "selector", "filter",
}  # fmt: skip


def service_problems(
    services: dict[str, Any], strings: dict[str, Any], icons: dict[str, Any]
) -> list[str]:
    """Each action: name, description, fields translated; an icon; valid selectors."""
    texts, problems = strings.get("services", {}), []
    for name, service in services.items():
        if not SLUG.fullmatch(name):
            problems.append(f"{name}: not a slug")
        problems += unexpected_keys(service, name, SERVICE_KEYS)
        if not _icon(icons.get("services", {}).get(name, {}).get("service")):
            problems.append(f"{name}: no icon in icons.json")
        translated = texts.get(name, {})
        problems += [
            f"{name}: no {key} in en.json"
            for key in ("name", "description")
            if key not in translated
        ]
        for field, spec in service.get("fields", {}).items():
            where = f"{name}.{field}"
            problems += unexpected_keys(spec, where, FIELD_KEYS)
            problems += [
                f"{where}: no {key} in en.json"
                for key in ("name", "description")
                if key not in translated.get("fields", {}).get(field, {})
            ]
            try:
                selector.validate_selector(spec.get("selector"))
            except probatio.Invalid as err:
                problems.append(f"{where}: invalid selector ({err})")
            select = (spec.get("selector") or {}).get("select") or {}
            key = select.get("translation_key")
            if key and key not in strings.get("selector", {}):
                problems.append(f"{where}: selector {key} not translated")
    # Nothing translated or drawn for an action that does not exist.
    problems += [
        f"{name}: translated, not an action" for name in texts.keys() - services.keys()
    ]
    return problems


def _icon(value: object) -> bool:
    return (
        isinstance(value, str) and value.startswith("mdi:") and not HTML.search(value)
    )


def icon_problems(icons: dict[str, Any]) -> list[str]:
    """Material Design icons, keyed by platform and translation key."""
    problems = unexpected_keys(
        icons, "", {"entity", "services", "config", "options", "issues"}
    )
    problems += invalid_keys(icons.get("entity", {}), "entity", SLUG)
    for platform, entities in icons.get("entity", {}).items():
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
            problems += [
                f"{where}.state.{state}: not an mdi: icon of its own"
                for state, icon in entity.get("state", {}).items()
                if not _icon(icon) or icon == entity.get("default")
            ]
    return problems


def test_actions_and_icons() -> None:
    """services.yaml and icons.json as hassfest wants them."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = load_integration_file("translations/en.json")
    icons = load_integration_file("icons.json")
    assert service_problems(services, strings, icons) == []
    assert icon_problems(icons) == []
    assert icons["services"].keys() == services.keys()


ACTION = {"fields": {"confirm": {"selector": {"boolean": {}}}}}
ACTION_TEXTS = {
    "services": {
        "go": {
            "name": "Go",
            "description": "Goes.",
            "fields": {"confirm": {"name": "C", "description": "D"}},
        }
    }
}
ACTION_ICONS = {"services": {"go": {"service": "mdi:run"}}}


@pytest.mark.parametrize(
    ("services", "strings", "icons", "problem"),
    [
        ({"go": ACTION}, ACTION_TEXTS, {}, "go: no icon in icons.json"),
        ({"Go": ACTION}, ACTION_TEXTS, ACTION_ICONS, "Go: not a slug"),
        ({"go": {}}, {}, ACTION_ICONS, "go: no description in en.json"),
        (
            {"go": {"fields": {"x": {"selector": {"boolean": {}}}}}},
            ACTION_TEXTS,
            ACTION_ICONS,
            "go.x: no description in en.json",
        ),
        (
            {"go": {"fields": {"confirm": {"selector": {"nonsense": {}}}}}},
            ACTION_TEXTS,
            ACTION_ICONS,
            "go.confirm: invalid selector",
        ),
        ({}, ACTION_TEXTS, {}, "go: translated, not an action"),
    ],
)
def test_the_action_rules_catch(
    services: dict[str, Any],
    strings: dict[str, Any],
    icons: dict[str, Any],
    problem: str,
) -> None:
    """Each rule rejects what hassfest rejects."""
    assert any(
        found.startswith(problem)
        for found in service_problems(services, strings, icons)
    )


@pytest.mark.parametrize(
    ("icons", "problem"),
    [
        (
            {"entity": {"sensor": {"x": {"default": "wifi"}}}},
            "sensor.x.default: not an mdi: icon",
        ),
        (
            {
                "entity": {
                    "sensor": {"x": {"default": "mdi:a", "state": {"on": "mdi:a"}}}
                }
            },
            "sensor.x.state.on: not an mdi: icon of its own",
        ),
        ({"entity": {"sensor": {"X": {}}}}, "sensor.X: not a valid key"),
        ({"entities": {}}, ".entities: not allowed here"),
    ],
)
def test_the_icon_rules_catch(icons: dict[str, Any], problem: str) -> None:
    """Each rule rejects what hassfest rejects."""
    assert problem in icon_problems(icons)


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

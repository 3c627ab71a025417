"""Every translation has the keys and placeholders of en.json, and follows hassfest.

hassfest (Home Assistant's validator, also run for integrations listed in
HACS) rejects what these tests reject. The checks are written here, not taken
from hassfest: each rule is named in the message it gives.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import re
import string
from typing import Any

import pytest

from custom_components.alexa_care.const import DOMAIN
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .integration_files import (
    HTML,
    INTEGRATION,
    SLUG,
    TRANSLATION_KEY,
    invalid_keys,
    issue_translation_problems,
    load_integration_file,
    unexpected_keys,
)

TRANSLATIONS = INTEGRATION / "translations"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
LANGUAGES = ["de", "en", "es", "fr"]


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    leaves: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            leaves |= _leaves(value, path)
        else:
            leaves[path] = value
    return leaves


ENGLISH = _leaves(json.loads((TRANSLATIONS / "en.json").read_text()))


def test_german_spanish_and_french_are_there() -> None:
    """The largest Amazon marketplaces after the US."""
    assert sorted(path.stem for path in TRANSLATIONS.glob("*.json")) == LANGUAGES


@pytest.mark.parametrize("language", ["de", "es", "fr"])
def test_same_keys_and_placeholders_as_english(language: str) -> None:
    """Nothing missing, nothing extra, no placeholder lost."""
    translated = _leaves(json.loads((TRANSLATIONS / f"{language}.json").read_text()))
    assert translated.keys() == ENGLISH.keys()
    for path, text in translated.items():
        assert text.strip(), path
        assert set(PLACEHOLDER.findall(text)) == set(
            PLACEHOLDER.findall(ENGLISH[path])
        ), path


URL = re.compile(
    r"\b(?:https?|ftps?|scp|mqtts?|socket|socks5)://|\bwww\.", re.IGNORECASE
)
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")


def _text(value: object, path: str, *, placeholders: bool = True) -> list[str]:
    """The rules every translated string follows."""
    if not isinstance(value, str):
        return [f"{path}: not a string"]
    problems = []
    fields = [field for _, field, _, _ in string.Formatter().parse(value) if field]
    if fields and not placeholders:
        problems.append(f"{path}: no placeholder allowed here")
    problems += [
        f"{path}: placeholder {{{field}}} is not an identifier"
        for field in fields
        if not field.isidentifier()
    ]
    if "[%key:" in value:
        problems.append(f"{path}: [%key:…] references exist only in core")
    if HTML.search(value):
        problems.append(f"{path}: HTML")
    if QUOTED_PLACEHOLDER.search(value):
        problems.append(f"{path}: placeholder inside single quotes")
    if URL.search(value):
        problems.append(f"{path}: a URL (make it a placeholder)")
    if value != value.strip():
        problems.append(f"{path}: leading or trailing white space")
    return problems


def _texts(
    tree: object, path: str, key_rule: re.Pattern[str] | None = None
) -> list[str]:
    """An object of translated strings, such as a step's `data`."""
    if not isinstance(tree, dict):
        return [f"{path}: not an object"]
    problems = invalid_keys(tree, path, key_rule) if key_rule else []
    for key, text in tree.items():
        problems += _text(text, f"{path}.{key}")
    return problems


STEP_TEXTS = {"data", "data_description", "menu_options", "menu_option_descriptions"}


def _flow(flow: object, path: str) -> list[str]:
    """A data entry flow: config, options, or an issue's fix flow."""
    if not isinstance(flow, dict) or not isinstance(flow.get("step"), dict):
        return [f"{path}: needs its steps under `step`"]
    problems = unexpected_keys(
        flow,
        path,
        {"step", "error", "abort", "progress", "create_entry", "flow_title"},
    )
    for part in ("error", "abort", "progress", "create_entry"):
        if part in flow:
            problems += _texts(flow[part], f"{path}.{part}")
    for step_id, step in flow["step"].items():
        where = f"{path}.step.{step_id}"
        if not isinstance(step, dict):
            problems.append(f"{where}: not an object")
            continue
        problems += unexpected_keys(
            step, where, STEP_TEXTS | {"title", "description", "submit"}
        )
        for key in ("title", "description", "submit"):
            if key in step:
                problems += _text(step[key], f"{where}.{key}")
        for key in STEP_TEXTS & step.keys():
            problems += _texts(step[key], f"{where}.{key}")
        problems += [
            f"{where}.data_description.{field}: not a field of `data`"
            for field in step.get("data_description", {}).keys()
            - step.get("data", {}).keys()
        ]
    return problems


def _issue(issue: object, path: str) -> list[str]:
    """A fixable issue shows its fix flow, never a description: one or the other."""
    if not isinstance(issue, dict):
        return [f"{path}: not an object"]
    problems = unexpected_keys(issue, path, {"title", "description", "fix_flow"})
    problems += _text(issue.get("title"), f"{path}.title")
    match "description" in issue, "fix_flow" in issue:
        case True, True:
            problems.append(f"{path}: both `description` and `fix_flow`")
        case False, False:
            problems.append(f"{path}: needs `description` or `fix_flow`")
        case True, False:
            problems += _text(issue["description"], f"{path}.description")
        case False, True:
            problems += _flow(issue["fix_flow"], f"{path}.fix_flow")
    return problems


def _entities(tree: object, path: str) -> list[str]:
    problems = invalid_keys(tree, path, SLUG)
    for platform, entities in tree.items() if isinstance(tree, dict) else ():
        problems += invalid_keys(entities, f"{path}.{platform}", TRANSLATION_KEY)
        for key, entity in entities.items() if isinstance(entities, dict) else ():
            where = f"{path}.{platform}.{key}"
            problems += unexpected_keys(
                entity, where, {"name", "state", "state_attributes"}
            )
            if "name" in entity:
                problems += _text(entity["name"], f"{where}.name")
            problems += invalid_keys(
                entity.get("state", {}), f"{where}.state", TRANSLATION_KEY
            )
            for state, text in entity.get("state", {}).items():
                problems += _text(text, f"{where}.state.{state}", placeholders=False)
    return problems


def _services(tree: object, path: str) -> list[str]:
    problems = invalid_keys(tree, path, TRANSLATION_KEY)
    for name, service in tree.items() if isinstance(tree, dict) else ():
        where = f"{path}.{name}"
        problems += unexpected_keys(
            service, where, {"name", "description", "fields", "sections"}
        )
        problems += _text(service.get("name"), f"{where}.name")
        problems += _text(service.get("description"), f"{where}.description")
        problems += invalid_keys(
            service.get("fields", {}), f"{where}.fields", TRANSLATION_KEY
        )
        for field, texts in service.get("fields", {}).items():
            for key in ("name", "description"):
                problems += _text(texts.get(key), f"{where}.fields.{field}.{key}")
    return problems


def _exceptions(tree: object, path: str) -> list[str]:
    problems = invalid_keys(tree, path, SLUG)
    for key, exception in tree.items() if isinstance(tree, dict) else ():
        problems += unexpected_keys(exception, f"{path}.{key}", {"message"})
        problems += _text(exception.get("message"), f"{path}.{key}.message")
    return problems


def _selectors(tree: object, path: str) -> list[str]:
    problems = invalid_keys(tree, path, SLUG)
    for key, texts in tree.items() if isinstance(tree, dict) else ():
        problems += unexpected_keys(
            texts, f"{path}.{key}", {"options", "choices", "fields"}
        )
        problems += _texts(
            texts.get("options", {}), f"{path}.{key}.options", TRANSLATION_KEY
        )
    return problems


SECTIONS: dict[str, Callable[[Any, str], list[str]]] = {
    # Texts of our own (the logbook's sentences): slug keys, plain strings.
    "common": lambda tree, path: _texts(tree, path, SLUG),
    "config": _flow,
    "options": _flow,
    "entity": _entities,
    "exceptions": _exceptions,
    "issues": lambda tree, path: [
        problem
        for key, issue in tree.items()
        for problem in _issue(issue, f"{path}.{key}")
    ],
    "selector": _selectors,
    "services": _services,
}


def translation_problems(strings: dict[str, Any]) -> list[str]:
    """What hassfest would reject in a translation file."""
    problems = unexpected_keys(strings, "", set(SECTIONS))
    for section, check in SECTIONS.items():
        if section in strings:
            problems += check(strings[section], section)
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations(language: str) -> None:
    """Every language, though hassfest reads only English for custom integrations."""
    assert (
        translation_problems(load_integration_file(f"translations/{language}.json"))
        == []
    )


@pytest.mark.parametrize(
    ("strings", "problem"),
    [
        (
            {
                "issues": {
                    "x": {"title": "T", "description": "D", "fix_flow": {"step": {}}}
                }
            },
            "issues.x: both `description` and `fix_flow`",
        ),
        (
            {"issues": {"x": {"title": "T"}}},
            "issues.x: needs `description` or `fix_flow`",
        ),
        (
            {"entity": {"sensor": {"Drop_offs": {"name": "N"}}}},
            "entity.sensor.Drop_offs: not a valid key",
        ),
        (
            {"entity": {"sensor": {"a__b": {"name": "N"}}}},
            "entity.sensor.a__b: not a valid key",
        ),
        (
            {"exceptions": {"x": {"message": "[%key:common::x%]"}}},
            "exceptions.x.message: [%key:…] references exist only in core",
        ),
        (
            {"exceptions": {"x": {"message": "See https://example.com"}}},
            "exceptions.x.message: a URL (make it a placeholder)",
        ),
        (
            {"exceptions": {"x": {"message": "Named '{device}'"}}},
            "exceptions.x.message: placeholder inside single quotes",
        ),
        (
            {"config": {"step": {"user": {"data_description": {"x": "D"}}}}},
            "config.step.user.data_description.x: not a field of `data`",
        ),
        (
            {"entity": {"select": {"p": {"state": {"none": "{x}"}}}}},
            "entity.select.p.state.none: no placeholder allowed here",
        ),
    ],
)
def test_the_translation_rules_catch(strings: dict[str, Any], problem: str) -> None:
    """Each rule rejects what hassfest rejects."""
    assert problem in translation_problems(strings)


def _issue_entry(key: str, *, fixable: bool, **placeholders: str) -> ir.IssueEntry:
    return ir.IssueEntry(
        active=True,
        breaks_in_ha_version=None,
        created=dt_util.utcnow(),
        data=None,
        dismissed_version=None,
        domain=DOMAIN,
        is_fixable=fixable,
        is_persistent=False,
        issue_domain=None,
        issue_id=f"{key}_1",
        learn_more_url=None,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders=placeholders,
    )


@pytest.mark.parametrize(
    ("issue", "problem"),
    [
        (
            _issue_entry("throttled", fixable=True, minutes="15"),
            "throttled_1 (throttled): fixable: en.json needs fix_flow, no description",
        ),
        (
            _issue_entry("plug_left_off", fixable=False, plug="P", error="E"),
            (
                "plug_left_off_1 (plug_left_off): not fixable, "
                "but en.json has no description"
            ),
        ),
        (
            _issue_entry("throttled", fixable=False),
            "throttled_1 (throttled): {minutes} of its description not given",
        ),
        (_issue_entry("gone", fixable=False), "gone_1 (gone): not in en.json"),
    ],
)
def test_the_issue_rules_catch(issue: ir.IssueEntry, problem: str) -> None:
    """What every test checks of the issues it raises (see conftest.py)."""
    assert issue_translation_problems([issue]) == [problem]

"""The integration's own files, read as Home Assistant and hassfest read them."""

from __future__ import annotations

from collections.abc import Iterable
import json
from pathlib import Path
import re
import string
from typing import Any

from custom_components.alexa_care.const import DOMAIN
from homeassistant.helpers import issue_registry as ir

# What hassfest checks in a custom integration's files.
INTEGRATION = Path(__file__).parent.parent / "custom_components" / DOMAIN
# Lower case letters, digits, "-" and "_"; neither first nor last, never two in a row.
TRANSLATION_KEY = re.compile(r"[a-z0-9](?:[a-z0-9]|[-_](?=[a-z0-9]))*")
SLUG = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
HTML = re.compile(r"<[a-z].*?>", re.IGNORECASE)


def load_integration_file(name: str) -> Any:  # noqa: ANN401
    """One of the integration's JSON files, as Home Assistant reads it."""
    return json.loads((INTEGRATION / name).read_text())


def invalid_keys(tree: object, path: str, rule: re.Pattern[str]) -> list[str]:
    """The keys of an object that break a naming rule."""
    if not isinstance(tree, dict):
        return [f"{path}: not an object"]
    return [f"{path}.{key}: not a valid key" for key in tree if not rule.fullmatch(key)]


def unexpected_keys(tree: dict[str, Any], path: str, allowed: set[str]) -> list[str]:
    """The keys of an object hassfest's schema does not allow there."""
    return [f"{path}.{key}: not allowed here" for key in tree.keys() - allowed]


def issue_translation_problems(issues: Iterable[ir.IssueEntry]) -> list[str]:
    """Issues of ours whose translation would not show them as hassfest demands.

    A fixable issue shows its fix flow, never a description; an issue that is
    not fixable shows its description. The placeholders shown must be given.
    """
    texts = load_integration_file("translations/en.json")["issues"]
    problems = []
    for issue in issues:
        name = f"{issue.issue_id} ({issue.translation_key})"
        if (text := texts.get(issue.translation_key)) is None:
            problems.append(f"{name}: not in en.json")
            continue
        shown = ["title"] if issue.is_fixable else ["title", "description"]
        if issue.is_fixable and ("fix_flow" not in text or "description" in text):
            problems.append(f"{name}: fixable: en.json needs fix_flow, no description")
        if not issue.is_fixable and "description" not in text:
            problems.append(f"{name}: not fixable, but en.json has no description")
        given = set(issue.translation_placeholders or {})
        problems += [
            f"{name}: {{{field}}} of its {key} not given"
            for key in shown
            for _, field, _, _ in string.Formatter().parse(text.get(key, ""))
            if field and field not in given
        ]
    return problems

"""Every translation has exactly the keys and placeholders of en.json."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

TRANSLATIONS = (
    Path(__file__).parent.parent / "custom_components" / "alexa_care" / "translations"
)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


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
    assert sorted(path.stem for path in TRANSLATIONS.glob("*.json")) == [
        "de",
        "en",
        "es",
        "fr",
    ]


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

"""Tests of escaping text from Amazon or a router for markdown."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
import pytest

from custom_components.alexa_care.util.markdown import escape_markdown

# What a device name or an SSID could carry, and Home Assistant would render.
HOSTILE = {
    "link": "[Kitchen](https://evil.example/login)",
    "html link": '<a href="https://evil.example">Kitchen</a>',
    "image": "![Kitchen](https://evil.example/pixel.png)",
    "autolink": "<https://evil.example>",
    "bare url": "Kitchen https://evil.example/login",
    "www": "Kitchen WWW.evil.example",
    "email": "Kitchen help@evil.example",
    "reference": "Kitchen [here][1]\n\n[1]: https://evil.example",
    "own backslash": "Kitchen \\[x](https://evil.example)",
    "plain": "Olivia's Echo (2nd Gen) - Küche",
}
# Bare links that Home Assistant's renderer (GitHub-flavoured) makes links
# of, and CommonMark does not: they must not be left whole.
_BARE_LINK = re.compile(r"(?<!\\)(?::(?=//)|(?i:(?<=www))\.|@)")


def _rendered(text: str) -> str:
    """A repair text with the placeholder in it, rendered as CommonMark."""
    return MarkdownIt("commonmark").render(f"Amazon reports {text} offline.")


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_escaped_text_renders_as_itself(name: str) -> None:
    """No link, image or HTML: the text itself, on one line."""
    escaped = escape_markdown(name)
    rendered = _rendered(escaped)
    assert "<a" not in rendered
    assert "<img" not in rendered
    assert not _BARE_LINK.search(escaped)
    shown = " ".join(name.split("\n")).replace("  ", " ")
    assert html.unescape(rendered) == f"<p>Amazon reports {shown} offline.</p>\n"


def test_unescaped_text_would_render_links() -> None:
    """The check above can fail: the same texts unescaped render links."""
    for name in list(HOSTILE.values())[:4]:
        rendered = _rendered(name)
        assert "<a" in rendered or "<img" in rendered, name


def test_plain_names_stay_as_they_are() -> None:
    """Titles show the placeholder unrendered: ordinary names gain no backslash."""
    for name in ("Kitchen Echo", "Olivia's Echo (2nd Gen)", "Küche - Echo Dot"):
        assert escape_markdown(name) == name

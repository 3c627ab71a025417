"""Text from Amazon or a router, made safe for texts rendered as markdown."""

from __future__ import annotations

import re

# What turns text into a link, an image or HTML: brackets (links, images,
# link references), angle brackets (HTML, <autolinks>), the backslash (it
# would undo our escapes) and the starts of bare autolinks (https://…,
# www.…, name@host). Nothing else: titles and labels show the same text
# unrendered, where every escape is a visible backslash.
_MARKUP = re.compile(r"[\\\[\]<>]|(?<=[A-Za-z]):(?=//)|(?i:(?<=www))\.|@")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape_markdown(text: str) -> str:
    """Show `text` as it is, whatever markdown it holds, on a single line."""
    return _MARKUP.sub(r"\\\g<0>", _LINE_BREAKS.sub(" ", text))

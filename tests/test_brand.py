"""The brand images Home Assistant shows next to the integration and its devices."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops
import pytest

from devtools.brand_icon import BRAND, ICONS, write_icons


@pytest.mark.parametrize(("name", "size"), ICONS.items())
def test_brand_icons_are_what_the_script_draws(
    tmp_path: Path, name: str, size: int
) -> None:
    """Square, transparent around the drawing, the size Home Assistant asks for.

    And the drawing of devtools/brand_icon.py, so that the script and the
    images never part.
    """
    write_icons(tmp_path)
    shipped = Image.open(BRAND / name)
    assert shipped.format == "PNG"
    assert shipped.mode == "RGBA"
    assert shipped.size == (size, size)
    for corner in ((0, 0), (size - 1, 0), (0, size - 1)):
        assert shipped.getpixel(corner)[3] == 0
    drawn = Image.open(tmp_path / name)
    extrema = ImageChops.difference(shipped, drawn).getextrema()
    assert max(high for _, high in extrema) <= 2

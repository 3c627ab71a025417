"""Draw the integration's brand icon: an Echo with its light ring, and a heart.

    python -m devtools.brand_icon

writes custom_components/alexa_care/brand/icon.png (256 px) and icon@2x.png
(512 px), transparent, as Home Assistant's brand images for custom
integrations expect. Drawn large and scaled down, for smooth edges.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).parents[1] / "custom_components" / "alexa_care" / "brand"
SIZE = 2048  # the drawing's size; scaled down to each output
ICONS = {"icon.png": 256, "icon@2x.png": 512}

BODY = (36, 52, 71, 255)
BODY_SHADE = (26, 38, 52, 255)
TOP = (52, 73, 94, 255)
RING = (0, 202, 255, 255)
RING_GLOW = (0, 202, 255, 90)
FABRIC = (46, 64, 84, 255)
HEART = (229, 57, 53, 255)
WHITE = (255, 255, 255, 255)


def _echo(draw: ImageDraw.ImageDraw) -> None:
    """An Echo Dot from the side: a short cylinder, its light ring on top."""
    left, right = 180, 1660
    top, bottom = 620, 1560
    rim = 300  # the height of the ellipses that make the cylinder round
    draw.ellipse((left, bottom - rim, right, bottom + rim), fill=BODY_SHADE)
    draw.rectangle((left, top, right, bottom), fill=BODY)
    # The fabric: rows of dots that follow the cylinder's curve.
    for row in range(6):
        y = top + 260 + row * 130
        for column in range(19):
            x = left + 80 + column * 70
            offset = int(60 * (1 - ((x - (left + right) / 2) / 760) ** 2))
            draw.ellipse((x - 9, y + offset - 9, x + 9, y + offset + 9), fill=FABRIC)
    # Glow, ring, then the top inside the ring.
    draw.ellipse(
        (left - 60, top - rim - 60, right + 60, top + rim + 60), fill=RING_GLOW
    )
    draw.ellipse((left, top - rim, right, top + rim), fill=RING)
    draw.ellipse((left + 70, top - rim + 45, right - 70, top + rim - 45), fill=TOP)
    # The buttons on the top.
    for x in (620, 920, 1220):
        draw.ellipse((x - 55, top - 40, x + 55, top + 40), fill=BODY_SHADE)


def _heart(
    draw: ImageDraw.ImageDraw, cx: int, cy: int, size: int, fill: tuple[int, ...]
) -> None:
    """A heart centred on (cx, cy), `size` wide: two lobes and their tangents."""
    radius = size / 4
    tip = (cx, cy + 1.6 * radius)
    outline: list[tuple[float, float]] = []
    for side in (-1, 1):
        centre = (cx + side * radius, cy - radius)
        draw.ellipse(
            (
                centre[0] - radius,
                centre[1] - radius,
                centre[0] + radius,
                centre[1] + radius,
            ),
            fill=fill,
        )
        # Where the line from the tip touches the lobe's outer side.
        dx, dy = centre[0] - tip[0], centre[1] - tip[1]
        distance = math.hypot(dx, dy)
        angle = math.atan2(dy, dx) + side * math.asin(radius / distance)
        reach = math.sqrt(distance**2 - radius**2)
        outline.append(
            (tip[0] + reach * math.cos(angle), tip[1] + reach * math.sin(angle))
        )
    draw.polygon([outline[0], (cx, cy - radius), outline[1], tip], fill=fill)


def _badge(draw: ImageDraw.ImageDraw) -> None:
    """A red heart on a white disc, over the Echo's lower right."""
    cx, cy, radius = 1500, 1500, 470
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=WHITE)
    inner = radius - 70
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=HEART)
    _heart(draw, cx, cy + 10, 520, WHITE)


def draw_icon() -> Image.Image:
    """The icon at the drawing's size."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    _echo(draw)
    _badge(draw)
    return image.crop(image.getbbox())


def write_icons(folder: Path) -> None:
    """Write icon.png and icon@2x.png into `folder`."""
    icon = draw_icon()
    # Square, with the drawing centred: brand icons are square.
    side = max(icon.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(icon, ((side - icon.width) // 2, (side - icon.height) // 2))
    for name, size in ICONS.items():
        square.resize((size, size), Image.Resampling.LANCZOS).save(
            folder / name, optimize=True
        )


if __name__ == "__main__":
    write_icons(BRAND)

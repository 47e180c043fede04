"""Draw the Teams app icons (run once; the PNGs are committed): ``python bot/channels/teams/manifest/make_icons.py``.

Teams wants a 192x192 full-colour icon and a 32x32 outline icon: white on a transparent
background, no other colours. Both show a speech bubble with a tick ("can I share? yes").
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
TEAL = (0, 110, 120, 255)
WHITE = (255, 255, 255, 255)


def bubble(draw: ImageDraw.ImageDraw, scale: float, fill: tuple | None, outline: tuple | None, width: int) -> None:
    """A rounded speech bubble with a tail, on a 32-unit grid scaled by ``scale``."""
    s = scale
    draw.rounded_rectangle([3 * s, 4 * s, 29 * s, 22 * s], radius=5 * s, fill=fill, outline=outline, width=width)
    tail = [(9 * s, 21 * s), (8 * s, 28 * s), (15 * s, 21 * s)]
    # Filled in both icons: at 32x32 an outlined tail is only a blur.
    draw.polygon(tail, fill=fill or outline)


def tick(draw: ImageDraw.ImageDraw, scale: float, colour: tuple, width: int) -> None:
    s = scale
    draw.line([(10 * s, 13 * s), (14 * s, 17 * s), (22 * s, 9 * s)], fill=colour, width=width, joint="curve")


def colour_icon() -> Image.Image:
    image = Image.new("RGBA", (192, 192), TEAL)
    draw = ImageDraw.Draw(image)
    bubble(draw, 6, fill=WHITE, outline=None, width=0)
    tick(draw, 6, TEAL, 14)
    return image


def outline_icon() -> Image.Image:
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    bubble(draw, 1, fill=None, outline=WHITE, width=2)
    tick(draw, 1, WHITE, 2)
    return image


def main() -> None:
    colour_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()

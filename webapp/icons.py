"""Draws the app icons (a card glyph in the theme colour) as PNGs in pure Python: `python -m webapp.icons`."""
from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

from webapp.pwa import THEME_COLOUR

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "static" / "icons"
THEME = tuple(bytes.fromhex(THEME_COLOUR.removeprefix("#")))
CARD = (0xFF, 0xFF, 0xFF)
CHIP = (0xF2, 0xC1, 0x4E)
# name: (size in pixels, maskable): a maskable icon fills the square; the OS crops it to its own shape.
SIZES = {"icon-192.png": (192, False), "icon-512.png": (512, False), "icon-maskable-512.png": (512, True)}


def rounded_rect(x: float, y: float, box: tuple[float, float, float, float], radius: float) -> float:
    """How much of the pixel centred on (x, y) lies inside a rounded rectangle (0 to 1)."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    qx = abs(x - cx) - ((right - left) / 2 - radius)
    qy = abs(y - cy) - ((bottom - top) / 2 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0) - radius
    return min(max(0.5 - outside, 0.0), 1.0)


def layers(size: int, maskable: bool) -> list[tuple[tuple[int, int, int], tuple, float]]:
    """The shapes of the icon, back to front: (colour, box, corner radius)."""
    s = size
    background = (0, 0, s, s)
    card_w = 0.60 * s  # inside the maskable safe circle (80% of the size) with its corners
    card_h = card_w * 54 / 85.6  # the proportions of a bank or Vitale card
    left, top = (s - card_w) / 2, (s - card_h) / 2
    card = (left, top, left + card_w, top + card_h)
    chip = (left + 0.10 * card_w, top + 0.28 * card_h, left + 0.30 * card_w, top + 0.56 * card_h)
    line1 = (left + 0.10 * card_w, top + 0.72 * card_h, left + 0.80 * card_w, top + 0.80 * card_h)
    line2 = (left + 0.40 * card_w, top + 0.30 * card_h, left + 0.88 * card_w, top + 0.38 * card_h)
    line3 = (left + 0.40 * card_w, top + 0.46 * card_h, left + 0.75 * card_w, top + 0.54 * card_h)
    thin = 0.04 * card_h
    return [
        (THEME, background, 0.0 if maskable else 0.18 * s),
        (CARD, card, 0.07 * card_w),
        (CHIP, chip, 0.03 * card_w),
        (THEME, line1, thin), (THEME, line2, thin), (THEME, line3, thin),
    ]


def draw(size: int, maskable: bool) -> bytes:
    """The icon's RGBA pixels, row by row, each row led by PNG's filter byte."""
    shapes = layers(size, maskable)
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            r = g = b = a = 0.0
            for colour, box, radius in shapes:
                if not (box[0] - 1 <= x + 0.5 <= box[2] + 1 and box[1] - 1 <= y + 0.5 <= box[3] + 1):
                    continue
                cover = rounded_rect(x + 0.5, y + 0.5, box, radius)
                if cover <= 0:
                    continue
                # "over" compositing of an opaque colour with coverage `cover`
                r = colour[0] * cover + r * (1 - cover)
                g = colour[1] * cover + g * (1 - cover)
                b = colour[2] * cover + b * (1 - cover)
                a = cover + a * (1 - cover)
            if a > 0:
                r, g, b = r / a, g / a, b / a
            rows += bytes((round(r), round(g), round(b), round(a * 255)))
    return bytes(rows)


def png(size: int, pixels: bytes) -> bytes:
    """A PNG file (8-bit RGBA) from filtered rows."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels, 9))
            + chunk(b"IEND", b""))


def main() -> None:
    """Write every icon into static/icons/."""
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, (size, maskable) in SIZES.items():
        (ICONS / name).write_bytes(png(size, draw(size, maskable)))
        print(ICONS / name)


if __name__ == "__main__":
    main()

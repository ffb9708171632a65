"""Convert an X11 window dump (``xwd -root``, depth 24) to PNG with Pillow.

    python build/xwd_to_png.py screen.xwd screen.png

build/bare_machine_check.sh uses it for its screenshot of ``make run``'s window
(the new system has no ImageMagick; Pillow comes with the venv).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PIL import Image


def xwd_to_png(source: Path, target: Path) -> tuple[int, int]:
    data = source.read_bytes()
    header = struct.unpack(">25I", data[:100])  # the XWD header is always big-endian
    size, depth, width, height, order, stride, ncolors = (
        header[i] for i in (0, 3, 4, 5, 7, 12, 19)
    )
    # Xvfb's depth 24 says 24 bits per pixel but stores 4 bytes a pixel: trust the stride
    if depth != 24 or stride < 4 * width:
        raise ValueError(f"{source}: depth {depth}, {stride} bytes a line; need 24, 4 a pixel")
    pixels = data[size + 12 * ncolors :][: stride * height]
    raw = "BGRX" if order == 0 else "XRGB"  # LSBFirst / MSBFirst
    image = Image.frombuffer("RGB", (width, height), pixels, "raw", raw, stride, 1)
    image.save(target)
    return width, height


if __name__ == "__main__":
    w, h = xwd_to_png(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"screenshot {w}x{h}: {sys.argv[2]}")

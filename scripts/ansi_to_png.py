"""Turns a `tmux capture-pane -p -e` capture of the client's live preview into a PNG screenshot.

Each terminal cell holding the upper half block (U+2580) is two pixels: the foreground colour on
top, the background colour below, as a true-colour terminal draws it. Other characters are drawn
as a blank cell in the current background. Usage:

    python scripts/ansi_to_png.py capture.txt out.png [scale]
"""
import re
import struct
import sys
import zlib

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(line, state):
    """Yields (char, fg, bg) for one captured line; state [fg, bg] carries over lines, as tmux
    writes only the changes."""
    pos = 0
    for m in SGR.finditer(line):
        for ch in line[pos:m.start()]:
            yield ch, state[0], state[1]
        sgr(m.group(1), state)
        pos = m.end()
    for ch in line[pos:]:
        yield ch, state[0], state[1]


def sgr(codes, state):
    """Applies one Select Graphic Rendition sequence (reset, 24-bit and 256-colour grey)."""
    params = [int(p) if p else 0 for p in codes.split(";")] if codes else [0]
    i = 0
    while i < len(params):
        p = params[i]
        if p == 0:
            state[0], state[1] = (200, 200, 200), (0, 0, 0)
        elif p in (38, 48) and i + 4 < len(params) and params[i + 1] == 2:
            state[0 if p == 38 else 1] = tuple(params[i + 2:i + 5])
            i += 4
        elif p in (38, 48) and i + 2 < len(params) and params[i + 1] == 5:
            g = params[i + 2]
            v = 8 + 10 * (g - 232) if g >= 232 else (255 if g == 231 else 0)
            state[0 if p == 38 else 1] = (v, v, v)
            i += 2
        i += 1


def png(width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(src, dst, scale=4):
    state = [(200, 200, 200), (0, 0, 0)]
    lines = [list(cells(text, state)) for text in open(src, encoding="utf-8").read().splitlines()]
    lines = [line for line in lines if any(ch == "\u2580" for ch, _, _ in line)]
    width = max(len(line) for line in lines)
    rows = []
    for line in lines:
        top, bottom = [], []
        for x in range(width):
            ch, fg, bg = line[x] if x < len(line) else (" ", (0, 0, 0), (0, 0, 0))
            up, down = (fg, bg) if ch == "\u2580" else (bg, bg)
            top += list(up) * scale
            bottom += list(down) * scale
        rows += [top] * scale + [bottom] * scale
    open(dst, "wb").write(png(width * scale, len(rows), rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 4)

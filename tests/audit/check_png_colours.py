"""Checks a screenshot: it is not blank, and it shows each named colour.

    check_png_colours.py SHOT.png NAME=#RRGGBB[:MIN_PIXELS] ...

A colour is shown when at least MIN_PIXELS pixels (100 unless told) are
within a few levels of it in each of red, green and blue. The PNG is decoded
here with zlib, from the standard library only: 8-bit greyscale, RGB or RGBA
(with or without alpha), not interlaced, as Chromium writes them.
"""
import struct
import sys
import zlib

TOLERANCE = 8  # per channel, out of 255: anti-aliasing aside, fills are exact
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type: samples per pixel


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def chunks(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG file")
    at = 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        yield kind, data[at + 8:at + 8 + length]
        at += 12 + length


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(raw, width, height, bpp):
    """The scanlines without their filters, as one bytearray."""
    stride = width * bpp
    out = bytearray()
    previous = bytearray(stride)
    at = 0
    for _ in range(height):
        kind = raw[at]
        line = bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((x + y) & 0xFF for x, y in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                corner = previous[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + paeth(left, previous[i], corner)) & 0xFF
        elif kind != 0:
            fail(f"unknown PNG filter type {kind}")
        out += line
        previous = line
    return out


def pixels(path):
    """Width, height and the RGB triples of the image, row by row."""
    with open(path, "rb") as file:
        data = file.read()
    header = None
    compressed = bytearray()
    for kind, body in chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
    if header is None:
        fail("the PNG has no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in CHANNELS or interlace != 0:
        fail(f"unsupported PNG: bit depth {depth}, colour type {colour_type}, "
             f"interlace {interlace}")
    bpp = CHANNELS[colour_type]
    image = unfilter(zlib.decompress(bytes(compressed)), width, height, bpp)
    if bpp < 3:
        rgb = [(g, g, g) for g in image[::bpp]]
    else:
        rgb = list(zip(image[0::bpp], image[1::bpp], image[2::bpp]))
    return width, height, rgb


def parse_expectation(argument):
    name, _, spec = argument.partition("=")
    colour, _, minimum = spec.partition(":")
    if not name or len(colour) != 7 or colour[0] != "#":
        fail(f"expected NAME=#RRGGBB[:MIN_PIXELS], not {argument!r}")
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return name, colour, rgb, int(minimum) if minimum else 100


def main(path, expectations):
    width, height, rgb = pixels(path)
    histogram = {}
    for pixel in rgb:
        histogram[pixel] = histogram.get(pixel, 0) + 1
    background, most = max(histogram.items(), key=lambda item: item[1])
    drawn = len(rgb) - most
    print(f"{path}: {width}x{height}, {len(histogram)} colours, {drawn} pixels "
          f"differ from the background {background}")
    if len(histogram) < 16 or drawn < len(rgb) // 50:
        fail("the screenshot is blank, or nearly")
    failures = []
    for name, colour, target, minimum in map(parse_expectation, expectations):
        close = sum(count for pixel, count in histogram.items()
                    if all(abs(p - t) <= TOLERANCE for p, t in zip(pixel, target)))
        print(f"  {name} {colour}: {close} pixels (at least {minimum} wanted)")
        if close < minimum:
            failures.append(f"{name} ({colour}) covers {close} pixels, fewer than {minimum}")
    if failures:
        fail("; ".join(failures))
    print("PASS")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        fail("usage: check_png_colours.py SHOT.png NAME=#RRGGBB[:MIN_PIXELS] ...")
    main(sys.argv[1], sys.argv[2:])

"""One QR module for every printed code (merchant posters, liaison stations)."""

import io

from PIL import Image, ImageDraw

from shangquan.core.qr import pdf_modules, png_modules, qr_matrix, svg_modules


def _dark_count(matrix):
    return sum(sum(row) for row in matrix)


def test_matrix_is_square_with_a_quiet_zone_and_grows_with_the_data():
    small, large = qr_matrix("https://x.cn/m/a/"), qr_matrix("https://x.cn/m/" + "a" * 200)
    assert len(small) == len(small[0]) and len(large) > len(small)
    assert not any(small[0]) and not any(row[0] for row in small)  # 2-module border


def test_svg_png_and_pdf_draw_exactly_the_dark_modules():
    matrix = qr_matrix("https://x.cn/s/token/")
    svg = svg_modules(matrix, left=5, top=7, cell=3)
    assert svg.count("<rect ") == _dark_count(matrix)
    first_y, first_x = next((y, x) for y, row in enumerate(matrix)
                            for x, dark in enumerate(row) if dark)
    assert svg.startswith(f'<rect x="{5 + first_x * 3}" y="{7 + first_y * 3}" ')

    cell = 4
    image = Image.new("1", (len(matrix) * cell, len(matrix) * cell), 1)
    png_modules(ImageDraw.Draw(image), matrix, left=0, top=0, cell=cell, fill=0)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            # Every pixel of a module has the module's colour (no gaps, no bleed).
            assert image.getpixel((x * cell, y * cell)) == (0 if dark else 1)
            assert image.getpixel((x * cell + cell - 1, y * cell + cell - 1)) == (0 if dark else 1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert Image.open(io.BytesIO(out.getvalue())).format == "PNG"

    class Canvas:
        def __init__(self):
            self.rects = []

        def rect(self, *args, **kwargs):
            self.rects.append(args)

    canvas = Canvas()
    pdf_modules(canvas, matrix, left=10, top=100, cell=2)
    assert len(canvas.rects) == _dark_count(matrix)
    # reportlab's y axis points up: the first module's lower edge is one cell below the top.
    assert canvas.rects[0] == (10 + first_x * 2, 100 - (first_y + 1) * 2, 2, 2)

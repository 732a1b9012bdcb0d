import io
import re

import pytest
from PIL import Image

from shangquan.core.roles import Role
from shangquan.merchants.poster import poster_pdf, poster_png, poster_svg, poster_url, qr_matrix

from .factories import merchant_factory

pytestmark = pytest.mark.django_db


def test_qr_points_at_public_page_without_internal_id(north):
    merchant = merchant_factory(north.district, name="凌河烤冷面", stall_no="A-07")
    url = poster_url(merchant)
    assert url == f"http://127.0.0.1:8000/m/{merchant.public_token}/"  # outside a request
    assert f"/{merchant.pk}/" not in url
    matrix = qr_matrix(url)
    svg = poster_svg(merchant).decode()
    assert "凌河烤冷面" in svg and "A-07" in svg
    # The SVG's modules are exactly the QR code of that URL.
    assert svg.count("<rect x=") == sum(sum(row) for row in matrix)
    image = Image.open(io.BytesIO(poster_png(merchant)))
    assert image.format == "PNG" and image.width >= 1000
    pdf = poster_pdf([merchant, merchant])
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf  # the Chinese font embedded
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2  # one page per merchant


def test_poster_pages_and_permissions(client, north, south):
    merchant = merchant_factory(north.district)
    code = north.district.code
    client.force_login(north.people[Role.GRID_LEADER])
    for fmt, ctype in (("png", "image/png"), ("svg", "image/svg+xml"),
                       ("pdf", "application/pdf")):
        response = client.get(f"/console/{code}/merchants/{merchant.pk}/poster.{fmt}")
        assert response.status_code == 200 and response["Content-Type"] == ctype
    assert client.get(f"/console/{code}/merchants/{merchant.pk}/poster.exe").status_code == 404
    batch = client.get(f"/console/{code}/merchants/posters.pdf")
    assert batch.status_code == 200 and batch.content.startswith(b"%PDF")
    client.force_login(north.people[Role.RESIDENT])
    assert client.get(f"/console/{code}/merchants/{merchant.pk}/poster.png").status_code == 403
    client.force_login(south.people[Role.COMMITTEE])
    assert client.get(f"/console/{code}/merchants/{merchant.pk}/poster.png").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_poster_printed_under_another_host_decodes_and_opens(client, north, live_server,
                                                             settings):
    """No SITE_URL: the printed code carries the host the poster was printed from."""
    import urllib.request
    from urllib.parse import urlparse

    import zxingcpp

    settings.SITE_URL = ""
    merchant = merchant_factory(north.district, name="凌河扫码面馆", stall_no="C-09")
    client.force_login(north.people[Role.COMMITTEE])
    netloc = urlparse(live_server.url).netloc  # localhost:<a random port>, not :8000
    assert not netloc.endswith(":8000")
    response = client.get(f"/console/{north.district.code}/merchants/{merchant.pk}/poster.png",
                          HTTP_HOST=netloc)
    assert response.status_code == 200
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))]
    assert decoded == [f"http://{netloc}/m/{merchant.public_token}/"]
    with urllib.request.urlopen(decoded[0], timeout=10) as page:
        assert page.status == 200 and "凌河扫码面馆" in page.read().decode()
    # Another install's public name wins once it is configured.
    settings.SITE_URL = "https://sq.example.cn"
    again = client.get(f"/console/{north.district.code}/merchants/{merchant.pk}/poster.png",
                       HTTP_HOST=netloc)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(again.content)))] == [
        f"https://sq.example.cn/m/{merchant.public_token}/"]

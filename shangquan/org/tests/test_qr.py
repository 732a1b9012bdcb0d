"""The station's printable code is core's QR of its token URL (shangquan.core.qr)."""

import pytest

from shangquan.core.qr import qr_matrix
from shangquan.core.roles import Role
from shangquan.org.qr import station_qr_svg, station_url

from .factories import station_factory

pytestmark = pytest.mark.django_db


def test_station_code_is_the_core_qr_of_its_token_url(north, client, settings):
    settings.SITE_URL = "https://sq.example.cn"  # else a page's code uses the request's host
    station = station_factory(north.district, name="红色<驿站>")
    url = station_url(station)
    assert url == f"https://sq.example.cn/s/{station.token}/" and f"/{station.pk}/" not in url
    svg = station_qr_svg(station).decode()
    assert svg.count('<rect x="') == sum(sum(row) for row in qr_matrix(url))
    assert "红色&lt;驿站&gt;" in svg  # the name is escaped
    client.force_login(north.people[Role.COMMITTEE])
    response = client.get(f"/console/{north.district.code}/org/stations/{station.pk}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content == station_qr_svg(station)

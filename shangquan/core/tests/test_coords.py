"""WGS-84 stored, GCJ-02 for the 高德 tiles only: both ways, in Python and in the browser's
script, held to a published reference point (coordtransform's README: WGS-84 (39.915,
116.404) → GCJ-02 (39.91640428150164, 116.41024449916938))."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shangquan.core.coords import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

REFERENCE = ((39.915, 116.404), (39.91640428150164, 116.41024449916938))
POINTS = [(39.915, 116.404), (41.1192, 121.1477), (31.2397, 121.4998), (22.5431, 114.0579)]
JS = Path(__file__).resolve().parents[2] / "static" / "js" / "coords.js"


def test_wgs84_to_gcj02_matches_the_reference_point():
    (lat, lon), (glat, glon) = REFERENCE
    assert wgs84_to_gcj02(lat, lon) == pytest.approx((glat, glon), abs=1e-12)


@pytest.mark.parametrize("point", POINTS)
def test_gcj02_to_wgs84_inverts_to_under_a_centimetre(point):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
    assert back == pytest.approx(point, abs=1e-7)  # 1e-7° ≈ 1 cm
    assert wgs84_to_gcj02(*point) != pytest.approx(point, abs=1e-4)  # a real offset (~500 m)


def test_outside_china_nothing_moves():
    assert out_of_china(48.8566, 2.3522)
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)
    assert gcj02_to_wgs84(48.8566, 2.3522) == (48.8566, 2.3522)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed for the browser script")
def test_the_browser_script_gives_the_same_answers_both_ways():
    script = (f"const C = require({json.dumps(str(JS))});"
              f"const pts = {json.dumps(POINTS)};"
              "console.log(JSON.stringify(pts.map(p => [C.wgs84ToGcj02(p[0], p[1]),"
              " C.gcj02ToWgs84(...C.wgs84ToGcj02(p[0], p[1]))])));")
    out = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                    check=True).stdout)
    assert out[0][0] == pytest.approx(REFERENCE[1], abs=1e-12)
    for point, (gcj, back) in zip(POINTS, out, strict=True):
        assert gcj == pytest.approx(wgs84_to_gcj02(*point), abs=1e-12)
        assert back == pytest.approx(point, abs=1e-7)


@pytest.mark.django_db
def test_the_report_map_loads_the_converter_before_its_pin_script(client, north):
    page = client.get(f"/d/{north.district.code}/report/").content.decode()
    assert page.index("js/coords.js") < page.index("workorders/report.js")

"""Issue 11 leftover: Open311 intake (person keys and kiosk devices) is rate-limited like
the other intake paths (REPORT_RATE), and the refusal is in GeoReport v2's error format."""

from __future__ import annotations

import pytest

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.core.tests.factories import token_for
from shangquan.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"


def _post(client, key: str, n: int, address: str = "198.51.100.20"):
    return client.post(f"{V2}/requests.json", {
        "api_key": key, "jurisdiction_id": "NORTH", "service_code": "noise",
        "address_string": "东门广场", "description": f"广场舞音响太吵 第{n}次"},
        REMOTE_ADDR=address)


def test_a_burst_from_one_person_key_is_refused_before_anything_is_written(
        north, client, settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "REPORT_RATE": (3, 600)}
    key = token_for(north.people[Role.RESIDENT])
    before = WorkOrder.objects.count()
    codes = [_post(client, key, n).status_code for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert WorkOrder.objects.count() == before + 3
    refused = _post(client, key, 9)
    assert refused.json()[0]["code"] == 429  # [{code, description}], as the spec says


def test_a_kiosk_device_is_one_client_and_others_are_unaffected(north, client, settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "REPORT_RATE": (2, 600)}
    _one, kiosk = core_services.device_create(actor=SYSTEM, district=north.district,
                                              name="自助终端甲", kind="kiosk")
    _two, other = core_services.device_create(actor=SYSTEM, district=north.district,
                                              name="自助终端乙", kind="kiosk")
    # The kiosk changes address (DHCP): still one client.
    codes = [_post(client, kiosk, n, address=f"10.9.0.{n}").status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert _post(client, other, 1).status_code == 201  # another kiosk still reports

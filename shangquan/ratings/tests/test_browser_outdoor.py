"""The grid leader's daily outdoor-display check on a phone, offline: the check waits in
localStorage (photo shrunk) and is sent once the phone is back online — once, however
often it is sent (client key) — like the inspection page."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from shangquan.core.roles import Role
from shangquan.ratings import services
from shangquan.ratings.models import OutdoorCheck

from .factories import shops

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "sq-outdoor-queue"


def _jpeg(tmp_path) -> str:
    path = tmp_path / "outdoor.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 140, 60)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def _fill(page, scores: dict[str, int]) -> None:
    for code, value in scores.items():
        page.fill(f"#i-{code}", str(value))


def test_the_daily_check_works_offline_and_is_sent_once_back_online(
        live_server, phone_page, north, login_page, assert_accessible, tmp_path):
    committee = north.people[Role.COMMITTEE]
    shop, tidy = shops(north, 2)  # the grid's leader is the persona's grid leader
    for merchant in (shop, tidy):
        services.outdoor_zone_save(actor=committee, merchant=merchant, area_m2="6")
    page = phone_page
    login_page(page, live_server, north.people[Role.GRID_LEADER])
    code = north.district.code
    page.goto(f"{live_server.url}/console/{code}/ratings/outdoor/")
    assert_accessible(page)
    page.get_by_role("link", name=f"检查 {shop.name}").click()
    page.wait_for_selector("#outdoor-form")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The connection drops in the street.
    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    _fill(page, {"area": 4, "passage": 5, "tidy": 6, "hours": 7})
    # below the threshold with no photo: refused on the phone, nothing queued
    page.get_by_role("button", name="提交检查").click()
    page.wait_for_selector("#outdoor-status:has-text('须拍照')")
    assert page.evaluate(f"localStorage.getItem('{QUEUE}')") in (None, "[]")
    page.set_input_files("#i-photo", _jpeg(tmp_path))
    page.fill("#i-note", "占用盲道")
    page.get_by_role("button", name="提交检查").click()
    page.wait_for_selector("#outdoor-status:has-text('联网后自动上传')")
    queue = json.loads(page.evaluate(f"localStorage.getItem('{QUEUE}')"))
    assert len(queue) == 1 and queue[0]["fields"]["note"] == "占用盲道"
    assert queue[0]["photo"].startswith("data:image/jpeg")  # shrunk in the browser
    assert queue[0]["fields"]["client_key"]
    assert not OutdoorCheck.objects.exists()
    # the same check queued twice (a double tap, a retry): still one check on the server
    page.evaluate(f"""() => {{ const q = JSON.parse(localStorage.getItem('{QUEUE}'));
                         q.push(q[0]); localStorage.setItem('{QUEUE}', JSON.stringify(q)); }}""")

    page.context.set_offline(False)
    page.wait_for_selector("#outdoor-status:has-text('离线检查已上传')", timeout=30000)
    page.wait_for_function(f"(localStorage.getItem('{QUEUE}') || '[]') === '[]'",
                           timeout=30000)
    check = OutdoorCheck.objects.get()
    assert check.merchant_id == shop.pk and not check.passed
    assert check.checker_id == north.people[Role.GRID_LEADER].pk
    assert check.items == {"area": 4, "passage": 5, "tidy": 6, "hours": 7}
    assert check.note == "占用盲道" and check.photo
    with Image.open(check.photo) as image:
        assert max(image.size) <= 1280  # the phone's shrunk copy, not the 1600 px original
    assert check.client_key == queue[0]["fields"]["client_key"]

    # online, the next shop's check is an ordinary form post
    page.goto(f"{live_server.url}/console/{code}/ratings/outdoor/{tidy.pk}/")
    _fill(page, {"area": 10, "passage": 9, "tidy": 9, "hours": 10})
    page.get_by_role("button", name="提交检查").click()
    page.wait_for_url(f"**/console/{code}/ratings/outdoor/")
    assert OutdoorCheck.objects.filter(merchant=tidy, passed=True).count() == 1
    assert_accessible(page)

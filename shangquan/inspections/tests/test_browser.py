"""Phone-sized pages: a committee plans the Spring Festival campaign; a joint team
inspects on a flaky connection and signs; the merchant answers; axe on every page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from shangquan.core.roles import Role
from shangquan.inspections import services
from shangquan.inspections.models import Campaign, ChecklistTemplate, Inspection, Rectification

from .factories import grid_factory, merchant_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(tmp_path, name="hazard.jpg"):
    path = tmp_path / name
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 60, 40)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_committee_plans_spring_festival_campaign(live_server, phone_page, north, login_page,
                                                  assert_accessible):
    services.checklist_seed(district=north.district)
    grid = grid_factory(north.district, name="美食街十邻铺")
    for n in range(3):
        merchant_factory(north.district, grid=grid, category="小吃", name=f"烧烤摊{n}")
    page = phone_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    base = f"{live_server.url}/console/{north.district.code}/inspections"
    page.goto(base + "/campaigns/")
    assert_accessible(page)
    today = timezone.localdate()
    page.fill("#c-name", "2026年春节“三节三清三式”专项行动")
    page.fill("#c-holiday", "春节")
    page.fill("#c-prep", today.isoformat())
    page.fill("#c-start", (today + timedelta(days=7)).isoformat())
    page.fill("#c-end", (today + timedelta(days=14)).isoformat())
    page.fill("#c-review", (today + timedelta(days=24)).isoformat())
    page.get_by_label("美食街十邻铺").check()
    page.get_by_label("燃气安全").check()
    page.get_by_label("消防安全").check()
    page.get_by_role("button", name="创建").click()
    page.wait_for_url("**/campaigns/*/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("summary", has_text="组建联合检查组").click()
    page.fill("#t-name", "第一联合检查组")
    page.get_by_label("市场监管").check()
    page.get_by_label("城管执法").check()
    page.get_by_label(north.people[Role.DEPARTMENT].username).check()
    page.get_by_role("button", name="组建", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="生成节前集中检查").click()
    page.wait_for_load_state("networkidle")
    assert "已安排 1 场集中检查" in page.content()
    assert_accessible(page)
    campaign = Campaign.objects.get(district=north.district)
    assert campaign.status == "planned"
    parent = Inspection.objects.get(campaign=campaign, parent__isnull=True)
    assert parent.children.count() == 3 and parent.team.name == "第一联合检查组"


def test_team_inspects_on_a_phone_offline_signs_and_merchant_answers(
        live_server, phone_page, north, login_page, assert_accessible, tmp_path):
    services.checklist_seed(district=north.district)
    shop = merchant_factory(north.district, owner=north.people[Role.MERCHANT], name="老王烧烤")
    gas = ChecklistTemplate.objects.get(district=north.district, code="gas")
    inspection = services.inspection_plan(actor=north.people[Role.COMMITTEE],
                                          district=north.district, templates=[gas],
                                          merchant=shop, planned_for=timezone.localdate())
    items = list(inspection.versions.get().items.all())
    page = phone_page
    login_page(page, live_server, north.people[Role.DEPARTMENT])
    page.goto(f"{live_server.url}/console/{north.district.code}/inspections/{inspection.pk}/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    def tick(item, value):
        page.locator(f'input[name="item-{item.pk}"][value="{value}"]').check()

    for item in items[:4]:
        tick(item, "pass")
    for item in items[:4]:
        page.wait_for_selector(f'.insp-item[data-item="{item.pk}"][data-sync="saved"]')
    # The connection drops: answers and a photo wait on the phone, then go through.
    page.context.set_offline(True)
    bad = next(i for i in items if i.code == "gas-05")
    for item in items[4:]:
        tick(item, "fail" if item is bad else "pass")
    page.fill(f"#note-{bad.pk}", "钢瓶放在灶台旁")
    # The note is on the phone at once, not after a typing pause: a connection that
    # came back within that pause once reported "all saved" and lost the note.
    assert "钢瓶放在灶台旁" in page.evaluate(f"localStorage['sq-insp-{inspection.pk}']")
    page.set_input_files(f"#photo-{bad.pk}", jpeg(tmp_path))
    page.wait_for_selector("#sync-status:has-text('待发送')")
    assert page.evaluate(f"Object.keys(JSON.parse(localStorage['sq-insp-{inspection.pk}']))"
                         ".length") >= 1
    assert inspection.answers.count() == 4
    page.context.set_offline(False)
    page.wait_for_selector("#sync-status:has-text('全部已保存')", timeout=45000)
    assert inspection.answers.count() == len(items)
    assert inspection.answers.get(item=bad).photos.count() == 1
    assert inspection.answers.get(item=bad).note == "钢瓶放在灶台旁"

    # Sign on the canvas and complete.
    page.locator("#sig-canvas").scroll_into_view_if_needed()
    box = page.locator("#sig-canvas").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 70, steps=8)
    page.mouse.move(box["x"] + 200, box["y"] + 30, steps=8)
    page.mouse.up()
    page.fill("#signed-name", "王检查")
    page.get_by_role("button", name="完成检查并签名").click()
    page.wait_for_load_state("networkidle")
    assert "检查已完成" in page.content()
    assert_accessible(page)
    inspection.refresh_from_db()
    assert inspection.status == "completed" and inspection.signature.name.endswith(".png")
    order = Rectification.objects.get(merchant=shop)
    assert order.severity == "serious"

    # The merchant sees the order on a phone and sends evidence back.
    page.context.clear_cookies()
    login_page(page, live_server, north.people[Role.MERCHANT])
    page.goto(f"{live_server.url}/console/{north.district.code}/inspections/rectifications/")
    assert_accessible(page)
    page.get_by_role("link", name=order.title).click()
    assert_accessible(page)
    page.fill("#e-note", "钢瓶已移至独立气瓶间，距灶具 1 米以上")
    page.set_input_files("#e-photos", jpeg(tmp_path, "fixed.jpg"))
    page.get_by_role("button", name="提交验收").click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "submitted"

"""Console pages render for the right people and drive the same services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shangquan.core.roles import Role
from shangquan.inspections import services
from shangquan.inspections.models import ChecklistTemplate, Inspection, Rectification

from .factories import grid_factory, merchant_factory, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(north):
    services.checklist_seed(district=north.district)
    grid = grid_factory(north.district)
    shop = merchant_factory(north.district, owner=north.people[Role.MERCHANT], grid=grid)
    template = ChecklistTemplate.objects.get(district=north.district, code="fire")
    inspection = services.inspection_plan(actor=north.people[Role.COMMITTEE],
                                          district=north.district, templates=[template],
                                          merchant=shop, planned_for=timezone.localdate())
    return shop, template, inspection


def url(name, north, **kw):
    return reverse(f"inspections:{name}", kwargs={"code": north.district.code, **kw})


def test_pages_render_for_staff(client, north, world):
    shop, template, inspection = world
    today = timezone.localdate()
    campaign = services.campaign_create(actor=north.people[Role.COMMITTEE],
                                        district=north.district, name="春节", holiday="春节",
                                        prep_start=today, start=today + timedelta(days=2),
                                        end=today + timedelta(days=4),
                                        review_end=today + timedelta(days=9),
                                        templates=[template])
    client.force_login(north.people[Role.COMMITTEE])
    for page in [url("list", north), url("plan", north), url("templates", north),
                 url("template", north, template_id=template.pk), url("risk", north),
                 url("rectifications", north), url("campaigns", north),
                 url("campaign", north, campaign_id=campaign.pk),
                 url("detail", north, inspection_id=inspection.pk),
                 url("merchant_history", north, merchant_id=shop.pk)]:
        response = client.get(page)
        assert response.status_code == 200, page
    pdf = client.get(url("campaign_report", north, campaign_id=campaign.pk, fmt="pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    home = client.get(reverse("core:console_district", kwargs={"code": north.district.code}))
    assert "待整改隐患" in home.content.decode()


def test_sheet_posts_without_javascript_and_signs_off(client, north, world):
    _shop, _template, inspection = world
    client.force_login(north.people[Role.DEPARTMENT])
    items = list(inspection.versions.get().items.all())
    data = {f"item-{i.pk}": "pass" for i in items}
    fail = next(i for i in items if i.code == "fire-02")
    data[f"item-{fail.pk}"] = "fail"
    data[f"note-{fail.pk}"] = "后门通道堆放纸箱"
    data[f"photo-{fail.pk}"] = photo()
    r = client.post(url("detail", north, inspection_id=inspection.pk), data)
    assert r.status_code == 302
    r = client.post(url("detail", north, inspection_id=inspection.pk),
                    {"action": "complete", "signed_name": "李检查"})
    assert r.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "completed" and inspection.result == "serious"
    order = Rectification.objects.get(merchant=inspection.merchant)
    # the merchant answers on the page
    client.force_login(north.people[Role.MERCHANT])
    page = client.get(url("rectification", north, rectification_id=order.pk))
    assert "提交整改材料" in page.content.decode()
    r = client.post(url("rectification", north, rectification_id=order.pk),
                    {"action": "evidence", "note": "纸箱已清走", "photos": [photo()]})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == "submitted"


def test_merchant_cannot_open_inspector_pages_of_others(client, north, world):
    _shop, _template, inspection = world
    other = merchant_factory(north.district)
    client.force_login(north.people[Role.MERCHANT])
    assert client.get(url("merchant_history", north, merchant_id=other.pk)).status_code == 404
    assert client.get(url("detail", north, inspection_id=inspection.pk)).status_code == 404
    assert client.get(url("plan", north)).status_code == 403
    assert Inspection.objects.count() == 1


def test_foreign_district_is_not_found(client, north, south, world):
    client.force_login(south.people[Role.COMMITTEE])
    assert client.get(url("list", north)).status_code == 404


def test_public_page_shows_latest_outcome_without_people(client, north, world,
                                                        django_capture_on_commit_callbacks):
    shop, _template, inspection = world
    public = reverse("merchants:public_page", kwargs={"token": shop.public_token})
    assert "暂无检查记录" in client.get(public).content.decode()  # now cached
    inspector = north.people[Role.DEPARTMENT]
    with django_capture_on_commit_callbacks(execute=True):
        for item in inspection.versions.get().items.all():
            services.answer_save(actor=inspector, district=north.district,
                                 inspection=inspection, item_id=item.pk,
                                 value="fail" if item.code == "fire-07" else "pass")
        services.inspection_complete(actor=inspector, district=north.district,
                                     inspection=inspection, signed_name="赵检查员")
    html = client.get(public).content.decode()
    assert "最近一次检查" in html and "发现隐患" in html and "尚有 1 处隐患正在整改" in html
    assert "赵检查员" not in html and inspector.username not in html


def test_committee_sets_deadlines_and_plans_a_follow_up(client, north, world):
    shop, _template, _inspection = world
    client.force_login(north.people[Role.COMMITTEE])
    r = client.post(url("templates", north), {"action": "rules", "general_days": "10",
                                               "major_days": "4", "serious_days": "2",
                                               "repeat_window_days": "60"})
    assert r.status_code == 302
    order = services.rectification_issue(actor=north.people[Role.COMMITTEE],
                                         district=north.district, merchant=shop,
                                         title="门前乱堆放", severity="general", source="patrol")
    assert (order.deadline - order.issued_at).days == 10
    page = client.get(url("rectification", north, rectification_id=order.pk)).content.decode()
    assert "安排复查" in page
    template = ChecklistTemplate.objects.get(district=north.district, code="storefront")
    r = client.post(url("plan", north), {"target": "merchant", "merchant": shop.pk,
                                          "templates": [template.pk], "kind": "follow_up",
                                          "planned_for": timezone.localdate().isoformat(),
                                          "follow_up_of": order.pk})
    assert r.status_code == 302
    assert Inspection.objects.get(follow_up_of=order).kind == "follow_up"


def test_merchant_menu_leads_to_own_history(client, north, world):
    shop, _template, _inspection = world
    client.force_login(north.people[Role.MERCHANT])
    r = client.get(url("mine", north))
    assert r.status_code == 302 and r["Location"].endswith(f"/merchants/{shop.pk}/")
    assert client.get(r["Location"]).status_code == 200

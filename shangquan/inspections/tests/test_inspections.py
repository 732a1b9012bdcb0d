"""Checklists, inspections (idempotent answers, photos, sign-off), findings, repeats."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from shangquan.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog, Notification
from shangquan.core.roles import Role
from shangquan.inspections import selectors, services
from shangquan.inspections.models import (
    Answer,
    ChecklistTemplate,
    Finding,
    Inspection,
    Rectification,
)

from .factories import grid_factory, merchant_factory, photo

pytestmark = pytest.mark.django_db


def signature_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (300, 120), (255, 255, 255, 0)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def gas(north):
    services.checklist_seed(district=north.district)
    return ChecklistTemplate.objects.get(district=north.district, code="gas")


@pytest.fixture
def shop(north):
    return merchant_factory(north.district, owner=north.people[Role.MERCHANT])


def plan(north, gas, shop, **kw):
    return services.inspection_plan(actor=north.people[Role.COMMITTEE], district=north.district,
                                    templates=[gas], merchant=shop,
                                    planned_for=timezone.localdate(), **kw)


def tick_all(north, inspection, fails=(), value="pass"):
    inspector = north.people[Role.DEPARTMENT]
    items = [i for s in selectors.inspection_sheet(inspection) for i in s["items"]]
    for row in items:
        item = row["item"]
        v = "fail" if item.code in fails else value
        services.answer_save(actor=inspector, district=north.district, inspection=inspection,
                             item_id=item.pk, value=v, note="现场检查" if v == "fail" else "")
        if v == "fail" and item.photo_required:
            services.answer_photo_add(actor=inspector, district=north.district,
                                      inspection=inspection, item_id=item.pk, upload=photo(),
                                      client_key=f"k-{item.pk}")
    return items


def test_seed_creates_seven_versioned_templates_with_legal_bases(north):
    services.checklist_seed(district=north.district)
    services.checklist_seed(district=north.district)  # idempotent
    names = set(ChecklistTemplate.objects.filter(district=north.district)
                .values_list("name", flat=True))
    assert names == {"燃气安全", "用电安全", "食品安全", "消防安全", "游乐设施", "装修施工", "门前三包"}
    fire = ChecklistTemplate.objects.get(district=north.district, code="fire")
    items = list(fire.versions.get().items.all())
    assert all(i.legal_basis for i in items)
    assert {i.severity for i in items} == {"general", "major", "serious"}


def test_old_inspection_keeps_its_checklist_version(north, gas, shop):
    old = plan(north, gas, shop)
    v1 = old.versions.get()
    items = [{"code": i.code, "text": i.text, "severity": i.severity,
              "legal_basis": i.legal_basis, "photo_required": i.photo_required}
             for i in v1.items.all()][:3]
    services.checklist_version_publish(actor=north.people[Role.DEPARTMENT],
                                       district=north.district, template=gas, items=items,
                                       note="精简")
    new = plan(north, gas, shop)
    assert new.versions.get().number == 2
    assert old.versions.get() == v1 and v1.items.count() == 8


def test_answers_are_idempotent_and_older_retries_lose(north, gas, shop):
    inspection = plan(north, gas, shop)
    item = inspection.versions.get().items.first()
    inspector = north.people[Role.DEPARTMENT]
    t1 = timezone.now() - timedelta(minutes=2)
    t2 = timezone.now() - timedelta(minutes=1)
    args = {"actor": inspector, "district": north.district, "inspection": inspection,
            "item_id": item.pk}
    services.answer_save(**args, value="fail", note="钢瓶超期", client_time=t2)
    services.answer_save(**args, value="fail", note="钢瓶超期", client_time=t2)  # retry
    services.answer_save(**args, value="pass", client_time=t1)  # a late, older retry
    answer = Answer.objects.get(inspection=inspection, item=item)
    assert (answer.value, answer.note) == ("fail", "钢瓶超期")
    assert Answer.objects.filter(inspection=inspection).count() == 1
    assert AuditLog.objects.filter(action="inspections.inspection.answer").count() == 1
    first = services.answer_photo_add(**args, upload=photo(), client_key="abc")
    again = services.answer_photo_add(**args, upload=photo(), client_key="abc")
    assert first.pk == again.pk and answer.photos.count() == 1
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert inspector in inspection.inspectors.all()
    assert north.department in inspection.departments.all()


def test_only_departments_tick_items(north, gas, shop):
    inspection = plan(north, gas, shop)
    item = inspection.versions.get().items.first()
    for role in (Role.COMMITTEE, Role.MERCHANT, Role.GRID_LEADER):
        with pytest.raises(PermissionDenied):
            services.answer_save(actor=north.people[role], district=north.district,
                                 inspection=inspection, item_id=item.pk, value="pass")


def test_complete_requires_all_items_photos_and_signature(north, gas, shop):
    inspection = plan(north, gas, shop)
    inspector = north.people[Role.DEPARTMENT]
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_complete(actor=inspector, district=north.district,
                                     inspection=inspection, signed_name="张检查")
    assert exc.value.code == "items_unanswered"
    items = tick_all(north, inspection)
    gas01 = next(r["item"] for r in items if r["item"].code == "gas-01")
    services.answer_save(actor=inspector, district=north.district, inspection=inspection,
                         item_id=gas01.pk, value="fail", note="钢瓶超期未检")
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_complete(actor=inspector, district=north.district,
                                     inspection=inspection, signed_name="张检查")
    assert exc.value.code == "photo_required"
    services.answer_photo_add(actor=inspector, district=north.district, inspection=inspection,
                              item_id=gas01.pk, upload=photo())
    with pytest.raises(ValidationFailed):
        services.inspection_complete(actor=inspector, district=north.district,
                                     inspection=inspection, signed_name=" ")
    done = services.inspection_complete(actor=inspector, district=north.district,
                                        inspection=inspection, signed_name="张检查",
                                        signature_png=signature_png())
    assert done.status == "completed" and done.result == "serious"
    assert done.signature.name.endswith(".png")
    finding = Finding.objects.get(inspection=done)
    order = finding.rectification
    assert order.severity == "serious" and order.source == "inspection"
    assert order.source_ref == f"inspection:{done.pk}"
    assert "《特种设备安全法》" in order.description
    assert order.deadline - order.issued_at == timedelta(days=1)
    with pytest.raises(InvalidTransition):
        services.answer_save(actor=inspector, district=north.district, inspection=done,
                             item_id=gas01.pk, value="pass")
    outcome = selectors.merchant_latest_outcome(shop)
    assert outcome["result"] == "serious" and outcome["open_findings"] == 1


def test_signature_must_be_a_png(north, gas, shop):
    inspection = plan(north, gas, shop)
    tick_all(north, inspection)
    with pytest.raises(ValidationFailed) as exc:
        services.inspection_complete(actor=north.people[Role.DEPARTMENT],
                                     district=north.district, inspection=inspection,
                                     signed_name="张检查", signature_png=b"<svg></svg>")
    assert exc.value.code == "signature_invalid"


def test_repeated_finding_warns_within_window(north, gas, shop):
    inspector = north.people[Role.DEPARTMENT]
    for _n in range(2):
        inspection = plan(north, gas, shop)
        tick_all(north, inspection, fails={"gas-06"})
        services.inspection_complete(actor=inspector, district=north.district,
                                     inspection=inspection, signed_name="张检查")
    first, second = Finding.objects.filter(merchant=shop).order_by("created_at")
    assert first.repeat_of is None and second.repeat_of == first
    assert Notification.objects.filter(user=north.people[Role.COMMITTEE],
                                       title__startswith="重复隐患预警").exists()
    warnings = selectors.repeat_warnings(user=north.people[Role.COMMITTEE],
                                         district=north.district)
    assert warnings == [second]
    register = selectors.risk_register(user=north.people[Role.COMMITTEE],
                                       district=north.district)
    row = next(r for r in register if r["grid_id"] == shop.grid_id)
    assert row["open"] == 2 and row["repeated"] == 1 and row["level"] == "orange"


def test_serious_finding_from_inspection_stops_business(north, gas, shop):
    inspection = plan(north, gas, shop)
    tick_all(north, inspection, fails={"gas-03"})
    services.inspection_complete(actor=north.people[Role.DEPARTMENT], district=north.district,
                                 inspection=inspection, signed_name="张检查",
                                 stop_business=True)
    shop.refresh_from_db()
    assert shop.status == "suspended"
    order = Rectification.objects.get(merchant=shop)
    assert order.stop_business
    services.rectification_evidence_submit(actor=north.people[Role.MERCHANT],
                                           district=north.district, rectification=order,
                                           note="已安装报警器并联动切断阀", photos=[photo()])
    services.rectification_verify(actor=north.people[Role.DEPARTMENT], district=north.district,
                                  rectification=order, note="现场复核通过")
    shop.refresh_from_db()
    assert shop.status == "open"


def test_grid_inspection_has_one_child_per_shop_and_rolls_up(north, gas):
    grid = grid_factory(north.district)
    shops = [merchant_factory(north.district, grid=grid) for _ in range(2)]
    merchant_factory(north.district, grid=grid, status="deregistered")
    parent = services.inspection_plan(actor=north.people[Role.COMMITTEE],
                                      district=north.district, templates=[gas], grid=grid,
                                      planned_for=timezone.localdate())
    children = list(parent.children.all())
    assert {c.merchant_id for c in children} == {s.pk for s in shops}
    with pytest.raises(ValidationFailed):
        services.answer_save(actor=north.people[Role.DEPARTMENT], district=north.district,
                             inspection=parent, item_id=gas.versions.get().items.first().pk,
                             value="pass")
    for child in children:
        tick_all(north, child)
        services.inspection_complete(actor=north.people[Role.DEPARTMENT],
                                     district=north.district, inspection=child,
                                     signed_name="张检查")
    parent.refresh_from_db()
    assert (parent.status, parent.result) == ("completed", "passed")


def test_merchant_sees_only_own_history(north, gas, shop):
    other = merchant_factory(north.district)
    for target in (shop, other):
        inspection = plan(north, gas, target)
        tick_all(north, inspection)
        services.inspection_complete(actor=north.people[Role.DEPARTMENT],
                                     district=north.district, inspection=inspection,
                                     signed_name="张检查")
    owner = north.people[Role.MERCHANT]
    visible = selectors.inspection_list(user=owner, district=north.district)
    assert {i.merchant_id for i in visible} == {shop.pk}
    from shangquan.core.errors import NotFound
    with pytest.raises(NotFound):
        selectors.merchant_history(user=owner, district=north.district, merchant=other)
    assert Inspection.objects.count() == 2

"""Checklist templates and their versions (per-district rules: ``settings_schema``)."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, NotFound, ValidationFailed
from shangquan.core.models import District

from ..models import ChecklistItem, ChecklistTemplate, ChecklistVersion, Severity
from ..seeds import SEED_TEMPLATES, seed_items

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _clean_items(items: list[dict]) -> list[dict]:
    if not items:
        raise ValidationFailed(_("检查表至少要有一个条目"), code="items_required")
    seen: set[str] = set()
    out = []
    for n, raw in enumerate(items):
        code = str(raw.get("code") or f"item-{n + 1}").strip().lower()
        text = str(raw.get("text") or "").strip()
        severity = str(raw.get("severity") or Severity.GENERAL)
        if not _CODE.match(code) or code in seen:
            raise ValidationFailed(_("条目代码无效或重复"), code="invalid_item_code",
                                   details={"index": n, "code": code})
        if not text:
            raise ValidationFailed(_("请填写检查内容"), code="item_text_required",
                                   details={"index": n})
        if severity not in Severity.values:
            raise ValidationFailed(_("未知隐患等级"), code="unknown_severity",
                                   details={"index": n, "severity": severity})
        seen.add(code)
        out.append({"code": code, "text": text[:300], "severity": severity,
                    "legal_basis": str(raw.get("legal_basis") or "").strip()[:300],
                    "photo_required": bool(raw.get("photo_required"))})
    return out


def _publish(*, actor: Any, district: District, template: ChecklistTemplate, items: list[dict],
             note: str) -> ChecklistVersion:
    cleaned = _clean_items(items)
    # Lock the template so two editors cannot both publish version N.
    ChecklistTemplate.objects.select_for_update(of=("self",)).filter(pk=template.pk).first()
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ChecklistVersion.objects.create(district=district, template=template,
                                              number=number, note=note[:200],
                                              created_by=user_of(actor))
    ChecklistItem.objects.bulk_create([
        ChecklistItem(district=district, version=version, order=i, **item)
        for i, item in enumerate(cleaned)])
    audit_record(actor=actor, district=district, obj=version, action="inspections.checklist.publish",
                 after={"template": template.code, "number": number, "items": cleaned})
    return version


@audited("inspections.checklist.create")
@transaction.atomic
def checklist_template_create(*, actor: Any, district: District, code: str, name: str,
                              items: list[dict], description: str = "") -> ChecklistTemplate:
    """A new template with its first version."""
    policies.require(actor, "inspections.template_manage", district)
    code = (code or "").strip().lower()
    if not _CODE.match(code) or not (name or "").strip():
        raise ValidationFailed(_("请填写有效的代码和名称"), code="invalid_template")
    try:
        with transaction.atomic():
            template = ChecklistTemplate.objects.create(district=district, code=code,
                                                        name=name.strip()[:60],
                                                        description=description)
    except IntegrityError:
        raise Conflict(_("同名或同代码的检查表已存在"), code="template_exists") from None
    audit_record(actor=actor, district=district, obj=template, action="inspections.checklist.create",
                 after=snapshot(template))
    _publish(actor=actor, district=district, template=template, items=items,
             note=_("初版"))
    return template


@audited("inspections.checklist.publish")
@transaction.atomic
def checklist_version_publish(*, actor: Any, district: District, template: ChecklistTemplate,
                              items: list[dict], note: str = "") -> ChecklistVersion:
    """A revised edition; inspections already done keep the version they used."""
    policies.require(actor, "inspections.template_manage", district)
    if template.district_id != district.pk:
        raise NotFound()
    return _publish(actor=actor, district=district, template=template, items=items, note=note)


@audited("inspections.checklist.create")
@transaction.atomic
def checklist_seed(*, district: District) -> list[ChecklistTemplate]:
    """The seven standard checklists (idempotent: existing codes are left alone)."""
    existing = set(ChecklistTemplate.objects.filter(district=district)
                   .values_list("code", flat=True))
    created = []
    for code, name, description, items in SEED_TEMPLATES:
        if code in existing:
            continue
        created.append(checklist_template_create(actor=SYSTEM, district=district, code=code,
                                                 name=name, description=description,
                                                 items=seed_items(items)))
    return created

"""Import merchant lists the way street offices keep them (.xlsx or .csv).

Every row is checked and gets Chinese messages when something is wrong; good rows go
in, bad rows are listed and left out. A re-import updates by licence number instead of
duplicating. Work goes in chunks so a progress callback can report along the way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, snapshot
from shangquan.core.errors import ValidationFailed
from shangquan.core.models import AuditLog, District
from shangquan.core.pii import phone_normalize

from .licences import licence_check
from .models import Association, Grid, Merchant

CHUNK = 250
MAX_ROWS = 20000

# Column -> the headings people actually use for it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("商户名称", "店名", "名称", "字号名称", "name"),
    "licence_no": ("营业执照号", "统一社会信用代码", "信用代码", "注册号", "执照号", "licence_no"),
    "category": ("经营类别", "类别", "行业", "业态", "category"),
    "address": ("地址", "经营地址", "经营场所", "address"),
    "stall_no": ("摊位号", "铺位号", "门牌号", "stall_no"),
    "contact_name": ("经营者", "负责人", "经营者姓名", "联系人", "contact_name"),
    "phone": ("联系电话", "电话", "手机", "手机号", "phone"),
    "opening_hours": ("营业时间", "opening_hours"),
    "outdoor_area": ("外摆面积", "外摆面积（㎡）", "外摆面积(㎡)", "外摆面积(平方米)", "outdoor_area"),
    "association": ("商会协会", "所属商会", "商会", "协会", "association"),
    "latitude": ("纬度", "latitude", "lat"),
    "longitude": ("经度", "longitude", "lon", "lng"),
    "is_party_member": ("党员商户", "是否党员", "党员", "is_party_member"),
    "status": ("状态", "经营状态", "status"),
}
REQUIRED = ("name", "licence_no", "category")
STATUS_WORDS = {"营业": "open", "在营": "open", "正常": "open", "开业": "open", "open": "open",
                "停业": "suspended", "歇业": "suspended", "suspended": "suspended",
                "注销": "deregistered", "deregistered": "deregistered"}
YES = {"是", "党员", "y", "yes", "true", "1", "√"}
NO = {"否", "", "n", "no", "false", "0", "×"}


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "messages": [...]}

    @property
    def good(self) -> int:
        return self.created + self.updated + self.unchanged


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[list[Any]]]:
    """(headings, rows) from xlsx or csv bytes."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ValidationFailed(_("无法读取 Excel 文件，请另存为 .xlsx 后再试"),
                                   code="bad_file") from None
        rows = wb.worksheets[0].iter_rows(values_only=True)
        head = next(rows, None)
        if head is None:
            raise ValidationFailed(_("文件是空的"), code="empty_file")
        return [str(h or "").strip() for h in head], (list(r) for r in rows)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(_("无法识别文件编码，请保存为 UTF-8 或 GBK 的 CSV"),
                               code="bad_encoding")
    reader = csv.reader(io.StringIO(text))
    head = next(reader, None)
    if head is None:
        raise ValidationFailed(_("文件是空的"), code="empty_file")
    return [h.strip() for h in head], (list(r) for r in reader)


def map_columns(headings: list[str]) -> dict[str, int]:
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = lookup.get(heading.strip().lower())
        if key and key not in mapping:
            mapping[key] = index
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in mapping]
    if missing:
        raise ValidationFailed(_("缺少必填列：%(cols)s") % {"cols": "、".join(missing)},
                               code="missing_columns", details={"missing": missing})
    return mapping


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_row(values: list[Any], mapping: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    """One row -> (clean fields, Chinese error messages)."""
    raw = {key: _text(values[i]) if i < len(values) else "" for key, i in mapping.items()}
    errors: list[str] = []
    out: dict[str, Any] = {}
    for key in ("name", "category", "address", "stall_no", "contact_name", "opening_hours"):
        if key in raw:
            out[key] = raw[key]
    limits = {"name": 100, "category": 30, "address": 200, "stall_no": 30, "contact_name": 40,
              "opening_hours": 60}
    if not raw.get("name"):
        errors.append(_("商户名称为空"))
    if not raw.get("category"):
        errors.append(_("经营类别为空"))
    for key, limit in limits.items():
        if len(out.get(key, "")) > limit:
            errors.append(_("%(col)s超过 %(n)s 个字") % {"col": COLUMNS[key][0], "n": limit})
    licence, kind, error = licence_check(raw.get("licence_no", ""))
    out["licence_no"], out["licence_kind"] = licence, kind or "uscc"
    if error:
        errors.append(error)
    if raw.get("phone"):
        try:
            out["phone"] = phone_normalize(raw["phone"])
        except ValidationFailed:
            errors.append(_("联系电话“%(v)s”格式不正确") % {"v": raw["phone"][:20]})
    if raw.get("outdoor_area"):
        try:
            area = Decimal(raw["outdoor_area"].replace("㎡", "").replace("平方米", ""))
            if not 0 <= area <= 10000:
                raise InvalidOperation
            out["outdoor_area"] = area.quantize(Decimal("0.01"))
        except InvalidOperation:
            errors.append(_("外摆面积“%(v)s”应为 0–10000 的数字") % {"v": raw["outdoor_area"][:20]})
    for key, low, high, label in (("latitude", -90, 90, _("纬度")),
                                  ("longitude", -180, 180, _("经度"))):
        if raw.get(key):
            try:
                value = Decimal(raw[key]).quantize(Decimal("0.000001"))
                if not low <= value <= high:
                    raise InvalidOperation
                out[key] = value
            except InvalidOperation:
                errors.append(_("%(label)s“%(v)s”不正确") % {"label": label, "v": raw[key][:20]})
    if ("latitude" in out) != ("longitude" in out):
        errors.append(_("经纬度需同时填写"))
    if "is_party_member" in raw:
        flag = raw["is_party_member"].lower()
        if flag in YES:
            out["is_party_member"] = True
        elif flag in NO:
            out["is_party_member"] = False
        else:
            errors.append(_("党员商户应填“是”或“否”"))
    if raw.get("status"):
        status = STATUS_WORDS.get(raw["status"].lower())
        if status is None:
            errors.append(_("状态“%(v)s”应为营业、停业或注销") % {"v": raw["status"][:10]})
        else:
            out["status"] = status
    if raw.get("association"):
        out["association"] = raw["association"][:80]
    return out, errors


ProgressFn = Callable[[int, int], None]


def merchants_import(*, actor: Any, district: District, data: bytes, filename: str,
                     progress: ProgressFn | None = None) -> ImportReport:
    """Validate every row, then upsert the good ones by licence number, chunk by chunk."""
    if actor is not None:
        policies.require(actor, district, "merchant.import")
    headings, rows = read_table(data, filename)
    mapping = map_columns(headings)
    report = ImportReport()
    parsed: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):  # row 1 is the heading
        if not any(_text(v) for v in values):
            continue
        report.total += 1
        if report.total > MAX_ROWS:
            raise ValidationFailed(_("一次最多导入 %(n)s 行") % {"n": MAX_ROWS}, code="too_many_rows")
        fields, errors = parse_row(values, mapping)
        licence = fields.get("licence_no")
        if licence and not errors:
            if licence in first_row_of:
                errors.append(_("营业执照号与第 %(n)s 行重复") % {"n": first_row_of[licence]})
            else:
                first_row_of[licence] = number
        if errors:
            report.errors.append({"row": number, "name": fields.get("name", ""),
                                  "licence_no": licence or "", "messages": errors})
        else:
            parsed.append((number, fields))
    done = len(report.errors)
    if progress:
        progress(done, report.total)
    for start in range(0, len(parsed), CHUNK):
        chunk = parsed[start:start + CHUNK]
        _import_chunk(actor, district, chunk, report)
        done += len(chunk)
        if progress:
            progress(done, report.total)
    audit_record(actor=actor, district=district, action="merchant.import",
                 object_type="merchants.merchant", object_id="*",
                 after={"file": filename[:100], "total": report.total,
                        "created": report.created, "updated": report.updated,
                        "rejected": len(report.errors)})
    return report


@transaction.atomic
def _import_chunk(actor: Any, district: District, chunk: list[tuple[int, dict]],
                  report: ImportReport) -> None:
    from .grids import grid_nearest

    associations = {a.name: a for a in Association.objects.filter(district=district)}
    existing = {m.licence_no: m for m in Merchant.objects.select_for_update().filter(
        district=district, licence_no__in=[f["licence_no"] for _n, f in chunk])}
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user else "import"
    new, changed, audits = [], [], []
    update_fields: set[str] = set()
    for _number, fields in chunk:
        name = fields.pop("association", None)
        if name:
            if name not in associations:
                associations[name] = Association.objects.create(district=district, name=name)
                audits.append(AuditLog(district=district, actor=user, actor_label=label,
                                       object_type="merchants.association",
                                       object_id=str(associations[name].pk), object_repr=name,
                                       action="association.create", after={"name": name},
                                       created_at=now))
            fields["association"] = associations[name]
        merchant = existing.get(fields["licence_no"])
        if merchant is None:
            merchant = Merchant(district=district, **fields)
            if merchant.is_party_member:
                merchant.party_badge = Merchant.PartyBadge.SHOP
            new.append(merchant)
            continue
        before = snapshot(merchant)
        for key, value in fields.items():
            setattr(merchant, key, value)
        if not merchant.is_party_member:
            merchant.party_badge = ""
        elif not merchant.party_badge:
            merchant.party_badge = Merchant.PartyBadge.SHOP
        after = snapshot(merchant)
        diff = {k for k in after if after[k] != before[k]}
        if not diff:
            report.unchanged += 1
            continue
        merchant.updated_at = now
        update_fields |= diff | {"updated_at"}
        changed.append(merchant)
        audits.append(AuditLog(district=district, actor=user, actor_label=label,
                               object_type="merchants.merchant", object_id=str(merchant.pk),
                               object_repr=merchant.name[:200], action="merchant.update",
                               before={k: before[k] for k in diff},
                               after={k: after[k] for k in diff}, created_at=now))
    grids = list(Grid.objects.filter(district=district).order_by("name")) if new else []
    for merchant in new:
        merchant.grid = grid_nearest(district=district, latitude=merchant.latitude,
                                     longitude=merchant.longitude, grids=grids)
    Merchant.objects.bulk_create(new)
    if changed:
        Merchant.objects.bulk_update(changed, sorted(update_fields - {"id"}))
    for merchant in new:
        if merchant.pk is None:  # backends without RETURNING on bulk insert
            merchant.pk = Merchant.objects.get(district=district,
                                               licence_no=merchant.licence_no).pk
        audits.append(AuditLog(district=district, actor=user, actor_label=label,
                               object_type="merchants.merchant", object_id=str(merchant.pk),
                               object_repr=merchant.name[:200], action="merchant.create",
                               after=snapshot(merchant), created_at=now))
    AuditLog.objects.bulk_create(audits)
    report.created += len(new)
    report.updated += len(changed)

"""Import merchant lists the way street offices keep them (.xlsx or .csv).

Every row is checked and gets Chinese messages when something is wrong; good rows go
in, bad rows are listed and left out. The template's example row (its name starts with
``示例``) is never imported, and a category the district does not know is refused with
the list of known ones. A re-import updates by licence number instead of
duplicating. Work goes in chunks so a progress callback can report along the way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shangquan.core import policies
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.models import District
from shangquan.core.pii import phone_normalize

from . import selectors, services
from .grids import grid_nearest
from .licences import licence_check
from .models import Association, Grid, ImportJob, Merchant

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
# The template's example row starts with this; such a row is skipped, never imported.
EXAMPLE_MARK = "示例"
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
    skipped: int = 0  # the template's example row(s)
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


def _is_example_row(values: list[Any], mapping: dict[str, int]) -> bool:
    index = mapping.get("name")
    return (index is not None and index < len(values)
            and _text(values[index]).startswith(EXAMPLE_MARK))


def parse_row(values: list[Any], mapping: dict[str, int],
              categories: set[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """One row -> (clean fields, Chinese error messages). With ``categories``, a category
    outside that set is an error."""
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
    elif categories is not None and raw["category"] not in categories:
        errors.append(_("经营类别“%(v)s”不在本商圈的类别中（可用：%(known)s）")
                      % {"v": raw["category"][:30], "known": "、".join(sorted(categories))})
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


@audited("merchants.merchant.import")
def merchants_import(*, actor: Any, district: District, data: bytes, filename: str,
                     progress: ProgressFn | None = None) -> ImportReport:
    """Validate every row, then create or update the good ones by licence number through
    the merchant services, chunk by chunk; one ``merchants.merchant.import`` summary row
    beside the per-merchant rows the services write."""
    policies.require(actor, "merchant.import", district)
    report, parsed = _parse_all(district, data, filename)
    done = len(report.errors)
    if progress:
        progress(done, report.total)
    for start in range(0, len(parsed), CHUNK):
        chunk = parsed[start:start + CHUNK]
        _import_chunk(actor, district, chunk, report)
        done += len(chunk)
        if progress:
            progress(done, report.total)
    audit_record(actor=actor, district=district, action="merchants.merchant.import",
                 object_type="merchants.merchant", object_id="*",
                 after={"file": filename[:100], "total": report.total,
                        "created": report.created, "updated": report.updated,
                        "unchanged": report.unchanged, "rejected": len(report.errors),
                        "skipped_example": report.skipped})
    return report


def _parse_all(district: District, data: bytes,
               filename: str) -> tuple[ImportReport, list[tuple[int, dict[str, Any]]]]:
    """Read and check every row (no write): the report's errors and skipped example
    rows, and the good rows as (row number, clean fields)."""
    headings, rows = read_table(data, filename)
    mapping = map_columns(headings)
    report = ImportReport()
    parsed: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    categories = set(selectors.known_categories(district=district))
    for number, values in enumerate(rows, start=2):  # row 1 is the heading
        if not any(_text(v) for v in values):
            continue
        if _is_example_row(values, mapping):
            report.skipped += 1
            continue
        report.total += 1
        if report.total > MAX_ROWS:
            raise ValidationFailed(_("一次最多导入 %(n)s 行") % {"n": MAX_ROWS}, code="too_many_rows")
        fields, errors = parse_row(values, mapping, categories)
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
    return report, parsed


# How many rows a dry run lists one by one (the counts cover them all).
PREVIEW_ROWS = 200


def _field_label(key: str) -> str:
    try:
        return str(Merchant._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def import_preview(*, district: District, data: bytes, filename: str) -> dict[str, Any]:
    """The dry run: what the import would do, written nowhere. Counts of rows that would be
    created, updated, left unchanged or refused, the refused rows with their messages, and
    each created or updated row with the fields it would change (by column name)."""
    report, parsed = _parse_all(district, data, filename)
    existing = {m.licence_no: m for m in Merchant.objects.select_related("association").filter(
        district=district, licence_no__in=[f["licence_no"] for _n, f in parsed])}
    rows: list[dict[str, Any]] = []
    for number, fields in parsed:
        merchant = existing.get(fields["licence_no"])
        if merchant is None:
            outcome, changed = "created", []
        else:
            changed = [key for key, value in fields.items()
                       if key not in ("licence_no", "licence_kind", "association")
                       and _differs(merchant, key, value)]
            if "association" in fields and (merchant.association is None
                                            or merchant.association.name
                                            != fields["association"]):
                changed.append("association")
            outcome = "updated" if changed else "unchanged"
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome != "unchanged" and len(rows) < PREVIEW_ROWS:
            rows.append({"row": number, "name": fields.get("name", ""),
                         "licence_no": fields["licence_no"], "outcome": outcome,
                         "fields": [_field_label(k) for k in changed]})
    return {"total": report.total, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "skipped": report.skipped,
            "errors": report.errors, "rows": rows}


# Fields the spreadsheet carries that a single edit changes through merchant_update;
# ``status`` goes through merchant_status_set like the status form.
STATUS_REASON = gettext_noop("批量导入名录")  # translated when used


def _row_messages(exc: DomainError) -> list[str]:
    """The service's per-field messages (``ValidationFailed(details={field: message})``),
    else its one message."""
    if exc.code == ValidationFailed.code and isinstance(exc.details, dict):
        fields = [str(v) for v in exc.details.values() if isinstance(v, str)]
        if fields:
            return fields
    return [str(exc.message)]


def _differs(merchant: Merchant, key: str, value: Any) -> bool:
    if isinstance(value, models.Model):  # compare ids: no query per foreign key
        return getattr(merchant, f"{key}_id") != value.pk
    return getattr(merchant, key) != value


@transaction.atomic
def _import_chunk(actor: Any, district: District, chunk: list[tuple[int, dict]],
                  report: ImportReport) -> None:
    """Each row goes through the services a console edit uses (merchant_create,
    merchant_update, merchant_status_set, association_create): the same validation and
    permission, the same audit rows. A refused row is reported and left out."""
    associations = {a.name: a for a in Association.objects.filter(district=district)}
    existing = {m.licence_no: m for m in Merchant.objects.select_related("district").filter(
        district=district, licence_no__in=[f["licence_no"] for _n, f in chunk])}
    grids = list(Grid.objects.filter(district=district).order_by("name"))
    for number, fields in chunk:
        fields = dict(fields)
        fields.pop("licence_kind", None)  # the service derives it from the number
        status = fields.pop("status", None)
        try:
            with transaction.atomic():
                name = fields.pop("association", None)
                if name:
                    if name not in associations:
                        associations[name] = services.association_create(
                            actor=actor, district=district, name=name)
                    fields["association"] = associations[name]
                merchant = existing.get(fields["licence_no"])
                if merchant is None:
                    outcome = "created"
                    fields["grid"] = grid_nearest(district=district, grids=grids,
                                                  latitude=fields.get("latitude"),
                                                  longitude=fields.get("longitude"))
                    merchant = services.merchant_create(actor=actor, district=district,
                                                        **fields)
                else:
                    changed = {k: v for k, v in fields.items()
                               if k != "licence_no" and _differs(merchant, k, v)}
                    outcome = "updated" if changed else "unchanged"
                    if changed:
                        merchant = services.merchant_update(actor=actor, merchant=merchant,
                                                            **changed)
                if status and status != merchant.status:
                    services.merchant_status_set(actor=actor, merchant=merchant, status=status,
                                                 reason=_(STATUS_REASON))
                    outcome = "created" if outcome == "created" else "updated"
        except DomainError as exc:
            report.errors.append({"row": number, "name": fields.get("name", ""),
                                  "licence_no": fields.get("licence_no", ""),
                                  "messages": _row_messages(exc)})
            continue
        existing[merchant.licence_no] = merchant
        setattr(report, outcome, getattr(report, outcome) + 1)


# --- queued web uploads (``tasks.run_import_job``) ---------------------------------
@audited("merchants.merchant.import", "merchants.import.fail")
def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import, writing progress to the job row as chunks finish."""
    job = ImportJob.objects.select_related("district", "created_by").get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING,):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        report = merchants_import(actor=job.created_by, district=job.district,
                                  data=bytes(job.data), filename=job.filename,
                                  progress=progress)
    except DomainError as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(exc.message)[:300],
            finished_at=timezone.now())
        audit_record(actor=job.created_by or SYSTEM, district=job.district, obj=job,
                     action="merchants.import.fail", after={"message": str(exc.message)[:300]})
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE, total=report.total, processed=report.total,
            created=report.created, updated=report.updated, errors=report.errors,
            finished_at=timezone.now(), data=b"")  # the upload is not kept once imported
    job.refresh_from_db()
    return job

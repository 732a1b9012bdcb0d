"""The big screen's layout per district: which panels, in what order and size, refreshed
how often. Chosen and arranged by the district's committee on a console page, no code.

A district without rows shows ``DEFAULT_LAYOUT``; its first change copies that default
into rows, so what the committee edits is what the screen showed. The street's screen
(several districts) always shows ``STREET_LAYOUT``.

Reads (``screen_layout``, ``panel_for_slot``) and writes (``screen_panel_*``,
``screen_layout_reset``: keyword-only, ``@audited``, atomic) of the dashboard's own
``ScreenPanel`` rows live here together, apart from the reports' services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import Conflict, NotFound, ValidationFailed
from shangquan.core.inputs import form_int
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped

from . import selectors
from .models import (
    REFRESH_MAX,
    REFRESH_MIN,
    SCREEN_COLUMNS,
    SCREEN_MAX_PANELS,
    SCREEN_ROWS,
    PanelKind,
    ScreenPanel,
)

RANKING = "ranking"  # the street screen's own panel (not configurable per district)


@dataclass(frozen=True)
class Panel:
    """One panel as the screen draws it: from a row (``pk``) or a default layout."""

    slot: str  # "p<pk>" for a configured panel, "d<n>" / "s<n>" for a default one
    kind: str
    indicator: str = ""
    width: int = 1
    height: int = 1
    refresh: int = 60
    pk: int | None = None

    @property
    def title(self) -> str:
        if self.kind == PanelKind.INDICATOR:
            try:
                return str(selectors.indicator_get(key=self.indicator).label)
            except NotFound:
                return self.indicator
        if self.kind == RANKING:
            return _("各商圈排名")
        return str(PanelKind(self.kind).label)


def _defaults(prefix: str, rows: tuple) -> tuple[Panel, ...]:
    return tuple(Panel(slot=f"{prefix}{n}", kind=kind, width=w, height=h, refresh=r)
                 for n, (kind, w, h, r) in enumerate(rows))


# kind, columns, rows, refresh seconds
DEFAULT_LAYOUT = _defaults("d", (
    (PanelKind.TILES, 4, 1, 10), (PanelKind.MAP, 2, 2, 15), (PanelKind.TREND, 2, 1, 300),
    (PanelKind.MONTH, 1, 1, 300), (PanelKind.CROWD, 1, 1, 10),
))
STREET_LAYOUT = _defaults("s", (
    (PanelKind.TILES, 4, 1, 10), (PanelKind.TREND, 2, 2, 300), (PanelKind.MONTH, 1, 2, 300),
    (RANKING, 1, 2, 300),
))


def _panel(row: ScreenPanel) -> Panel:
    return Panel(slot=f"p{row.pk}", kind=row.kind, indicator=row.indicator, width=row.width,
                 height=row.height, refresh=row.refresh_seconds, pk=row.pk)


def screen_layout(*, district: District, scope: str = "district") -> list[Panel]:
    """What the screen shows, in order: the district's panels, or the default layout."""
    if scope == "street":
        return list(STREET_LAYOUT)
    rows = list(ScreenPanel.objects.filter(district=district).order_by("position"))
    return [_panel(r) for r in rows] if rows else list(DEFAULT_LAYOUT)


def panel_for_slot(*, district: District, slot: str, scope: str = "district") -> Panel:
    """One panel of this district's screen by its slot; another district's, or one that
    is not on the screen, is NotFound."""
    for panel in screen_layout(district=district, scope=scope):
        if panel.slot == str(slot):
            return panel
    raise NotFound()


def panel_rows(*, user: Any, district: District) -> list[ScreenPanel]:
    policies.require(user, "dashboard.screen_configure", district)
    return list(ScreenPanel.objects.filter(district=district).order_by("position"))


def access_panel(*, district: District, panel_id: Any) -> ScreenPanel:
    return access_scoped(ScreenPanel, district=district,
                         pk=form_int(panel_id, "panel", default=0))


def kind_choices() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in PanelKind]


# --- writes -----------------------------------------------------------------------------


def _bounded(value: Any, field: str, low: int, high: int, default: int) -> int:
    number = form_int(value, field, low=low, high=high, default=default)
    return default if number is None else number


def _materialise(district: District) -> None:
    """The first change of a district still on the default: its default rows first."""
    if ScreenPanel.objects.filter(district=district).exists():
        return
    ScreenPanel.objects.bulk_create([
        ScreenPanel(district=district, kind=p.kind, position=n, width=p.width,
                    height=p.height, refresh_seconds=p.refresh)
        for n, p in enumerate(DEFAULT_LAYOUT)])


def _snapshot(row: ScreenPanel) -> dict[str, Any]:
    return {"kind": row.kind, "indicator": row.indicator, "position": row.position,
            "width": row.width, "height": row.height, "refresh_seconds": row.refresh_seconds}


def _locked(district: District) -> None:
    """Layout changes of one district take turns (the district row's lock)."""
    District.objects.select_for_update(of=("self",)).filter(pk=district.pk).first()


@audited("dashboard.panel.create")
@transaction.atomic
def screen_panel_create(*, actor: Any, district: District, kind: str, indicator: str = "",
                        width: Any = None, height: Any = None,
                        refresh_seconds: Any = None) -> ScreenPanel:
    """Add a panel at the end of the district's screen."""
    policies.require(actor, "dashboard.screen_configure", district)
    if kind not in PanelKind.values:
        raise ValidationFailed(_("没有这种面板：%(kind)s") % {"kind": str(kind)[:40]},
                               details={"kind": str(kind)[:40]})
    indicator = (indicator or "").strip()
    if kind == PanelKind.INDICATOR:
        if not indicator:
            raise ValidationFailed(_("单项指标面板须选择一个指标"), details={"indicator": ""})
        selectors.indicator_get(key=indicator)  # unknown: 404 unknown_indicator
    else:
        indicator = ""
    width = _bounded(width, "width", 1, SCREEN_COLUMNS, 1)
    height = _bounded(height, "height", 1, SCREEN_ROWS, 1)
    refresh = _bounded(refresh_seconds, "refresh_seconds", REFRESH_MIN, REFRESH_MAX, 60)
    _locked(district)
    _materialise(district)
    rows = list(ScreenPanel.objects.filter(district=district).order_by("position"))
    if len(rows) >= SCREEN_MAX_PANELS:
        raise ValidationFailed(_("大屏最多 %(n)d 个面板") % {"n": SCREEN_MAX_PANELS},
                               details={"panels": len(rows)})
    if any(r.kind == kind and r.indicator == indicator for r in rows):
        raise Conflict(_("这个面板已在大屏上"))
    position = max((r.position for r in rows), default=-1) + 1
    try:
        with transaction.atomic():
            row = ScreenPanel.objects.create(district=district, kind=kind, indicator=indicator,
                                             position=position, width=width, height=height,
                                             refresh_seconds=refresh)
    except IntegrityError:  # a concurrent add took the place first
        raise Conflict(_("这个面板已在大屏上")) from None
    audit_record(actor=actor, district=district, obj=row, action="dashboard.panel.create",
                 after=_snapshot(row))
    return row


@audited("dashboard.panel.update")
@transaction.atomic
def screen_panel_update(*, actor: Any, district: District, panel_id: Any, width: Any = None,
                        height: Any = None, refresh_seconds: Any = None) -> ScreenPanel:
    """Change a panel's size or refresh interval."""
    policies.require(actor, "dashboard.screen_configure", district)
    _locked(district)
    row = access_panel(district=district, panel_id=panel_id)
    before = _snapshot(row)
    row.width = _bounded(width, "width", 1, SCREEN_COLUMNS, row.width)
    row.height = _bounded(height, "height", 1, SCREEN_ROWS, row.height)
    row.refresh_seconds = _bounded(refresh_seconds, "refresh_seconds", REFRESH_MIN,
                                   REFRESH_MAX, row.refresh_seconds)
    row.updated_at = timezone.now()
    row.save(update_fields=["width", "height", "refresh_seconds", "updated_at"])
    audit_record(actor=actor, district=district, obj=row, action="dashboard.panel.update",
                 before=before, after=_snapshot(row))
    return row


@audited("dashboard.panel.delete")
@transaction.atomic
def screen_panel_delete(*, actor: Any, district: District, panel_id: Any) -> None:
    """Take a panel off the screen (the last one gone: the default layout again)."""
    policies.require(actor, "dashboard.screen_configure", district)
    _locked(district)
    row = access_panel(district=district, panel_id=panel_id)
    before = _snapshot(row)
    audit_record(actor=actor, district=district, obj=row, action="dashboard.panel.delete",
                 before=before)
    row.delete()


@audited("dashboard.layout.arrange")
@transaction.atomic
def screen_panel_move(*, actor: Any, district: District, panel_id: Any,
                      direction: str) -> ScreenPanel:
    """Move a panel one place earlier (``up``) or later (``down``) on the screen."""
    policies.require(actor, "dashboard.screen_configure", district)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("方向须为 up 或 down"), details={"direction": str(direction)[:10]})
    _locked(district)
    row = access_panel(district=district, panel_id=panel_id)
    rows = list(ScreenPanel.objects.filter(district=district).order_by("position"))
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return _renumber(actor, district, rows, row)


def _renumber(actor: Any, district: District, rows: list[ScreenPanel],
              moved: ScreenPanel) -> ScreenPanel:
    before = {r.pk: r.position for r in rows}
    # (district, position) is unique: step out of the way first, then take the places
    offset = SCREEN_MAX_PANELS * 100
    for n, r in enumerate(rows):
        ScreenPanel.objects.filter(pk=r.pk).update(position=offset + n)
    for n, r in enumerate(rows):
        r.position = n
        ScreenPanel.objects.filter(pk=r.pk).update(position=n, updated_at=timezone.now())
    audit_record(actor=actor, district=district, action="dashboard.layout.arrange",
                 object_type="dashboard.screenpanel", object_id=moved.pk,
                 before={"order": [pk for pk, _p in sorted(before.items(), key=lambda x: x[1])]},
                 after={"order": [r.pk for r in rows]})
    return next(r for r in rows if r.pk == moved.pk)


@audited("dashboard.layout.arrange")
@transaction.atomic
def screen_layout_arrange(*, actor: Any, district: District, order: list[Any]) -> None:
    """Put the district's panels in the given order (every panel of the screen, once)."""
    policies.require(actor, "dashboard.screen_configure", district)
    _locked(district)
    rows = {r.pk: r for r in ScreenPanel.objects.filter(district=district)}
    wanted = [form_int(v, "order") for v in order]
    if len(set(wanted)) != len(wanted) or set(wanted) - set(rows):
        raise NotFound()  # another district's panel, or one that does not exist
    if set(wanted) != set(rows):
        raise ValidationFailed(_("须列出大屏上的每个面板各一次"), details={"order": len(wanted)})
    ordered = [rows[pk] for pk in wanted]
    if ordered:
        _renumber(actor, district, ordered, ordered[0])


@audited("dashboard.layout.reset")
@transaction.atomic
def screen_layout_reset(*, actor: Any, district: District) -> int:
    """Back to the default layout: every configured panel removed. Returns how many."""
    policies.require(actor, "dashboard.screen_configure", district)
    _locked(district)
    rows = list(ScreenPanel.objects.filter(district=district).order_by("position"))
    audit_record(actor=actor, district=district, action="dashboard.layout.reset",
                 object_type="dashboard.screenpanel", object_id="*",
                 before={"panels": [_snapshot(r) for r in rows]}, after={"panels": []})
    ScreenPanel.objects.filter(district=district).delete()
    return len(rows)

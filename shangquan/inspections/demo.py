"""Demo data: the seven checklists, past holiday campaigns (三节: 春节, 国庆) with joint
teams, inspections, findings and rectification orders in every state, a fresh routine
inspection of the demo merchant's shop, today's tasks, and next Spring Festival's draft.

Planning and sign-off go through the services (so findings, deadlines, stop-business and
repeat warnings are real); the past is then dated back, and the merchants' side of old
orders (evidence, decisions, visits) is filled in bulk, since those shops have no
accounts. Deterministic: the district's seeded random drives every choice.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record
from shangquan.core.demo import DemoContext
from shangquan.core.roles import Role
from shangquan.merchants.models import Grid, Merchant
from shangquan.merchants.services import merchant_status_set

from . import services
from .models import (
    Answer,
    AnswerPhoto,
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    Evidence,
    EvidencePhoto,
    Finding,
    FollowUpVisit,
    Inspection,
    Rectification,
)
from .selectors import rectification_days, rules_for

FOOD = ("餐饮", "小吃", "烧烤", "火锅", "饮品", "茶饮")
# Chance an item fails, by severity: most shops pass most items.
FAIL_RATE = {"general": 0.10, "major": 0.05, "serious": 0.018}
NOTES = {"general": ["现场已口头提醒", "责令限期整改", "台账不全"],
         "major": ["现场拍照取证，责令限期整改", "已下达整改通知书"],
         "serious": ["存在重大安全隐患，立即整改", "已责令停止使用"]}
EVIDENCE = ["已按要求整改，请复查", "已更换并拍照留存", "已清理完毕，建立每日自查台账",
            "已联系专业公司处理，附照片"]
REJECTIONS = ["照片不清晰，看不到整改部位", "整改不彻底，请重新整改"]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _photo_name(district) -> str:
    """One small site photo stored once and shared by every demo answer."""
    name = f"inspections/demo/{district.code.lower()}-site.jpg"
    if not default_storage.exists(name):
        buf = io.BytesIO()
        Image.new("RGB", (320, 240), (176, 190, 197)).save(buf, format="JPEG", quality=70)
        name = default_storage.save(name, ContentFile(buf.getvalue()))
    return name


def _upload(color: str = "gray") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, format="JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def load(ctx: DemoContext) -> None:
    district = ctx.district
    services.checklist_seed(district=district)
    if Campaign.objects.filter(district=district).exists():
        return  # already loaded: the demo is re-runnable
    if not Merchant.objects.filter(district=district).exists():
        return
    loader = _Loader(ctx)
    spring = loader.campaign("2026年春节“三节三清三式”专项行动", "春节", date(2026, 2, 2),
                             date(2026, 2, 15), date(2026, 2, 23), date(2026, 3, 9),
                             ["gas", "fire", "food"])
    loader.close(spring, "节前集中检查全覆盖，节中逐项跟踪回访，节后对被投诉商户定点检查；"
                         "燃气、消防隐患整改完成率达标，节日期间未发生安全事故。")
    loader.campaign("2026年国庆“三节三清三式”专项行动", "国庆", date(2026, 9, 20),
                    date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 31),
                    ["gas", "fire", "food", "storefront"] + (
                        ["rides"] if ctx.spec.kind in ("night_market", "scenic") else []))
    loader.showcase()
    loader.upcoming()
    services.rectification_escalate_overdue(district=district)
    audit_record(actor=SYSTEM, district=district, action="inspections.demo.load",
                 object_type="inspections.campaign", object_id="*",
                 after={"inspections": Inspection.objects.filter(district=district).count(),
                        "rectifications": Rectification.objects.filter(
                            district=district).count()})
    ctx.progress(f"  inspections: {Inspection.objects.filter(district=district).count()} "
                 f"inspections, {Rectification.objects.filter(district=district).count()} "
                 "rectification orders")


class _Loader:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.d, self.rng = ctx, ctx.district, random.Random(f"insp:{ctx.district.code}")
        self.committee = ctx.users[str(Role.COMMITTEE)]
        self.inspectors = ctx.department_users
        self.photo = _photo_name(self.d)
        self.rules = rules_for(self.d)
        self.stopped_once = False
        grids = list(Grid.objects.filter(district=self.d).order_by("name"))
        # A bounded share of the grids, so the biggest district stays quick to load.
        self.grids = sorted(self.rng.sample(grids, min(len(grids), 3 + 2 * ctx.scale)),
                            key=lambda g: g.name) if grids else []
        self.categories = [c for c in ctx.spec.categories if c in FOOD] or \
            list(ctx.spec.categories[:2])

    # --- a campaign from plan to report -------------------------------------------------
    def campaign(self, name: str, holiday: str, prep: date, start: date, end: date,
                 review: date, codes: list[str]) -> Campaign:
        templates = list(ChecklistTemplate.objects.filter(district=self.d, code__in=codes))
        campaign = services.campaign_create(
            actor=self.committee, district=self.d, name=name, holiday=holiday, prep_start=prep,
            start=start, end=end, review_end=review, grids=self.grids,
            categories=self.categories, templates=templates)
        Campaign.objects.filter(pk=campaign.pk).update(created_at=_local(prep, 9) - timedelta(
            days=5))
        depts, users = self.ctx.departments, self.inspectors
        half = (len(self.grids) + 1) // 2
        for label, codes_, grids in (("第一联合检查组", ("scjg", "xf"), self.grids[:half]),
                                     ("第二联合检查组", ("yjgl", "cgzf"), self.grids[half:])):
            services.campaign_team_create(
                actor=self.committee, district=self.d, campaign=campaign, name=label,
                departments=[depts[c] for c in codes_ if c in depts],
                members=[users[c] for c in codes_ if c in users], grids=grids)
        parents = services.campaign_plan_before(actor=self.committee, district=self.d,
                                                campaign=campaign, today=prep)
        for parent in parents:
            shops = parent.children.all() if parent.is_grid else [parent]
            for child in shops:
                self.inspect(child, child.planned_for, start)
        for order in Rectification.objects.filter(finding__inspection__campaign=campaign):
            self.fate(order, campaign)
        after = services.campaign_plan_after(actor=self.committee, district=self.d,
                                             campaign=campaign, today=end + timedelta(days=1))
        recent = review >= timezone.localdate() - timedelta(days=40)
        rng_repeat = random.Random(f"repeat:{self.d.code}:{holiday}")
        for n, targeted in enumerate(after):
            if recent and n % 3 == 2:
                continue  # a few are still to visit
            earlier = (Finding.objects.filter(inspection__campaign=campaign,
                                              merchant_id=targeted.merchant_id)
                       .select_related("item").first())
            # Some shops repeat a hazard the concentrated check already found.
            fails = ({earlier.item.code: "节前检查发现的问题再次出现"}
                     if earlier is not None and rng_repeat.random() < 0.6 else None)
            self.inspect(targeted, targeted.planned_for, review, fails=fails)
            for order in Rectification.objects.filter(finding__inspection=targeted):
                self.fate(order, None)
        return campaign

    def close(self, campaign: Campaign, summary: str) -> None:
        services.campaign_close(actor=self.committee, district=self.d, campaign=campaign,
                                summary=summary)

    # --- one shop, ticked and signed -------------------------------------------------------
    def inspect(self, inspection: Inspection, day: date, by: date,
                fails: dict[str, str] | None = None) -> Inspection:
        rng = self.rng
        team = inspection.team
        members = list(team.members.all()) if team else []
        actor = members[0] if members else self.inspectors["scjg"]
        items = list(ChecklistItem.objects.filter(version__in=inspection.versions.all()))
        when = _local(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
        answers = []
        for item in items:
            failed = (fails is not None and item.code in fails) or (
                fails is None and rng.random() < FAIL_RATE[item.severity])
            answers.append(Answer(
                district=self.d, inspection=inspection, item=item,
                value="fail" if failed else ("na" if rng.random() < 0.04 else "pass"),
                note=(fails or {}).get(item.code) or (rng.choice(NOTES[item.severity])
                                                      if failed else ""),
                answered_by=actor, client_time=when, updated_at=when))
        Answer.objects.bulk_create(answers)
        photos = [AnswerPhoto(district=self.d, answer=a, image=self.photo,
                              client_key=f"demo-{a.pk}", created_at=when)
                  for a in Answer.objects.filter(inspection=inspection, value="fail",
                                                 item__photo_required=True)]
        AnswerPhoto.objects.bulk_create(photos)
        serious = any(a.value == "fail" and a.item.severity == "serious" for a in answers)
        stop = serious and not self.stopped_once  # one 停业整改 per district
        self.stopped_once = self.stopped_once or stop
        services.inspection_complete(
            actor=actor, district=self.d, inspection=inspection,
            signed_name=actor.first_name or actor.username,
            notes="" if not serious else "发现严重隐患，已当场责令整改", stop_business=stop)
        done = when + timedelta(minutes=rng.randint(15, 50))
        Inspection.objects.filter(pk=inspection.pk).update(started_at=when, completed_at=done)
        if inspection.parent_id:
            Inspection.objects.filter(pk=inspection.parent_id).update(
                started_at=_local(inspection.planned_for, 9), completed_at=done)
        for finding in Finding.objects.filter(inspection=inspection).select_related(
                "rectification"):
            order = finding.rectification
            deadline = done + timedelta(days=rectification_days(self.rules, order.severity))
            Rectification.objects.filter(pk=order.pk).update(issued_at=done, deadline=deadline)
            Finding.objects.filter(pk=finding.pk).update(created_at=done)
        return inspection

    # --- what became of an old order -------------------------------------------------------
    def fate(self, order: Rectification, campaign: Campaign | None,
             roll: float | None = None) -> None:
        order.refresh_from_db()
        rng, d = self.rng, self.d
        inspector = self.inspectors.get("scjg")
        roll = rng.random() if roll is None else roll
        window = order.deadline - order.issued_at
        submitted = order.issued_at + window * rng.uniform(0.3, 0.9)
        if roll < 0.82:
            rejected = roll > 0.70
            if rejected:
                first = Evidence.objects.create(
                    district=d, rectification=order, note=rng.choice(EVIDENCE),
                    submitted_at=submitted, decision="rejected",
                    decision_note=rng.choice(REJECTIONS), decided_by=inspector,
                    decided_at=submitted + timedelta(hours=20))
                EvidencePhoto.objects.create(district=d, evidence=first, image=self.photo,
                                             created_at=submitted)
                submitted += timedelta(days=2)
            evidence = Evidence.objects.create(
                district=d, rectification=order, note=rng.choice(EVIDENCE),
                submitted_at=submitted, decision="accepted", decision_note="复查合格",
                decided_by=inspector, decided_at=submitted + timedelta(hours=22))
            EvidencePhoto.objects.create(district=d, evidence=evidence, image=self.photo,
                                         created_at=submitted)
            Rectification.objects.filter(pk=order.pk).update(
                status="verified", submitted_at=submitted, verified_by=inspector,
                verified_at=submitted + timedelta(hours=22))
            if order.stop_business:
                merchant_status_set(actor=inspector, merchant=order.merchant, status="open",
                                    reason=f"整改验收通过，恢复营业：{order.number}")
            verified_at = submitted + timedelta(hours=22)
        elif roll < 0.90:
            evidence = Evidence.objects.create(district=d, rectification=order,
                                               note=rng.choice(EVIDENCE),
                                               submitted_at=submitted)
            EvidencePhoto.objects.create(district=d, evidence=evidence, image=self.photo,
                                         created_at=submitted)
            Rectification.objects.filter(pk=order.pk).update(status="submitted",
                                                             submitted_at=submitted)
            verified_at = None
        else:
            verified_at = None  # never answered: the overdue check escalates it
        if campaign is not None:
            # 清单式: the duty officers went back during the holiday.
            visit_day = campaign.start + timedelta(days=rng.randint(0, max(
                0, (campaign.end - campaign.start).days)))
            visited = _local(visit_day, rng.randint(10, 20))
            if visited > order.issued_at:
                outcome = ("resolved" if verified_at and verified_at < visited else
                           rng.choice(["in_progress", "in_progress", "not_started"]))
                FollowUpVisit.objects.create(district=d, rectification=order, campaign=campaign,
                                             outcome=outcome, visited_at=visited,
                                             visited_by=self.ctx.users.get(str(Role.GRID_LEADER)),
                                             note="节中清单式跟踪回访")

    # --- the demo logins' own work ---------------------------------------------------------------
    def showcase(self) -> None:
        """The demo merchant's shop: a routine check three days ago, one order answered
        and verified through the real services, one waiting for the merchant."""
        owner = self.ctx.users.get(str(Role.MERCHANT))
        shop = Merchant.objects.filter(district=self.d).filter(
            Q(owner=owner) | Q(staff__user=owner)).first() if owner else None
        if shop is None:
            return
        fire = ChecklistTemplate.objects.get(district=self.d, code="fire")
        gas = ChecklistTemplate.objects.get(district=self.d, code="gas")
        inspector = self.inspectors["xf"]
        # Forty days ago the kitchen fan was broken too: today's finding is a repeat.
        before = timezone.localdate() - timedelta(days=40)
        earlier = services.inspection_plan(
            actor=self.committee, district=self.d, templates=[gas], merchant=shop,
            planned_for=before, departments=[self.ctx.departments["yjgl"]],
            inspectors=[self.inspectors["yjgl"]], reason="燃气安全专项检查")
        self.inspect(earlier, before, before, fails={"gas-06": "后厨排风扇不转"})
        for order in Rectification.objects.filter(finding__inspection=earlier):
            self.fate(order, None, roll=0.1)
        day = timezone.localdate() - timedelta(days=3)
        inspection = services.inspection_plan(
            actor=self.committee, district=self.d, templates=[fire, gas], merchant=shop,
            planned_for=day, departments=[self.ctx.departments["xf"],
                                          self.ctx.departments["yjgl"]],
            inspectors=[inspector, self.inspectors["yjgl"]], reason="日常消防、燃气安全检查")
        self.inspect(inspection, day, day, fails={"fire-01": "2 具灭火器压力指针在红区",
                                                  "gas-06": "后厨排风扇损坏"})
        orders = list(Rectification.objects.filter(finding__inspection=inspection)
                      .order_by("severity"))
        # Fresh deadlines from today, so the merchant still has time to answer.
        now = timezone.now()
        for order in orders:
            Rectification.objects.filter(pk=order.pk).update(
                issued_at=now - timedelta(days=1),
                deadline=now + timedelta(days=rectification_days(self.rules, order.severity)))
        if orders:
            first = Rectification.objects.get(pk=orders[0].pk)
            services.rectification_evidence_submit(actor=owner, district=self.d,
                                                   rectification=first,
                                                   note="已更换两具新灭火器，放置在门口醒目处",
                                                   photos=[_upload("#c62828")])
            services.rectification_verify(actor=inspector, district=self.d,
                                          rectification=first, note="复查合格")

    def upcoming(self) -> None:
        """Today's grid check for the department logins and next Spring Festival's draft."""
        today = timezone.localdate()
        templates = list(ChecklistTemplate.objects.filter(district=self.d,
                                                          code__in=["fire", "storefront"]))
        if self.grids:
            services.inspection_plan(
                actor=self.committee, district=self.d, templates=templates, grid=self.grids[0],
                planned_for=today, kind=Inspection.Kind.ROUTINE,
                departments=[self.ctx.departments["scjg"], self.ctx.departments["cgzf"]],
                inspectors=[self.inspectors["scjg"], self.inspectors["cgzf"]],
                reason="网格例行巡查：消防安全、门前三包")
        services.campaign_create(
            actor=self.committee, district=self.d, name="2027年春节“三节三清三式”专项行动",
            holiday="春节", prep_start=date(2027, 1, 18), start=date(2027, 2, 5),
            end=date(2027, 2, 13), review_end=date(2027, 2, 28), grids=self.grids,
            categories=self.categories,
            templates=list(ChecklistTemplate.objects.filter(
                district=self.d, code__in=["gas", "fire", "food", "electric"])))

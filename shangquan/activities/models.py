"""Volunteer teams, events with sign-up, check-in and hours, the public-service log, and
the party-life registers (主题党日 attendance per branch, 党建指导员 and leaders' visits,
mobile members registered, cadres' 下沉报到).

Confirmed hours post points once through ``points`` (rule ``volunteer_hour``, source
``activities.attendance:<registration id>``); points knows nothing of this app.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictOneToOneField, DistrictScoped
from shangquan.org.models import MobileMember, OrgUnit, PartyMember


def new_token() -> str:
    return secrets.token_urlsafe(9)


class Team(DistrictScoped):
    class Kind(models.TextChoices):
        INFO = "info", _("移动信息员")
        RIDER = "rider", _("先“蜂”骑士")
        MERCHANT = "merchant", _("文明诚信商户")
        VOLUNTEER = "volunteer", _("商户义工队")
        OTHER = "other", _("其他")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("简介"), max_length=300, blank=True)
    captain = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="captained_teams", verbose_name=_("队长"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿队伍")
        verbose_name_plural = _("志愿队伍")
        constraints = [models.UniqueConstraint(fields=["district", "name"],
                                               name="activities_team_name_unique")]

    def __str__(self) -> str:
        return self.name


class TeamMember(DistrictScoped):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACTIVE = "active", _("在队")
        REJECTED = "rejected", _("未通过")
        LEFT = "left", _("已退出")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="team_memberships")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    note = models.CharField(_("申请说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "team", "user"],
                                               name="activities_member_once")]


class EventKind(models.TextChoices):
    PARTY_DAY = "party_day", _("主题党日")
    PARTY_LECTURE = "party_lecture", _("党课")
    BRIEFING = "briefing", _("宣讲")
    SIX_INTO = "six_into", _("六进商圈")
    VOLUNTEER = "volunteer", _("志愿服务")
    FESTIVAL = "festival", _("节庆")
    CONTEST = "contest", _("大赛")


class SixInto(models.TextChoices):
    """泉港's 六进商圈: the six kinds."""

    POLICY = "policy", _("政策宣讲")
    LEGAL = "legal", _("法律咨询")
    FINANCE = "finance", _("金融服务")
    JOBS = "jobs", _("就业招聘")
    CULTURE = "culture", _("文化联谊")
    RELIEF = "relief", _("困难救助")


class Event(DistrictScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("报名中")
        CLOSED = "closed", _("报名截止")
        DONE = "done", _("已结束")
        ARCHIVED = "archived", _("已归档")

    class Eligibility(models.TextChoices):
        ANYONE = "anyone", _("所有人")
        PARTY_MEMBERS = "party_members", _("仅党员")
        VOLUNTEERS = "volunteers", _("志愿者与骑手")
        TEAM = "team", _("本队队员")

    kind = models.CharField(_("类型"), max_length=14, choices=EventKind.choices)
    six_into = models.CharField(_("六进类别"), max_length=10, choices=SixInto.choices,
                                blank=True)
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    station = models.CharField(_("所属站点"), max_length=80, blank=True,
                               help_text=_("邻里中心、党群服务站等，用于月度计划"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"), default=30)
    eligibility = models.CharField(_("参加对象"), max_length=14, choices=Eligibility.choices,
                                   default=Eligibility.ANYONE)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="events", verbose_name=_("组织队伍"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("党支部"))
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="organised_events", verbose_name=_("组织者"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    # the code attendees scan (or the organiser shows) to check in and out
    # scanned at /d/<code>/…/events/scan/<token>/: the link names the district
    checkin_token = models.CharField(max_length=16, default=new_token)
    checkin_open_minutes = models.PositiveIntegerField(_("提前签到（分钟）"), default=30)
    checkin_radius_m = models.PositiveIntegerField(_("签到距离（米）"), null=True, blank=True)
    awards_hours = models.BooleanField(_("计入志愿时长"), default=True)
    summary = models.TextField(_("活动小结"), blank=True)
    headcount = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.UniqueConstraint(fields=["district", "checkin_token"],
                                    name="activities_event_token_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="activities_event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1),
                                   name="activities_event_capacity_positive"),
            models.CheckConstraint(condition=Q(kind="six_into") | Q(six_into=""),
                                   name="activities_event_six_into_only"),
        ]
        indexes = [models.Index(fields=["district", "starts_at"], name="activities_event_when")]

    def __str__(self) -> str:
        return self.title

    @property
    def planned_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Registration(DistrictScoped):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        ATTENDED = "attended", _("已参加")
        NO_SHOW = "no_show", _("缺席")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="event_registrations")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    checked_in_at = models.DateTimeField(_("签到"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("时长（分钟）"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    points = models.PositiveIntegerField(_("获得积分"), default=0)
    absence_reason = models.CharField(_("缺席原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "event", "user"], name="activities_register_once"),
            models.CheckConstraint(condition=Q(checked_out_at__isnull=True)
                                   | Q(checked_in_at__isnull=False),
                                   name="activities_checkout_after_checkin"),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"],
                                name="activities_waitlist")]


class ServiceLog(DistrictScoped):
    """公益服务台账: 助老, 修鞋, 结对帮扶 … Beneficiaries are seen by their team's captain
    and the committee only."""

    AUDIT_PERSON_FIELDS = ("beneficiary", "beneficiary_phone")

    class Kind(models.TextChoices):
        ELDERLY = "elderly", _("助老探访")
        SHOES = "shoes", _("免费修鞋")
        PAIRING = "pairing", _("结对帮扶")
        OTHER = "other", _("其他")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="service_logs")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    served_on = models.DateField(_("日期"))
    beneficiary = models.CharField(_("服务对象"), max_length=60, blank=True)
    beneficiary_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    people = models.PositiveIntegerField(_("服务人次"), default=1)
    minutes = models.PositiveIntegerField(_("时长（分钟）"), default=0)
    note = models.CharField(_("内容"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


# --- party life --------------------------------------------------------------------------
class ContactPoint(DistrictScoped):
    """A 党建指导员's assigned unit, or a leader's 联系点."""

    class Kind(models.TextChoices):
        INSTRUCTOR = "instructor", _("党建指导员派驻")
        LEADER = "leader", _("领导联系点")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    person = models.CharField(_("联系人"), max_length=40)
    instructor = models.ForeignKey(PartyMember, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("联系单位"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "kind", "person", "unit"],
                                               name="activities_contact_once")]


class Visit(DistrictScoped):
    point = models.ForeignKey(ContactPoint, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    problems = models.CharField(_("发现问题"), max_length=300, blank=True)
    follow_up = models.CharField(_("跟进情况"), max_length=300, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Enrolment(DistrictScoped):
    """A mobile member found by the 四找 search, registered as a party member here."""

    mobile_member = DistrictOneToOneField(MobileMember, on_delete=models.PROTECT,
                                          related_name="enrolment")
    party_member = DistrictOneToOneField(PartyMember, on_delete=models.PROTECT,
                                         related_name="+")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "mobile_member"],
                                    name="activities_enrolment_mobile_once"),
            models.UniqueConstraint(fields=["district", "party_member"],
                                    name="activities_enrolment_party_once"),
        ]


class CadreReport(DistrictScoped):
    """A department cadre's 下沉报到 (report in to the district) and what they did."""

    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    reported_at = models.DateTimeField(_("报到时间"))
    service = models.CharField(_("服务内容"), max_length=300, blank=True)
    minutes = models.PositiveIntegerField(_("时长（分钟）"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)


# --- contests (技能大赛, 直播大赛, 美食创新大赛) -------------------------------------------
class Contest(DistrictScoped):
    """The judging of a 大赛 event: a rubric, expert judges, entries, scores, results.

    open (entries and judges are added) → judging (judges score) → published (results
    frozen: each entry's mean total and rank are stored and never change)."""

    class Status(models.TextChoices):
        OPEN = "open", _("报名中")
        JUDGING = "judging", _("评审中")
        PUBLISHED = "published", _("已公布")

    event = DistrictOneToOneField(Event, on_delete=models.PROTECT, related_name="contest",
                                  verbose_name=_("活动"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("比赛")
        verbose_name_plural = _("比赛")
        constraints = [models.UniqueConstraint(fields=["district", "event"],
                                               name="activities_contest_event_once")]

    def __str__(self) -> str:
        return self.event.title


class Criterion(DistrictScoped):
    """One line of the rubric: what is judged and its full marks (e.g. 口味 40)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=40)
    max_score = models.PositiveIntegerField(_("满分"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "contest", "name"], name="activities_criterion_once"),
            models.CheckConstraint(condition=Q(max_score__gte=1, max_score__lte=1000),
                                   name="activities_criterion_max_range"),
        ]


class Judge(DistrictScoped):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="contest_judgings", verbose_name=_("评委"))
    title = models.CharField(_("评委身份"), max_length=60, blank=True,
                             help_text=_("如：烹饪协会专家"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "contest", "user"],
                                               name="activities_judge_once")]


class Entry(DistrictScoped):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(_("作品/项目"), max_length=100)
    entrant = models.CharField(_("参赛者"), max_length=60)
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("参赛商户"))
    # frozen at publication: the mean of the judges' totals ×100 (integers), and the rank
    score_x100 = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "contest", "title", "entrant"],
                                               name="activities_entry_once")]

    def __str__(self) -> str:
        return f"{self.title}（{self.entrant}）"

    @property
    def score(self) -> str:
        if self.score_x100 is None:
            return ""
        return f"{self.score_x100 // 100}.{self.score_x100 % 100:02d}"


class Score(DistrictScoped):
    """One judge's mark for one entry on one criterion (0 … the criterion's full marks)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveIntegerField(_("分数"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "entry", "judge", "criterion"],
                                               name="activities_score_once")]


def wrapup_photo_path(instance: EventPhoto, filename: str) -> str:
    return f"activities/{instance.district_id}/{filename}"


class EventPhoto(DistrictScoped):
    """A wrap-up photo (re-encoded by core.pii.photo_clean: no EXIF, no GPS)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=wrapup_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

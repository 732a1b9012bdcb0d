"""Deliberation: suggestions, surveys, councils, meetings, rounds, action items, conventions
and votes, announcements and digests.

The invariants that matter most live in the database:
- one vote per voter per convention (``VoterRoll``: unique ``convention, voter_key``), on
  every channel, whatever the concurrency; the choice itself sits in ``Ballot``, which has
  no link to the voter (secret ballot: the roll shows who voted, never how);
- one survey response per voter key, one registration per person and meeting, one
  signature per merchant and convention, one receipt per merchant and announcement.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import Department, DistrictOneToOneField, DistrictScoped
from shangquan.inspections.models import Rectification
from shangquan.merchants.models import Grid, Merchant
from shangquan.workorders.models import Category, WorkOrder

USER = settings.AUTH_USER_MODEL


def _code() -> str:
    return secrets.token_urlsafe(9)


class College(models.TextChoices):
    MERCHANT = "merchant", _("商户")
    RESIDENT = "resident", _("居民")


# --- meetings (议事会, 恳谈, 联席会议, 政企面对面) ---------------------------------------
class Council(DistrictScoped):
    """商居议事会: seats with quotas, convened by the committee."""

    name = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("说明"), blank=True)
    min_resident_pct = models.PositiveSmallIntegerField(_("居民席位下限 %"), default=34)
    min_merchant_pct = models.PositiveSmallIntegerField(_("商户席位下限 %"), default=34)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="council_name_unique"),
            models.CheckConstraint(condition=Q(min_resident_pct__lte=100, min_merchant_pct__lte=100)
                                   & Q(min_resident_pct__gte=0, min_merchant_pct__gte=0),
                                   name="council_quota_pct"),
        ]

    def __str__(self) -> str:
        return self.name


class Seat(DistrictScoped):
    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民代表")
        MERCHANT = "merchant", _("商户代表")
        COMMUNITY = "community", _("社区工作人员")
        PARTY = "party", _("党员/党组织")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="seats")
    kind = models.CharField(_("席位类别"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("姓名"), max_length=60)
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["council", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "council", "user"],
                                    condition=Q(user__isnull=False), name="seat_one_per_user"),
        ]


class Meeting(DistrictScoped):
    class Kind(models.TextChoices):
        COUNCIL = "council", _("商居议事会")
        TALK = "talk", _("恳谈会")
        JOINT = "joint", _("党建联席会议")
        ALLIANCE = "alliance", _("联盟例会")
        FACE_TO_FACE = "face", _("政企面对面")

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    council = models.ForeignKey(Council, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="meetings")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    agenda = models.TextField(_("议程"), blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("时间"))
    capacity = models.PositiveIntegerField(_("名额"), default=30)
    quorum = models.PositiveIntegerField(_("法定人数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED)
    minutes = models.TextField(_("会议纪要"), blank=True)
    decisions = models.TextField(_("会议决定"), blank=True)
    check_in_code = models.CharField(max_length=16, default=_code)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-starts_at", "-id"]
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        constraints = [
            models.UniqueConstraint(fields=["district", "check_in_code"],
                                    name="meeting_checkin_code_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="meeting_capacity_pos"),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(DistrictScoped):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        ATTENDED = "attended", _("已签到")
        CANCELLED = "cancelled", _("已取消")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("报名码"), max_length=16, default=_code)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "meeting", "user"],
                                    name="registration_one_per_person"),
            models.UniqueConstraint(fields=["district", "code"], name="registration_code_unique"),
        ]


# --- suggestions -------------------------------------------------------------------
class Suggestion(DistrictScoped):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        REVIEWING = "reviewing", _("研究中")
        ACCEPTED = "accepted", _("已采纳")
        MERGED = "merged", _("已合并")
        DECLINED = "declined", _("未采纳")

    class Channel(models.TextChoices):
        ONLINE = "online", _("线上问卷")
        OFFLINE = "offline", _("线下恳谈")

    OPEN = ("submitted", "reviewing")

    number = models.CharField(_("编号"), max_length=32)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    topic_tag = models.CharField(_("类别"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices,
                               default=Channel.ONLINE)
    origin = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="suggestions", verbose_name=_("来源会议"))
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    author_name = models.CharField(_("提出人"), max_length=60, blank=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    entered_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED)
    answer_due = models.DateField(_("答复期限"))
    answered_at = models.DateTimeField(null=True, blank=True)
    public_answer = models.TextField(_("公开答复"), blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    topic = models.ForeignKey("Topic", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="suggestions")
    project = models.CharField(_("关联项目"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-created_at", "-id"]
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        indexes = [
            models.Index(fields=["district", "status", "-created_at"], name="sugg_status"),
            models.Index(fields=["district", "answer_due"], name="sugg_due"),
            models.Index(fields=["district", "-created_at", "-id"], name="sugg_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="suggestion_number"),
            # an offline suggestion names the 恳谈 session it was typed in from
            models.CheckConstraint(condition=Q(channel="online") | Q(origin__isnull=False),
                                   name="suggestion_offline_has_origin"),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(public_answer=""),
                                   name="suggestion_declined_has_reason"),
            models.CheckConstraint(condition=~Q(status="merged") | Q(merged_into__isnull=False),
                                   name="suggestion_merged_has_target"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


# --- surveys -------------------------------------------------------------------------
class Survey(DistrictScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    class OnePer(models.TextChoices):
        PHONE = "phone", _("每个验证手机号一份")
        MERCHANT = "merchant", _("每个营业执照一份")

    title = models.CharField(_("标题"), max_length=120)
    intro = models.TextField(_("说明"), blank=True)
    one_per = models.CharField(_("答卷限制"), max_length=10, choices=OnePer.choices,
                               default=OnePer.PHONE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-created_at", "-id"]
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")


class Question(DistrictScoped):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        TEXT = "text", _("文本")
        SCALE = "scale", _("量表")
        RANKING = "ranking", _("排序")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=200)
    options = models.JSONField(default=list, blank=True)
    scale_max = models.PositiveSmallIntegerField(default=5)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["district", "survey", "position"],
                                               name="question_position_unique")]


class Response(DistrictScoped):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    voter_key = models.CharField(max_length=80)
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    answers = models.JSONField(default=dict)  # str(position) -> value
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["survey", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["district", "survey", "voter_key"],
                                               name="response_one_per_voter")]


# --- topics, rounds, action items ----------------------------------------------------
class Topic(DistrictScoped):
    class Status(models.TextChoices):
        OPEN = "open", _("协商中")
        AGREED = "agreed", _("已达成共识")
        CLOSED = "closed", _("已结束")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("议题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    consensus = models.TextField(_("共识"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-created_at", "-id"]
        verbose_name = _("议题")
        verbose_name_plural = _("议题")

    def __str__(self) -> str:
        return self.title


class Round(DistrictScoped):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="rounds")
    positions = models.TextField(_("各方意见"), blank=True)
    agreed_points = models.TextField(_("达成一致"), blank=True)
    open_issues = models.TextField(_("待议事项"), blank=True)
    held_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["topic", "number"]
        constraints = [models.UniqueConstraint(fields=["district", "topic", "number"],
                                               name="round_number_unique")]


class ActionItem(DistrictScoped):
    class Status(models.TextChoices):
        OPEN = "open", _("推进中")
        DONE = "done", _("已完成")

    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="actions")
    title = models.CharField(_("事项"), max_length=160)
    owner_name = models.CharField(_("责任人"), max_length=60)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("责任部门"))
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    # 政企面对面: a merchant's demand filed in advance, visible to that merchant
    merchant = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("提出诉求的商户"))
    demand = models.TextField(_("诉求"), blank=True)
    answer = models.TextField(_("办理情况"), blank=True)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["district", "due_on", "id"]
        verbose_name = _("行动事项")
        verbose_name_plural = _("行动事项")


class ActionTask(DistrictScoped):
    """One merchant's share of an action item, carried by an inspections rectification,
    so evidence and verification are the rectification's."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="tasks")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    rectification = DistrictOneToOneField(Rectification, on_delete=models.PROTECT,
                                          related_name="+")

    class Meta:
        ordering = ["item", "id"]
        constraints = [models.UniqueConstraint(fields=["district", "item", "merchant"],
                                               name="action_task_one_per_merchant"),
                       models.UniqueConstraint(fields=["district", "rectification"],
                                               name="action_task_rectification_once")]


class Monitor(DistrictScoped):
    """居民监督: a named resident who may confirm an action item's tasks."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="monitors")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "item", "user"],
                                               name="monitor_one_per_item")]


class Confirmation(DistrictScoped):
    task = models.ForeignKey(ActionTask, on_delete=models.CASCADE, related_name="confirmations")
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "task", "monitor"],
                                               name="confirmation_once")]


# --- conventions and votes -----------------------------------------------------------
class Convention(DistrictScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        COMMENT = "comment", _("征求意见")
        VOTING = "voting", _("表决中")
        ADOPTED = "adopted", _("已通过")
        REJECTED = "rejected", _("未通过")
        IN_FORCE = "in_force", _("施行中")
        REVISED = "revised", _("已修订")
        REPEALED = "repealed", _("已废止")

    class Electorate(models.TextChoices):
        MERCHANTS = "merchants", _("商户（每个执照一票）")
        RESIDENTS = "residents", _("居民（每个验证手机号一票）")
        BOTH = "both", _("商户与居民分别表决")

    title = models.CharField(_("名称"), max_length=120)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    electorate = models.CharField(_("表决人"), max_length=10, choices=Electorate.choices,
                                  default=Electorate.MERCHANTS)
    residents_members_only = models.BooleanField(_("仅限本商圈登记居民"), default=True)
    quorum_pct = models.PositiveSmallIntegerField(_("法定参与率 %"), default=50)
    threshold_num = models.PositiveSmallIntegerField(default=2)
    threshold_den = models.PositiveSmallIntegerField(default=3)
    comment_days = models.PositiveSmallIntegerField(_("征求意见天数"), default=7)
    comment_opened_at = models.DateTimeField(null=True, blank=True)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    in_force_at = models.DateTimeField(null=True, blank=True)
    electorate_merchants = models.PositiveIntegerField(default=0)
    electorate_residents = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)  # the tally, written at close only
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district", "-created_at", "-id"]
        verbose_name = _("公约")
        verbose_name_plural = _("公约")
        constraints = [
            models.CheckConstraint(condition=Q(quorum_pct__lte=100), name="convention_quorum_pct"),
            models.CheckConstraint(condition=Q(threshold_den__gte=1)
                                   & Q(threshold_num__lte=models.F("threshold_den")),
                                   name="convention_threshold"),
            models.CheckConstraint(condition=Q(comment_days__gte=7), name="convention_comment_7d"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def colleges(self) -> list[str]:
        if self.electorate == self.Electorate.BOTH:
            return [College.MERCHANT, College.RESIDENT]
        return [College.MERCHANT if self.electorate == self.Electorate.MERCHANTS
                else College.RESIDENT]


class ConventionVersion(DistrictScoped):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("正文"))
    clauses = models.JSONField(default=list)  # ["门前三包……", "摊位布局……", ...]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["convention", "-number"]
        constraints = [models.UniqueConstraint(fields=["district", "convention", "number"],
                                               name="convention_version_unique")]


class Comment(DistrictScoped):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    clause = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["convention", "created_at", "id"]


class Channel(models.TextChoices):
    WEB = "web", _("网上")
    BOOTH = "booth", _("现场投票点")
    PAPER = "paper", _("纸质选票")


class VoterRoll(DistrictScoped):
    """Who voted (never how). The unique constraint is the one-vote rule for every channel."""

    class Status(models.TextChoices):
        CAST = "cast", _("已投票")
        PENDING = "pending", _("纸质票待复核")

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="roll")
    college = models.CharField(max_length=10, choices=College.choices)
    voter_key = models.CharField(max_length=80)  # "lic:<licence>" or "tel:<phone>"
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    channel = models.CharField(max_length=6, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CAST)
    entered_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["convention", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "convention", "voter_key"],
                                    name="one_vote_per_voter"),
        ]
        indexes = [models.Index(fields=["convention", "college", "status"], name="roll_turnout")]


class Choice(models.TextChoices):
    YES = "yes", _("赞成")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Ballot(DistrictScoped):
    """How someone voted, with no link to who: counted only after the vote closes."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="ballots")
    college = models.CharField(max_length=10, choices=College.choices)
    choice = models.CharField(max_length=8, choices=Choice.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)

    class Meta:
        indexes = [models.Index(fields=["convention", "college", "choice"], name="ballot_tally")]


class PaperEntry(DistrictScoped):
    """A paper ballot typed in by one officer, counted once a second officer confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        CONFIRMED = "confirmed", _("已复核")
        REJECTED = "rejected", _("复核退回")

    roll = DistrictOneToOneField(VoterRoll, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="paper")
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="paper")
    voter_key = models.CharField(max_length=80)
    ballot_no = models.CharField(_("选票编号"), max_length=30)
    choice = models.CharField(max_length=8, choices=Choice.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "convention", "ballot_no"],
                                    name="paper_ballot_no_unique"),
            models.UniqueConstraint(fields=["district", "roll"], name="paper_roll_once"),
            models.CheckConstraint(condition=Q(confirmed_by__isnull=True)
                                   | ~Q(confirmed_by=models.F("entered_by")),
                                   name="paper_two_officers"),
        ]


class Recount(DistrictScoped):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="recounts")
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=200)
    before = models.JSONField()
    after = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["convention", "created_at"]


class Signature(DistrictScoped):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="signatures")
    version = models.ForeignKey(ConventionVersion, on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "convention", "merchant"],
                                               name="signature_one_per_merchant")]


class ClauseTag(DistrictScoped):
    """A work-order category whose complaints break one clause of a convention."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="tags")
    clause = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "convention", "category"],
                                               name="clause_tag_unique")]


# --- announcements and digests -------------------------------------------------------
class Announcement(DistrictScoped):
    class Kind(models.TextChoices):
        RULES = "rules", _("经营准则")
        FOOD = "food", _("食品安全")
        FIRE = "fire", _("消防安全")
        POLICY = "policy", _("政策解读")
        NOTICE = "notice", _("公告")

    class Audience(models.TextChoices):
        MERCHANTS = "merchants", _("商户")
        RESIDENTS = "residents", _("居民")
        GRID = "grid", _("网格")
        ALL = "all", _("全部")

    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices, default=Kind.NOTICE)
    audience = models.CharField(_("对象"), max_length=10, choices=Audience.choices,
                                default=Audience.ALL)
    grid = models.ForeignKey(Grid, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["district", "-published_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(audience="grid") | Q(grid__isnull=False),
                                              name="announcement_grid_named")]


class Receipt(DistrictScoped):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="receipts")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "announcement", "merchant"],
                                               name="receipt_one_per_merchant")]


class DigestItem(DistrictScoped):
    """A notification waiting for the recipient's daily digest."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=120)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "user"], name="digest_pending")]

"""Party organisation (党组织): the tree, alliances, agreements, members, mobile check-ins."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictScoped, PublicTokenOwner


def new_station_token() -> str:
    """What a liaison station's QR code carries: never the internal id."""
    return secrets.token_urlsafe(9)


class OrgLevel(DistrictScoped):
    """A configurable level of the tree: 街道党工委 → 商圈党委 → … → 双报到单位."""

    name = models.CharField(_("层级名称"), max_length=40)
    depth = models.PositiveSmallIntegerField(_("层级序号"))

    class Meta:
        ordering = ["district", "depth"]
        verbose_name = _("组织层级")
        verbose_name_plural = _("组织层级")
        constraints = [
            models.UniqueConstraint(fields=["district", "depth"], name="org_level_depth_unique"),
            models.UniqueConstraint(fields=["district", "name"], name="org_level_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class OrgUnit(DistrictScoped):
    """A party organisation: a node of the tree, a functional committee, an alliance,
    or an outside unit (fire brigade, police station) that joins alliances."""

    class Kind(models.TextChoices):
        TREE = "tree", _("组织")
        FUNCTIONAL = "functional", _("功能型党委")
        ALLIANCE = "alliance", _("党建联盟")
        EXTERNAL = "external", _("共建单位")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.TREE)
    level = models.ForeignKey(OrgLevel, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="units", verbose_name=_("层级"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("上级组织"))
    hotspot = models.CharField(_("对应点位"), max_length=100, blank=True,
                               help_text=_("一点一盟一策：联盟对应的热点"))
    policy = models.TextField(_("工作策略"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "kind", "name"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="org_unit_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=["tree", "functional", "alliance",
                                                         "external"]),
                                   name="org_unit_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="org_unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class AllianceMember(DistrictScoped):
    """A unit joining a functional committee or alliance from outside the tree."""

    alliance = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships",
                                 verbose_name=_("联盟"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="alliances",
                             verbose_name=_("成员单位"))
    duty = models.CharField(_("职责"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("联盟成员单位")
        verbose_name_plural = _("联盟成员单位")
        constraints = [
            models.UniqueConstraint(fields=["district", "alliance", "unit"],
                                    name="alliance_member_unique"),
            models.CheckConstraint(condition=~Q(alliance=F("unit")),
                                   name="alliance_member_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.unit}"


class Agreement(DistrictScoped):
    """共建协议 (an agreement with dates) or 结对共建 (a pairing) between two units."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("共建协议")
        PAIRING = "pairing", _("结对共建")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices,
                            default=Kind.AGREEMENT)
    title = models.CharField(_("名称"), max_length=120)
    unit_a = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("甲方"))
    unit_b = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("乙方"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    content = models.TextField(_("共建内容"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "-starts_on"]
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")
        constraints = [
            models.CheckConstraint(condition=~Q(unit_a=F("unit_b")), name="agreement_two_units"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True)
                                   | Q(ends_on__gte=F("starts_on")),
                                   name="agreement_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class PartyMember(DistrictScoped):
    """A party member of a unit; merchants link to the member who runs them."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        COMMITTEE = "committee", _("委员")
        MEMBER = "member", _("党员")
        ACTIVIST = "activist", _("入党积极分子")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="members",
                             verbose_name=_("所在组织"))
    # A private person: the audit trail masks the name (core.audit.snapshot).
    AUDIT_PERSON_FIELDS = ("name",)

    name = models.CharField(_("姓名"), max_length=40)
    role = models.CharField(_("职务"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="party_memberships")
    is_instructor = models.BooleanField(_("党建指导员"), default=False)
    joined_on = models.DateField(_("入党时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "unit", "name"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["secretary", "committee", "member",
                                                         "activist"]),
                                   name="party_member_role_valid"),
        ]
        indexes = [models.Index(fields=["district", "role"])]

    def __str__(self) -> str:
        return self.name


class InstructorAssignment(DistrictScoped):
    """党建指导员 assigned to a unit (a member may guide several)."""

    instructor = models.ForeignKey(PartyMember, on_delete=models.CASCADE,
                                   related_name="guided", verbose_name=_("指导员"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="instructors",
                             verbose_name=_("指导单位"))
    assigned_on = models.DateField(_("派驻日期"))

    class Meta:
        verbose_name = _("指导员派驻")
        verbose_name_plural = _("指导员派驻")
        constraints = [
            models.UniqueConstraint(fields=["district", "instructor", "unit"],
                                    name="instructor_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.instructor} → {self.unit}"


class LiaisonStation(PublicTokenOwner, DistrictScoped):
    """流动党员联络站 with its own QR code."""

    public_token_field = "token"

    name = models.CharField(_("名称"), max_length=80)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="stations", verbose_name=_("所属组织"))
    token = models.CharField(max_length=16, default=new_station_token,
                             editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("联络站")
        verbose_name_plural = _("联络站")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="station_name_unique"),
            # Also reserved city-wide in core.PublicToken (the QR code carries only it).
            models.UniqueConstraint(fields=["district", "token"],
                                    name="liaison_station_token_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MobileMember(DistrictScoped):
    """流动党员: known by their normalised phone within a district."""

    AUDIT_PERSON_FIELDS = ("name",)  # a private person (core.audit masks it)

    name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("手机号"), max_length=20)
    home_unit = models.CharField(_("组织关系所在党组织"), max_length=120)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    last_station = models.ForeignKey(LiaisonStation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    check_in_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["district", "-last_seen_at"]
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        constraints = [
            models.UniqueConstraint(fields=["district", "phone"],
                                    name="mobile_member_phone_unique"),
        ]
        indexes = [models.Index(fields=["district", "last_seen_at"])]

    def __str__(self) -> str:
        return self.name


class CheckIn(DistrictScoped):
    """One scan of a station's QR code by a mobile member."""

    member = models.ForeignKey(MobileMember, on_delete=models.CASCADE, related_name="check_ins")
    station = models.ForeignKey(LiaisonStation, on_delete=models.PROTECT,
                                related_name="check_ins")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("报到记录")
        verbose_name_plural = _("报到记录")
        indexes = [models.Index(fields=["district", "station", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.member} @ {self.station}"

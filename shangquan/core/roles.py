"""Roles a person can hold in a district (DESIGN section 1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    MERCHANT = "merchant", _("商户")
    GRID_LEADER = "grid_leader", _("邻铺长")
    ASSOCIATION = "association", _("商会协会")
    COMMUNITY = "community", _("社区")
    COMMITTEE = "committee", _("商圈党委")
    DEPARTMENT = "department", _("职能部门")
    STREET = "street", _("街道党工委")
    VOLUNTEER = "volunteer", _("志愿者")


STAFF_ROLES = frozenset(
    {Role.GRID_LEADER, Role.ASSOCIATION, Role.COMMUNITY, Role.COMMITTEE, Role.DEPARTMENT, Role.STREET}
)
ALL_ROLES = frozenset(Role)

"""Merchants (商户) and grids (十邻铺): the backbone every other module points at."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictScoped


def new_public_token() -> str:
    """An unguessable public identifier for QR codes: never the internal id."""
    return secrets.token_urlsafe(9)


class Grid(DistrictScoped):
    """十邻铺: about ten neighbouring shops with a grid leader (邻铺长)."""

    name = models.CharField(_("网格名称"), max_length=60)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="led_grids",
                               verbose_name=_("邻铺长"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="grid_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Merchant(DistrictScoped):
    class Status(models.TextChoices):
        OPEN = "open", _("营业")
        SUSPENDED = "suspended", _("停业")
        DEREGISTERED = "deregistered", _("注销")

    public_token = models.CharField(max_length=16, unique=True, default=new_public_token,
                                    editable=False)
    name = models.CharField(_("商户名称"), max_length=100)
    licence_no = models.CharField(_("营业执照号"), max_length=32)
    category = models.CharField(_("经营类别"), max_length=30)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.OPEN)
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="merchants", verbose_name=_("网格"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    stall_no = models.CharField(_("摊位号"), max_length=30, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="owned_merchants",
                              verbose_name=_("经营者账号"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("商户")
        verbose_name_plural = _("商户")
        constraints = [
            models.UniqueConstraint(fields=["district", "licence_no"],
                                    name="merchant_licence_unique_per_district"),
            models.CheckConstraint(condition=Q(status__in=["open", "suspended", "deregistered"]),
                                   name="merchant_status_valid"),
        ]
        indexes = [models.Index(fields=["district", "status"]),
                   models.Index(fields=["district", "category"])]

    def __str__(self) -> str:
        return self.name

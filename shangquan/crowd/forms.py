"""Form parsing for the console pages; the services validate the rest."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Control, Zone


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(label=_("类型"), choices=Zone.Kind.choices)
    area_m2 = forms.DecimalField(label=_("可用面积（㎡）"), min_value=Decimal("0.1"),
                                 max_digits=10, decimal_places=1)
    area_per_person = forms.DecimalField(label=_("人均面积（㎡/人）"), min_value=Decimal("0.1"),
                                         max_digits=5, decimal_places=2, initial=Decimal("1.0"))
    capacity = forms.IntegerField(label=_("承载量（留空则按面积计算）"), min_value=1,
                                  required=False)
    parent = forms.ModelChoiceField(label=_("上级区域"), queryset=Zone.objects.none(),
                                    required=False)
    waiting_zone = forms.ModelChoiceField(label=_("分流等候区"), queryset=Zone.objects.none(),
                                          required=False)
    opens_at = forms.TimeField(label=_("开放时间"), initial="17:00")
    closes_at = forms.TimeField(label=_("关闭时间"), initial="23:30")
    mean_stay_minutes = forms.IntegerField(label=_("平均停留（分钟）"), min_value=1,
                                           max_value=1440, initial=90)
    yellow_pct = forms.IntegerField(label=_("黄色预警 %"), min_value=1, max_value=300,
                                    initial=80)
    orange_pct = forms.IntegerField(label=_("橙色预警 %"), min_value=1, max_value=300,
                                    initial=90)
    red_pct = forms.IntegerField(label=_("红色预警 %"), min_value=1, max_value=300, initial=100)
    limit_at_pct = forms.IntegerField(label=_("达到此比例限流 %"), min_value=1, max_value=300,
                                      initial=90)
    open_below_pct = forms.IntegerField(label=_("低于此比例恢复开放 %"), min_value=1,
                                        max_value=300, initial=80)
    close_at_pct = forms.IntegerField(label=_("达到此比例暂停进入 %"), min_value=1,
                                      max_value=300, initial=100)
    reopen_below_pct = forms.IntegerField(label=_("低于此比例恢复限流 %"), min_value=1,
                                          max_value=300, initial=92)
    unstable_density = forms.DecimalField(label=_("失稳密度（人/㎡）"), min_value=Decimal("0.5"),
                                          max_value=Decimal("10"), initial=Decimal("4.0"))

    def __init__(self, *args, district, zone: Zone | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        others = Zone.objects.filter(district=district)
        if zone is not None:
            others = others.exclude(pk=zone.pk)
        self.fields["parent"].queryset = others
        self.fields["waiting_zone"].queryset = others.filter(kind=Zone.Kind.WAITING)

    @classmethod
    def initial_for(cls, zone: Zone) -> dict:
        data = {name: getattr(zone, name) for name in cls.base_fields
                if name not in ("capacity", "parent", "waiting_zone")}
        data.update(parent=zone.parent_id, waiting_zone=zone.waiting_zone_id,
                    capacity=zone.capacity if zone.capacity_manual else None)
        return data


class GateForm(forms.Form):
    zone = forms.ModelChoiceField(label=_("所属区域"), queryset=Zone.objects.none())
    code = forms.SlugField(label=_("编号"), max_length=24)
    name = forms.CharField(label=_("名称"), max_length=60)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(district=district)


class CountForm(forms.Form):
    counted = forms.IntegerField(label=_("清点人数"), min_value=0)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class OverrideForm(forms.Form):
    control = forms.ChoiceField(label=_("管控状态"), choices=Control.choices)
    minutes = forms.IntegerField(label=_("接管时长（分钟）"), min_value=1, max_value=720,
                                 initial=30)
    note = forms.CharField(label=_("说明（必填）"), max_length=200)

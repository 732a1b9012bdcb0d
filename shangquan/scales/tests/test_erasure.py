"""PIPL art. 47 and the 公平秤: a shopper's re-weigh complaint leaves their name and phone
only on the work order it files (``Reweigh`` keeps neither, by design); erasing the person
blanks that copy (workorders' ``person_erased`` hook), and no scales row names them."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from shangquan.core import services as core_services
from shangquan.core.tests.factories import user_factory
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales import services
from shangquan.scales.models import Reweigh
from shangquan.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_erasing_a_shopper_leaves_no_copy_of_their_complaint_details(north, city_admin):
    shopper = user_factory("shopper", phone="13700004321")
    shop = merchant_factory(north.district, name="老李肉铺")
    reweigh = services.reweigh_record(actor=shopper, district=north.district, merchant=shop,
                                      goods="牛肉", band="standard", claimed_g="1000",
                                      measured_g="980", client_key="10.0.0.5")
    services.reweigh_complain(actor=shopper, district=north.district, reweigh=reweigh,
                              reporter_phone="13700004321", reporter_name="陈女士")
    reweigh.refresh_from_db()
    order = WorkOrder.objects.get(pk=reweigh.work_order_id)
    assert (order.reporter_name, order.reporter_phone) == ("陈女士", "13700004321")
    core_services.resident_erase(actor=city_admin, user=shopper, reason="本人申请删除个人信息")
    order.refresh_from_db()
    assert (order.reporter_name, order.reporter_phone, order.reporter_id) == ("", "", None)
    for row in Reweigh.objects.all():
        text = str(model_to_dict(row))
        assert "13700004321" not in text and "陈女士" not in text
    reweigh.refresh_from_db()
    assert reweigh.work_order_id == order.pk and reweigh.verdict == "short"  # the record stays

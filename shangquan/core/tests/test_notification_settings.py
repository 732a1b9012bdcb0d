"""Each person sets, per kind of notification, immediately / in-app only / daily digest /
off, and core's notification_send honours it; an empty digest is never sent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shangquan.core import services
from shangquan.core.actors import SYSTEM
from shangquan.core.errors import PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog, Notification, NotificationPreference, Profile
from shangquan.core.roles import Role
from shangquan.workorders.tests.factories import order_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(north):
    user = north.people[Role.RESIDENT]
    Profile.objects.filter(user=user).update(phone_verified_at=timezone.now())
    user.refresh_from_db()
    return user


def test_modes_are_honoured(north, resident, monkeypatch):
    sent = []
    monkeypatch.setattr(services.notify, "notice_send_later", lambda **kw: sent.append(kw))
    send = dict(district=north.district, user=resident, title="进展", sms=True,
                kind="workorders.progress")
    assert services.notification_send(**send) is not None and len(sent) == 1  # default
    services.notification_preferences_set(actor=resident, user=resident,
                                          modes={"workorders.progress": "in_app"})
    assert services.notification_send(**send) is not None and len(sent) == 1
    services.notification_preferences_set(actor=resident, user=resident,
                                          modes={"workorders.progress": "off"})
    assert services.notification_send(**send) is None
    assert Notification.objects.filter(user=resident).count() == 2
    # Another kind is untouched by this choice.
    services.notification_send(district=north.district, user=resident, title="其他", sms=True)
    assert len(sent) == 2
    assert AuditLog.objects.filter(action="core.notification.preferences").count() == 2


def test_digest_collects_and_never_sends_empty(north, resident, monkeypatch):
    sent = []
    monkeypatch.setattr(services.notify, "notice_send_later", lambda **kw: sent.append(kw))
    assert services.notification_digest_send(actor=SYSTEM) == 0  # nothing kept: nothing sent
    services.notification_preferences_set(actor=resident, user=resident,
                                          modes={"workorders.progress": "digest"})
    order = order_factory(north)  # the reporter's progress below goes to the digest
    services_wo = __import__("shangquan.workorders.services", fromlist=["x"])
    services_wo.work_order_dispatch(actor=north.people[Role.COMMITTEE], district=north.district,
                                    order=order, department=north.department)
    assert sent == [] and Notification.objects.filter(user=resident, digest_pending=True).count() == 1
    assert services.notification_digest_send(actor=SYSTEM) == 1
    assert len(sent) == 1 and "1" in sent[0]["notification"].title
    assert Notification.objects.filter(user=resident, title__contains="今日汇总").count() == 1
    assert services.notification_digest_send(actor=SYSTEM) == 0  # sent once
    assert len(sent) == 1


def test_only_own_settings_and_known_values(north, resident):
    with pytest.raises(PermissionDenied):
        services.notification_preferences_set(actor=north.people[Role.COMMITTEE], user=resident,
                                              modes={"general": "off"})
    with pytest.raises(ValidationFailed):
        services.notification_preferences_set(actor=resident, user=resident,
                                              modes={"nope": "off"})
    with pytest.raises(ValidationFailed):
        services.notification_preferences_set(actor=resident, user=resident,
                                              modes={"general": "loud"})
    assert not NotificationPreference.objects.exists()


def test_settings_page(client, north, resident):
    assert client.get("/account/notifications/").status_code == 302
    client.force_login(resident)
    page = client.get("/account/notifications/").content.decode()
    assert "我反映或关注的问题有进展" in page and "每日汇总" in page
    answer = client.post("/account/notifications/", {"kind-workorders.progress": "digest"})
    assert answer.status_code == 302
    assert NotificationPreference.objects.get(user=resident, kind="workorders.progress").mode == "digest"
    assert client.post("/account/notifications/", {"kind-general": "x"}).status_code == 422

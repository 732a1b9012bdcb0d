import pytest
from django.core.cache import cache

from shangquan.core.actors import SYSTEM
from shangquan.core.health import WORKER, heartbeat_record
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_healthz(client):
    heartbeat_record(name=WORKER)  # a running worker (test_health.py: without one)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_login_then_console_shows_role_menu(north, client):
    response = client.post("/login/", {"username": north.people[Role.COMMITTEE].username,
                                       "password": "test-pass-123"})
    assert response.status_code == 302
    response = client.get("/console/", follow=True)
    html = response.content.decode()
    assert "北街夜市" in html and "审计日志" in html


def test_console_menu_hides_staff_items_from_residents(north, client):
    client.force_login(north.people[Role.RESIDENT])
    html = client.get(f"/console/{north.district.code}/").content.decode()
    assert "审计日志" not in html


def test_foreign_district_console_is_404(north, south, client):
    client.force_login(north.people[Role.COMMITTEE])
    assert client.get(f"/console/{south.district.code}/").status_code == 404
    assert client.get("/console/NOPE/").status_code == 404


def test_wrong_password_shows_error(north, client):
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()


def test_english_page(client):
    response = client.get("/login/", headers={"Accept-Language": "en"})
    assert "Staff sign-in" in response.content.decode()


def test_csp_header(client):
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]


def test_deploy_check_is_clean(monkeypatch):
    import subprocess
    import sys

    env = {"SHANGQUAN_ENV": "production", "SHANGQUAN_SECRET_KEY": "x" * 64 + "-Prod-Key-!@#",
           "SHANGQUAN_ALLOWED_HOSTS": "shangquan.example.cn", "PATH": "/usr/bin:/bin",
           "SHANGQUAN_SMS_SENDER": "shangquan.core.sms_aliyun.AliyunSender"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_console_cards_are_cached_briefly_per_user(north, client):
    from shangquan.core import services
    from shangquan.core.dashboard import cards_for

    user = north.people[Role.COMMITTEE]
    before = {c["label"]: c["value"] for c in cards_for(user, north.district)}
    services.department_create(actor=user, district=north.district, code="xf", name="消防")
    cached = {c["label"]: c["value"] for c in cards_for(user, north.district)}
    fresh = {c["label"]: c["value"] for c in cards_for(user, north.district, fresh=True)}
    assert cached["职能部门"] == before["职能部门"]
    assert fresh["职能部门"] == before["职能部门"] + 1


def test_mark_all_read_is_scoped_to_the_district_and_audited(north, south, client):
    from shangquan.core.models import AuditLog, Notification
    from shangquan.core.services import membership_grant, notification_send

    user = north.people[Role.COMMITTEE]
    membership_grant(actor=SYSTEM, district=south.district, user=user, role=Role.VOLUNTEER)
    notification_send(district=north.district, user=user, title="北街")
    notification_send(district=south.district, user=user, title="南门")
    client.force_login(user)
    client.post(f"/console/{north.district.code}/notifications/")
    assert list(Notification.objects.filter(read_at__isnull=True)
                .values_list("title", flat=True)) == ["南门"]
    assert AuditLog.objects.filter(action="core.notification.read", district=north.district).exists()

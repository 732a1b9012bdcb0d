"""Build districts and people for tests, through the real services."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from shangquan.core import services
from shangquan.core.actors import SYSTEM
from shangquan.core.models import Department, District
from shangquan.core.roles import Role

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def district_factory(code: str | None = None, name: str | None = None) -> District:
    n = next(_seq)
    code = code or f"T{n:03d}"
    return services.district_create(actor=SYSTEM, code=code, name=name or f"测试商圈{n}",
                                    city="测试市")


def department_factory(district: District, code: str = "scjg",
                       name: str = "市场监管") -> Department:
    existing = Department.objects.filter(district=district, code=code).first()
    return existing or services.department_create(actor=SYSTEM, district=district, code=code,
                                                  name=name)


def user_factory(username: str | None = None, *, phone: str | None = None,
                 superuser: bool = False):
    username = username or f"user{next(_seq)}"
    return services.user_create(actor=SYSTEM, username=username, password=PASSWORD,
                                display_name=username, phone=phone, is_superuser=superuser)


def member_factory(district: District, role: str, *, username: str | None = None,
                   department: Department | None = None, phone: str | None = None):
    if role == Role.DEPARTMENT and department is None:
        department = department_factory(district)
    user = user_factory(username or f"{district.code.lower()}-{role}-{next(_seq)}", phone=phone)
    services.membership_grant(actor=SYSTEM, district=district, user=user, role=role,
                              department=department)
    return get_user_model().objects.get(pk=user.pk)


def token_for(user) -> str:
    _token, raw = services.token_issue(actor=user, user=user, name="test")
    return raw

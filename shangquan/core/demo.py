"""Demo districts modelled on the five source articles (shared/seeds).

``demo_load`` builds the districts, their departments and one user per role, then
calls ``load(ctx)`` in every app's ``demo.py`` (in INSTALLED_APPS order) so each
module adds its own data. Everything is seeded, so two runs give the same data.

``street_districts=N`` (``demo --street-districts N``, for the street's-view benchmark)
adds N − 1 smaller sibling districts to 胜阳港街道 (``SYG002`` …), each with its own
users and every app's demo data, and gives the demo street user (``syg-street``) its
role in all of them, so the street oversees N districts.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import services
from .actors import SYSTEM
from .extensions import collect
from .links import site_url
from .models import Department, District, Membership
from .roles import Role

DEMO_PASSWORD = "shangquan-demo"
ADMIN_USERNAME = "admin"

DEPARTMENTS = [
    ("scjg", "市场监管"),
    ("cgzf", "城管执法"),
    ("xf", "消防救援"),
    ("ga", "公安派出所"),
    ("yjgl", "应急管理"),
    ("zj", "住建"),
]


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    city: str
    street: str
    description: str
    lat: float
    lon: float
    merchants: int  # base volume, multiplied by --scale
    associations: tuple[str, ...]
    categories: tuple[str, ...]
    kind: str  # night_market | street | associations | scenic | mall
    extra: dict = field(default_factory=dict)


DISTRICTS: list[DistrictSpec] = [
    DistrictSpec(
        "LHYS", "凌河夜市", "辽宁省锦州市凌河区", "凌河实业商圈党委",
        "辽宁省夜经济示范街区：功能型党委联合消防救援大队、凌安派出所、政通公益救援队，"
        "主入口设等候区分段限流。", 41.1192, 121.1477, 320, ("凌河夜市商户联合会",),
        ("小吃", "餐饮", "饮品", "服饰", "文创", "游乐"), "night_market"),
    DistrictSpec(
        "YJGC", "永嘉国潮街区", "福建省泉州市泉港区", "山腰街道",
        "“港市红”商圈党建：街道党工委—商圈党委—基层党支部—党员商户四级架构，十邻铺+邻铺长。",
        25.1262, 118.9154, 180, ("五号商业楼商户协会", "国潮街区商会"),
        ("国潮文创", "餐饮", "服饰", "茶饮", "美妆", "生鲜"), "street"),
    DistrictSpec(
        "SYG", "胜阳港商圈", "湖北省黄石市黄石港区", "胜阳港街道",
        "交通路、摩尔城、永安里、钟楼烟火四大商会协会共治，文明诚信商户评选、流动红旗。",
        30.2158, 115.0860, 240, ("交通路商会", "摩尔城商会", "永安里商会", "钟楼烟火行业协会"),
        ("餐饮", "小吃", "服饰", "生鲜", "百货", "烧烤"), "associations"),
    DistrictSpec(
        "JFB", "解放碑网红景点", "重庆市渝中区", "解放碑街道",
        "解放碑、洪崖洞、朝天门：党建引领网红治理功能型党建联盟，“小个专”党组织，诚信计量。",
        29.5577, 106.5770, 150, ("渝中区个体劳动者协会", "解放碑商圈商会"),
        ("火锅", "小吃", "文创", "特产", "饮品", "餐饮"), "scenic"),
    DistrictSpec(
        "WDZZ", "万达紫贞商圈", "湖北省襄阳市高新区", "紫贞街道",
        "万达广场、现代城数码枢纽港、体育运动中心：党建“五级联动”，2500 余家商户，"
        "新就业群体驿站。", 32.0688, 112.1722, 2500, ("万达广场商户联合会", "现代城数码商会"),
        ("餐饮", "服饰", "数码", "生鲜", "美容美发", "教育培训", "百货"), "mall"),
]


@dataclass
class DemoContext:
    """What an app's ``demo.load(ctx)`` receives for one district."""

    district: District
    spec: DistrictSpec
    rng: random.Random
    scale: int
    users: dict[str, Any]  # role -> the demo user of that role
    departments: dict[str, Department]  # code -> department
    department_users: dict[str, Any]  # department code -> its demo user
    progress: Callable[[str], None]
    logins: list[tuple[str, str, str, str]]  # (district, role, username, password)

    def username(self, suffix: str) -> str:
        return f"{self.district.code.lower()}-{suffix}"


def _demo_user(username: str, display_name: str, phone: str | None = None):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(actor=SYSTEM, username=username, password=None,
                                    display_name=display_name, phone=phone)
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


@cache
def _demo_password_hash() -> str:
    # Hashing once keeps the demo fast: dozens of users share the demo password.
    return make_password(DEMO_PASSWORD)


def _grant(district: District, user, role: str, department: Department | None = None) -> None:
    if not Membership.objects.filter(district=district, user=user, role=role,
                                     department=department).exists():
        services.membership_grant(actor=SYSTEM, district=district, user=user, role=role,
                                  department=department)


ROLE_NAMES = {
    Role.RESIDENT: "居民", Role.MERCHANT: "商户", Role.GRID_LEADER: "邻铺长",
    Role.ASSOCIATION: "商会", Role.COMMUNITY: "社区", Role.COMMITTEE: "商圈党委",
    Role.STREET: "街道党工委", Role.VOLUNTEER: "志愿者",
}


def _district_base(spec: DistrictSpec, index: int, logins: list) -> tuple:
    district = District.objects.filter(code=spec.code).first() or services.district_create(
        actor=SYSTEM, code=spec.code, name=spec.name, city=spec.city, street=spec.street,
        description=spec.description, latitude=Decimal(str(spec.lat)),
        longitude=Decimal(str(spec.lon)))
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code] = (Department.objects.filter(district=district, code=code).first()
                             or services.department_create(actor=SYSTEM, district=district,
                                                           code=code, name=name))
    users = {}
    for n, (role, label) in enumerate(ROLE_NAMES.items()):
        username = f"{spec.code.lower()}-{role}"
        # Residents log in by phone; the demo resident's phone is 1390000xx0n.
        phone = ((f"139{index:02d}00{n:04d}" if index < 100 else f"138{index:04d}{n:04d}")
                 if role == Role.RESIDENT else None)
        user = _demo_user(username, f"{spec.name}{label}", phone=phone)
        _grant(district, user, role)
        users[str(role)] = user
        logins.append((spec.code, str(role), username,
                       f"{DEMO_PASSWORD} / 手机 {phone}" if phone else DEMO_PASSWORD))
    department_users = {}
    for code, dept in departments.items():
        username = f"{spec.code.lower()}-dept-{code}"
        user = _demo_user(username, f"{spec.name}{dept.name}")
        _grant(district, user, Role.DEPARTMENT, dept)
        department_users[code] = user
        logins.append((spec.code, f"department:{code}", username, DEMO_PASSWORD))
    users[str(Role.DEPARTMENT)] = department_users["scjg"]
    return district, departments, users, department_users


STREET_SPEC = "SYG"  # the district whose street gets the siblings
SIBLING_MERCHANTS = 12  # a sibling's base volume (× scale): many small districts


def street_siblings(count: int) -> list[DistrictSpec]:
    """``count`` − 1 small districts in the street of ``STREET_SPEC``, spread around it."""
    spec = next(s for s in DISTRICTS if s.code == STREET_SPEC)
    out = []
    for n in range(2, count + 1):
        out.append(dataclasses.replace(
            spec, code=f"{spec.code}{n:03d}", name=f"{spec.name}第{n}片区",
            description=f"{spec.street}辖区的第 {n} 个商圈片区（基准测试用）。",
            lat=round(spec.lat + ((n % 10) - 5) * 0.004, 4),
            lon=round(spec.lon + ((n // 10) - 5) * 0.004, 4),
            merchants=SIBLING_MERCHANTS, associations=spec.associations[:1]))
    return out


def demo_load(*, scale: int = 1, seed: int = 2026, codes: list[str] | None = None,
              progress: Callable[[str], None] = lambda msg: None,
              street_districts: int = 1) -> list[tuple]:
    logins: list[tuple[str, str, str, str]] = []
    User = get_user_model()
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        services.user_create(actor=SYSTEM, username=ADMIN_USERNAME, password=DEMO_PASSWORD,
                             display_name="市级管理员", is_superuser=True)
    logins.append(("*", "city admin (superuser)", ADMIN_USERNAME, DEMO_PASSWORD))
    loaders = list(collect("demo"))
    specs = [(i, s) for i, s in enumerate(DISTRICTS) if not codes or s.code in codes]
    siblings = street_siblings(street_districts) if street_districts > 1 else []
    street_user = None
    for index, spec in specs + [(len(DISTRICTS) + n, s) for n, s in enumerate(siblings)]:
        sibling = spec in siblings
        if sibling and District.objects.filter(code=spec.code).exists():
            continue  # a sibling from an earlier run is left as is (a rerun adds the rest)
        progress(f"· {spec.name} ({spec.code})")
        with transaction.atomic():
            district, departments, users, department_users = _district_base(
                spec, index, [] if sibling else logins)  # siblings' logins: not printed
            if spec.code == STREET_SPEC:
                street_user = users[str(Role.STREET)]
            elif sibling:
                street_user = street_user or _demo_user(
                    f"{STREET_SPEC.lower()}-{Role.STREET}", f"{spec.street}党工委")
                _grant(district, street_user, Role.STREET)
        for module in loaders:
            ctx = DemoContext(district=district, spec=spec,
                              rng=random.Random(f"{seed}:{spec.code}:{module.__name__}"),
                              scale=max(1, scale), users=users, departments=departments,
                              department_users=department_users, progress=progress,
                              logins=logins)
            module.load(ctx)
    return logins


def logins_table(logins: list[tuple]) -> str:
    lines = ["", f"Demo logins 示例账号 ({site_url()}/login/):",
             f"{'district':<9}{'role':<26}{'username':<24}password"]
    lines += [f"{d:<9}{r:<26}{u:<24}{p}" for d, r, u, p in logins]
    lines.append("Residents: /login/phone/ with the phone above; the one-time code is "
                  "printed in the server log. 居民用手机号登录，验证码见服务日志。")
    return "\n".join(lines)

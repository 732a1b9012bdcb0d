from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from . import selectors, services
from .apibase import paginate
from .errors import NotFound
from .models import ApiToken
from .pii import phone_mask

router = Router(tags=["core"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


class PhoneIn(Schema):
    phone: str


class OtpVerifyIn(Schema):
    phone: str
    code: str


class SentOut(Schema):
    sent: bool
    phone: str
    expires_in: int


@router.post("/auth/token", auth=None, response=TokenOut)
def auth_token(request: HttpRequest, payload: TokenIn):
    user = services.user_authenticate(request=request, username=payload.username,
                                      password=payload.password)
    _token, raw = services.token_issue(actor=user, user=user, name=payload.name or "api")
    return {"token": raw}


@router.post("/auth/otp", auth=None, response=SentOut)
def auth_otp(request: HttpRequest, payload: PhoneIn):
    otp = services.otp_send(request=request, phone=payload.phone)
    return {"sent": True, "phone": phone_mask(otp.phone),
            "expires_in": int((otp.expires_at - otp.created_at).total_seconds())}


@router.post("/auth/otp/verify", auth=None, response=TokenOut)
def auth_otp_verify(request: HttpRequest, payload: OtpVerifyIn):
    user = services.otp_verify(request=request, phone=payload.phone, code=payload.code)
    _token, raw = services.token_issue(actor=user, user=user, name="otp")
    return {"token": raw}


class TokenInfo(Schema):
    id: int
    prefix: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.get("/auth/tokens", response=list[TokenInfo])
def auth_tokens(request: HttpRequest):
    return list(ApiToken.objects.filter(user=request.user).order_by("-created_at"))


@router.post("/auth/tokens/{token_id}/revoke", response=TokenInfo)
def auth_token_revoke(request: HttpRequest, token_id: int):
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise NotFound()
    return services.token_revoke(actor=request.user, token=token)


class MembershipOut(Schema):
    district: str
    role: str
    department: str | None


class MeOut(Schema):
    username: str
    display_name: str
    phone: str
    is_city_admin: bool
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    user = request.user
    profile = getattr(user, "profile", None)
    memberships = user.memberships.filter(is_active=True).select_related("district", "department")
    return {
        "username": user.get_username(),
        "display_name": getattr(profile, "display_name", "") or user.first_name,
        "phone": phone_mask(getattr(profile, "phone", "")),
        "is_city_admin": user.is_superuser,
        "memberships": [{"district": m.district.code, "role": m.role,
                         "department": m.department.name if m.department else None}
                        for m in memberships],
    }


class DistrictOut(Schema):
    code: str
    name: str
    city: str
    street: str
    roles: list[str]


@router.get("/districts", response=list[DistrictOut])
def district_list(request: HttpRequest):
    from . import policies

    return [{"code": d.code, "name": d.name, "city": d.city, "street": d.street,
             "roles": sorted(policies.roles_of(request.user, d))}
            for d in selectors.district_list_visible(user=request.user)]


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool


class DepartmentIn(Schema):
    code: str
    name: str


class DepartmentPatch(Schema):
    name: str | None = None
    is_active: bool | None = None


@router.get("/districts/{code}/departments", response=list[DepartmentOut])
def department_list(request: HttpRequest, code: str):
    district = selectors.access_district(user=request.user, code=code)
    return list(selectors.department_list(district=district, active_only=False))


@router.post("/districts/{code}/departments", response={201: DepartmentOut})
def department_create(request: HttpRequest, code: str, payload: DepartmentIn):
    district = selectors.access_district(user=request.user, code=code)
    return Status(201, services.department_create(actor=request.user, district=district,
                                                  code=payload.code, name=payload.name))


@router.patch("/districts/{code}/departments/{department_id}", response=DepartmentOut)
def department_update(request: HttpRequest, code: str, department_id: int,
                      payload: DepartmentPatch):
    from .models import Department

    district = selectors.access_district(user=request.user, code=code)
    department = selectors.access_scoped(Department, district=district, pk=department_id)
    return services.department_update(actor=request.user, department=department,
                                      name=payload.name, is_active=payload.is_active)


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_label: str
    object_type: str
    object_id: str
    object_repr: str
    action: str
    before: dict | None
    after: dict | None


class AuditPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditOut]


@router.get("/districts/{code}/audit", response=AuditPage)
def audit_list(request: HttpRequest, code: str, object_type: str = "", action: str = "",
               limit: int = 50, offset: int = 0):
    district = selectors.access_district(user=request.user, code=code)
    qs = selectors.audit_list(user=request.user, district=district, object_type=object_type,
                              action=action)
    items, meta = paginate(qs, limit=limit, offset=offset)
    return {**meta, "items": items}


class MemberOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    role: str
    department: str | None
    is_active: bool


class MemberIn(Schema):
    username: str
    role: str
    department_id: int | None = None


def _member_out(m) -> dict:
    profile = getattr(m.user, "profile", None)
    return {"id": m.pk, "username": m.user.get_username(),
            "display_name": getattr(profile, "display_name", "") or m.user.first_name,
            "phone": phone_mask(getattr(profile, "phone", "")), "role": m.role,
            "department": m.department.name if m.department else None,
            "is_active": m.is_active}


@router.get("/districts/{code}/memberships", response=list[MemberOut])
def membership_list(request: HttpRequest, code: str, role: str = ""):
    from . import policies

    district = selectors.access_district(user=request.user, code=code)
    policies.require(request.user, district, "membership.manage")
    return [_member_out(m) for m in selectors.membership_list(district=district, role=role)]


@router.post("/districts/{code}/memberships", response={201: MemberOut})
def membership_grant(request: HttpRequest, code: str, payload: MemberIn):
    from django.contrib.auth import get_user_model

    from .models import Department

    district = selectors.access_district(user=request.user, code=code)
    user = get_user_model().objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise NotFound()
    department = (selectors.access_scoped(Department, district=district,
                                          pk=payload.department_id)
                  if payload.department_id else None)
    membership = services.membership_grant(actor=request.user, district=district, user=user,
                                           role=payload.role, department=department)
    return Status(201, _member_out(membership))


@router.post("/districts/{code}/memberships/{membership_id}/revoke", response=MemberOut)
def membership_revoke(request: HttpRequest, code: str, membership_id: int):
    from .models import Membership

    district = selectors.access_district(user=request.user, code=code)
    membership = selectors.access_scoped(Membership.objects.select_related("user", "department"),
                                         district=district, pk=membership_id)
    services.membership_revoke(actor=request.user, membership=membership)
    return _member_out(membership)


class DeviceOut(Schema):
    id: int
    name: str
    kind: str
    is_active: bool


class DeviceIn(Schema):
    name: str
    kind: str


class DeviceCreated(DeviceOut):
    token: str


@router.get("/districts/{code}/devices", response=list[DeviceOut])
def device_list(request: HttpRequest, code: str):
    from . import policies

    district = selectors.access_district(user=request.user, code=code)
    policies.require(request.user, district, "device.manage")
    return list(selectors.device_list(district=district))


@router.post("/districts/{code}/devices", response={201: DeviceCreated})
def device_create(request: HttpRequest, code: str, payload: DeviceIn):
    """The device's token is shown once, here."""
    district = selectors.access_district(user=request.user, code=code)
    device, raw = services.device_create(actor=request.user, district=district,
                                         name=payload.name, kind=payload.kind)
    return Status(201, {"id": device.pk, "name": device.name, "kind": device.kind,
                        "is_active": device.is_active, "token": raw})


@router.post("/districts/{code}/devices/{device_id}/revoke", response=DeviceOut)
def device_revoke(request: HttpRequest, code: str, device_id: int):
    from .models import Device

    district = selectors.access_district(user=request.user, code=code)
    device = selectors.access_scoped(Device, district=district, pk=device_id)
    return services.device_revoke(actor=request.user, device=device)

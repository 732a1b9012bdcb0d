from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import FilterSchema, Query, Router, Schema, Status

from . import district_settings, policies, selectors, services
from .apibase import Id, paginate
from .errors import NotFound
from .models import ApiToken, Department, Device, Membership
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
def auth_token_revoke(request: HttpRequest, token_id: Id):
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
def department_update(request: HttpRequest, code: str, department_id: Id,
                      payload: DepartmentPatch):
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


class AuditFilter(FilterSchema):
    object_type: str = ""
    action: str = ""


@router.get("/districts/{code}/audit", response=list[AuditOut])
@paginate
def audit_list(request: HttpRequest, code: str, filters: Query[AuditFilter]):
    district = selectors.access_district(user=request.user, code=code)
    return selectors.audit_list(user=request.user, district=district,
                                object_type=filters.object_type, action=filters.action)


class StatedReasonIn(Schema):
    reason: str


class RevealOut(Schema):
    audit: int
    user_id: int
    username: str
    display_name: str
    phone: str


@router.post("/districts/{code}/audit/{audit_id}/reveal", response=RevealOut)
def audit_reveal(request: HttpRequest, code: str, audit_id: Id, payload: StatedReasonIn):
    """Who did an anonymous act: a city admin only, with a stated reason (audited)."""
    district = selectors.access_district(user=request.user, code=code)
    audit = selectors.audit_get(user=request.user, district=district, pk=audit_id)
    return services.audit_actor_reveal(actor=request.user, audit=audit, reason=payload.reason)


class ErasedOut(Schema):
    pseudonym: str


@router.post("/me/erase", response=ErasedOut)
def me_erase(request: HttpRequest, payload: StatedReasonIn):
    """Erase my personal data (PIPL art. 47); the audit trail keeps a pseudonym."""
    return {"pseudonym": services.resident_erase(actor=request.user, user=request.user,
                                                 reason=payload.reason)}


@router.post("/users/{user_id}/erase", response=ErasedOut)
def user_erase(request: HttpRequest, user_id: Id, payload: StatedReasonIn):
    """A city admin erases a person on their request (PIPL art. 47)."""
    user = selectors.user_for_erasure(user=request.user, user_id=user_id)
    return {"pseudonym": services.resident_erase(actor=request.user, user=user,
                                                 reason=payload.reason)}


class DistrictMemberOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    role: str
    department: str | None
    is_active: bool


class DistrictMemberIn(Schema):
    username: str
    role: str
    department_id: Id | None = None


def _member_out(m) -> dict:
    profile = getattr(m.user, "profile", None)
    return {"id": m.pk, "username": m.user.get_username(),
            "display_name": getattr(profile, "display_name", "") or m.user.first_name,
            "phone": phone_mask(getattr(profile, "phone", "")), "role": m.role,
            "department": m.department.name if m.department else None,
            "is_active": m.is_active}


@router.get("/districts/{code}/memberships", response=list[DistrictMemberOut])
def membership_list(request: HttpRequest, code: str, role: str = ""):
    district = selectors.access_district(user=request.user, code=code)
    policies.require(request.user, "membership.manage", district)
    return [_member_out(m) for m in selectors.membership_list(district=district, role=role)]


@router.post("/districts/{code}/memberships", response={201: DistrictMemberOut})
def membership_grant(request: HttpRequest, code: str, payload: DistrictMemberIn):
    from django.contrib.auth import get_user_model

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


@router.post("/districts/{code}/memberships/{membership_id}/revoke",
             response=DistrictMemberOut)
def membership_revoke(request: HttpRequest, code: str, membership_id: Id):
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
    district = selectors.access_district(user=request.user, code=code)
    policies.require(request.user, "device.manage", district)
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
def device_revoke(request: HttpRequest, code: str, device_id: Id):
    district = selectors.access_district(user=request.user, code=code)
    device = selectors.access_scoped(Device, district=district, pk=device_id)
    return services.device_revoke(actor=request.user, device=device)


# --- per-district settings (core.district_settings) ------------------------------------
SettingValue = bool | int | Decimal


class SettingOut(Schema):
    name: str
    kind: str  # "int" | "decimal" | "bool"
    label: str
    help: str
    value: SettingValue
    default: SettingValue
    min: SettingValue | None
    max: SettingValue | None
    is_default: bool


class SettingsOut(Schema):
    app: str
    label: str
    can_manage: bool
    settings: list[SettingOut]


class SettingsPatch(Schema):
    """Only the names sent change; an unknown name is refused (422 ``unknown_setting``)."""

    values: dict[str, bool | int | Decimal | str]


def _settings_out(user, district, app: str) -> dict:
    form = district_settings.settings_form(user=user, district=district, app=app)
    return {"app": app, "label": str(form["label"]), "can_manage": form["can_manage"],
            "settings": [{**f, "label": str(f["label"]), "help": str(f["help"])}
                         for f in form["fields"]]}


@router.get("/districts/{code}/settings/{app}", response=SettingsOut)
def settings_get(request: HttpRequest, code: str, app: str):
    """One app's per-district settings: values, defaults, bounds and labels."""
    district = selectors.access_district(user=request.user, code=code)
    district_settings.settings_read(user=request.user, district=district, app=app)
    return _settings_out(request.user, district, app)


@router.patch("/districts/{code}/settings/{app}", response=SettingsOut)
def settings_patch(request: HttpRequest, code: str, app: str, payload: SettingsPatch):
    district = selectors.access_district(user=request.user, code=code)
    district_settings.district_settings_update(actor=request.user, district=district, app=app,
                                               values=payload.values)
    return _settings_out(request.user, district, app)

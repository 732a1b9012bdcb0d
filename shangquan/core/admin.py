"""The back office: look, search and filter domain data; change it only through services.

Every domain model is shown through :class:`ReadOnlyAdmin` (no add, change or delete), so
the admin can never write a row that skips a service's checks and audit row. The few
changes an operator needs here (granting and revoking roles, revoking tokens and devices)
are admin actions and forms that call ``core.services``, exactly like the console.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from . import services
from .errors import DomainError
from .models import ApiToken, AuditLog, Department, Device, District, Membership, Profile

User = get_user_model()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists, search, filters and a read-only detail page; no add, change or delete
    (a POST to the change form answers 403). Apps' admins inherit from this."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def _run(modeladmin: admin.ModelAdmin, request: Any, objects: Any, call: Any) -> None:
    """Call a service per selected object; report each refusal as the console would."""
    done = 0
    for obj in objects:
        try:
            call(obj)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("已处理 %(n)s 项") % {"n": done}, messages.SUCCESS)


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "city", "street", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "district", "is_active"]
    list_filter = ["district"]


class MembershipGrantForm(forms.ModelForm):
    """Grants a role through ``services.membership_grant``: the service's refusal (unknown
    role, department of another district, an existing grant) is the form's error."""

    actor: Any = None

    class Meta:
        model = Membership
        fields = ["user", "district", "role", "department"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = services.membership_grant(
                actor=self.actor, district=data["district"], user=data["user"],
                role=data["role"], department=data.get("department"))
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None
        return data

    def _post_clean(self) -> None:
        # The service built, validated and saved the row; nothing left to copy onto it.
        if self.instance.pk is None:
            super()._post_clean()

    def validate_unique(self) -> None:  # the service answers membership_exists
        pass


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Role grants: read-only rows; adding one and revoking go through the services, so
    each writes ``core.membership.grant`` / ``core.membership.revoke``."""

    list_display = ["user", "district", "role", "department", "is_active"]
    list_filter = ["district", "role", "is_active"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = type("MembershipGrantForm", (MembershipGrantForm,), {"actor": request.user})
        return super().get_form(request, obj, change=change, form=form, **kwargs)

    def save_model(self, request: Any, obj: Membership, form: Any, change: bool) -> None:
        pass  # saved (and audited) by services.membership_grant in the form

    @admin.action(description=_("撤销所选角色"))
    def revoke_selected(self, request: Any, queryset: Any) -> None:
        _run(self, request, queryset.filter(is_active=True).select_related("district", "user"),
             lambda m: services.membership_revoke(actor=request.user, membership=m))


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "display_name"]
    search_fields = ["user__username", "display_name"]
    exclude = ["phone"]  # PII stays out of the back-office list


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "district", "is_active"]
    list_filter = ["district", "kind"]
    actions = ["revoke_selected"]

    @admin.action(description=_("停用所选设备"))
    def revoke_selected(self, request: Any, queryset: Any) -> None:
        _run(self, request, queryset.filter(is_active=True).select_related("district"),
             lambda d: services.device_revoke(actor=request.user, device=d))


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "name", "user", "device", "created_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke_selected"]

    @admin.action(description=_("吊销所选令牌"))
    def revoke_selected(self, request: Any, queryset: Any) -> None:
        _run(self, request, queryset.filter(revoked_at__isnull=True),
             lambda t: services.token_revoke(actor=request.user, token=t))


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only."""

    list_display = ["created_at", "district", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["district", "action"]
    search_fields = ["object_id", "actor_label", "action"]


# Accounts: superuser and staff flags are role grants too (a superuser is the city
# administrator), so the user admin is read-only as well; people are created and granted
# roles through the services (``shangquan`` commands, the console, the form above).
class ReadOnlyUserAdmin(ReadOnlyAdmin):
    list_display = UserAdmin.list_display + ("is_superuser", "is_active")
    list_filter = UserAdmin.list_filter
    search_fields = UserAdmin.search_fields
    ordering = UserAdmin.ordering
    exclude = ["password"]


class ReadOnlyGroupAdmin(ReadOnlyAdmin):
    search_fields = ["name"]


for _model, _admin in ((User, ReadOnlyUserAdmin), (Group, ReadOnlyGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)

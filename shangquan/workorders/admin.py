"""Back office: read-only views of orders (changes go through the services and the console)."""

from django.contrib import admin

from .models import Category, Escalation, Settings, WorkOrder


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district", "tier", "department", "response_hours",
                    "resolution_hours", "allow_anonymous", "is_active"]
    list_filter = ["district", "tier"]
    readonly_fields = [f.name for f in Category._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "district", "category", "status", "department", "created_at"]
    list_filter = ["district", "status", "channel"]
    search_fields = ["number"]
    # Reporter identity stays out of the back office (PIPL minimum necessary).
    exclude = ["reporter", "reporter_name", "reporter_phone"]
    readonly_fields = [f.name for f in WorkOrder._meta.fields
                       if f.name not in ("reporter", "reporter_name", "reporter_phone")]
    list_select_related = ["district", "category", "department"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["order", "reason", "created_at", "handled_at"]
    list_filter = ["district", "reason"]
    raw_id_fields = ["order"]
    readonly_fields = [f.name for f in Escalation._meta.fields]


@admin.register(Settings)
class SettingsAdmin(admin.ModelAdmin):
    list_display = ["district", "duplicate_radius_m", "duplicate_window_hours",
                    "rating_window_days", "reopen_limit"]
    readonly_fields = [f.name for f in Settings._meta.fields]

"""Back office: read-only views of orders (changes go through the services and the console)."""

from django.contrib import admin

from shangquan.core.admin import ReadOnlyAdmin

from .models import Category, Escalation, WorkOrder


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "district", "tier", "department", "response_hours",
                    "resolution_hours", "allow_anonymous", "is_active"]
    list_filter = ["district", "tier"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "district", "category", "status", "department", "created_at"]
    list_filter = ["district", "status", "channel"]
    search_fields = ["number"]
    # Reporter identity stays out of the back office (PIPL minimum necessary).
    exclude = ["reporter", "reporter_name", "reporter_phone"]
    list_select_related = ["district", "category", "department"]
    show_full_result_count = False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["order", "reason", "created_at", "handled_at"]
    list_filter = ["district", "reason"]
    raw_id_fields = ["order"]


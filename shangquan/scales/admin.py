"""Back-office views of the scales data. Read-only: every change goes through the services,
so it is judged, audited and notified like any other."""

from django.contrib import admin

from shangquan.core.admin import ReadOnlyAdmin as ReadOnly

from .models import DailyPlan, Instrument, Reweigh, SpotCheck


@admin.register(Instrument)
class InstrumentAdmin(ReadOnly):
    list_display = ["serial_no", "maker", "kind", "merchant", "accuracy_class", "next_due",
                    "status", "district"]
    list_filter = ["district", "status", "kind", "accuracy_class"]
    search_fields = ["serial_no", "certificate_no", "merchant__name"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnly):
    list_display = ["instrument", "checked_at", "load_g", "worst_error_g", "mpe_g", "passed",
                    "district"]
    list_filter = ["district", "passed", "basis"]


@admin.register(Reweigh)
class ReweighAdmin(ReadOnly):
    list_display = ["merchant", "goods", "claimed_g", "measured_g", "verdict", "created_at",
                    "district"]
    list_filter = ["district", "verdict", "band"]
    exclude = ["recorded_by"]


@admin.register(DailyPlan)
class DailyPlanAdmin(ReadOnly):
    list_display = ["district", "day", "window_days", "quota", "digest"]
    list_filter = ["district"]

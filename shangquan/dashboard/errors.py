"""Every error ``code`` the dashboard app answers with, and its HTTP status."""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("dashboard", {
    "unknown_indicator": 404,
    "bad_baseline": 422,
    "bad_period": 422,
    "period_too_fine": 422,
    "period_not_closed": 422,
    "reason_required": 422,
    "snapshot_missing": 404,
    "unknown_section": 422,
    "bad_scope": 422,
    "report_no_data": 422,
    "district_out_of_scope": 404,
})

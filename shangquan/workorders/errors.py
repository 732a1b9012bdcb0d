"""Every error ``code`` the workorders app answers with, and its HTTP status.

Services raise ``shangquan.core.errors`` classes with one of these codes; the API lists
them in OpenAPI, and ``core/tests/test_openapi.py`` fails on a code raised here but not
declared.
"""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("workorders", {
    "phone_required": 403,
    "order_not_open": 409,
    "own_report": 409,
    "already_joined": 409,
    "login_required": 401,
    "channel_not_allowed": 403,
    "not_assigned": 403,
    "not_reporter": 403,
    "merchant_not_found": 404,
    "unknown_category": (404, 422),
    "already_escalated": 409,
    "already_handled": 409,
    "merge_target_closed": 409,
    "no_rating": 409,
    "not_closed": 409,
    "rating_window_closed": 409,
    "anonymous_not_allowed": 422,
    "category_exists": 422,
    "deadline_past": 422,
    "department_inactive": 422,
    "department_mismatch": 422,
    "description_required": 422,
    "description_too_long": 422,
    "invalid_deadline": 422,
    "invalid_limits": 422,
    "invalid_location": 422,
    "invalid_number": 422,
    "invalid_outcome": 422,
    "invalid_rating": 422,
    "merge_self": 422,
    "merge_target_missing": 422,
    "name_required": 422,
    "note_required": 422,
    "reason_required": 422,
    "unknown_channel": 422,
    "unknown_tier": 422,
    "weights_all_zero": 422,
})

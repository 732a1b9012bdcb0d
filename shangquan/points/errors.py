"""Every error ``code`` the points app answers with, and its HTTP status."""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("points", {
    "unbalanced_posting": 422,
    "too_few_legs": 422,
    "zero_leg": 422,
    "wrong_district": 422,
    "insufficient_points": 409,
    "out_of_stock": 409,
    "limit_reached": 409,
    "not_eligible": 403,
    "item_inactive": 409,
    "unknown_code": 404,
    "code_used": 409,
    "reservation_expired": 409,
    "already_reversed": 409,
    "not_reversible": 409,
    "unknown_rule": 404,
    "rule_inactive": 409,
    "adjustment_decided": 409,
    "second_person_required": 403,
    "amount_invalid": 422,
})

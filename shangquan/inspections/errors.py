"""Every error ``code`` the inspections app answers with, and its HTTP status.

Services raise ``shangquan.core.errors`` classes with one of these codes; the API lists
them in OpenAPI, and ``core/tests/test_openapi.py`` fails on a code raised here but not
declared.
"""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("inspections", {
    "campaign_exists": 409,
    "inspection_has_answers": 409,
    "team_exists": 409,
    "template_exists": 409,
    "actor_required": 422,
    "answer_required": 422,
    "dates_out_of_order": 422,
    "deadline_in_past": 422,
    "grid_empty": 422,
    "grid_parent": 422,
    "holiday_not_over": 422,
    "invalid_date": 422,
    "invalid_item_code": 422,
    "invalid_source": 422,
    "invalid_template": 422,
    "invalid_value": 422,
    "item_text_required": 422,
    "items_required": 422,
    "items_unanswered": 422,
    "member_outside": 422,
    "merchant_deregistered": 422,
    "name_required": 422,
    "not_verified": 422,
    "note_required": 422,
    "photo_required": 422,
    "reason_required": 422,
    "signature_invalid": 422,
    "signature_required": 422,
    "signature_too_large": 422,
    "stop_requires_serious": 422,
    "target_required": 422,
    "template_unpublished": 422,
    "templates_required": 422,
    "title_required": 422,
    "too_many_photos": 422,
    "unknown_item": 422,
    "unknown_kind": 422,
    "unknown_outcome": 422,
    "unknown_severity": 422,
})

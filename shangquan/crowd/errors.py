"""Every error ``code`` the crowd app answers with, and its HTTP status.

Services raise ``shangquan.core.errors`` classes with one of these codes; the API lists
them in OpenAPI, and ``core/tests/test_openapi.py`` fails on a code raised here but not
declared.
"""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("crowd", {
    "bad_payload": 400,
    "bad_topic": 400,
    "not_authenticated": 400,
    "topic_not_allowed": 400,
    "validation_error": 400,
    "device_token_required": 401,
    "not_a_gate_counter": 403,
    "already_acknowledged": 409,
    "count_superseded": 409,
    "device_not_assigned": 409,
    "no_device": 409,
    "not_overridden": 409,
    "area_not_positive": 422,
    "bad_readings": 422,
    "batch_too_large": 422,
    "count_in_future": 422,
    "count_negative": 422,
    "device_kind": 422,
    "level_unknown": 422,
    "not_a_waiting_zone": 422,
    "note_required": 422,
    "override_minutes": 422,
    "unknown_control": 422,
    "wrong_district": 422,
    "zone_cycle": 422,
    "zone_unknown": 422,
})

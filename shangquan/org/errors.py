"""Every error ``code`` the org app answers with, and its HTTP status.

Services raise ``shangquan.core.errors`` classes with one of these codes; the API lists
them in OpenAPI, and ``core/tests/test_openapi.py`` fails on a code raised here but not
declared.
"""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("org", {
    "already_assigned": 409,
    "already_member": 409,
    "level_in_use": 409,
    "station_exists": 409,
    "unit_exists": 409,
    "bad_levels": 422,
    "cycle": 422,
    "dates_reversed": 422,
    "foreign_object": 422,
    "level_order": 422,
    "name_required": 422,
    "not_alliance": 422,
    "same_unit": 422,
    "self_join": 422,
    "station_inactive": 422,
    "unknown_kind": 422,
    "unknown_role": 422,
})

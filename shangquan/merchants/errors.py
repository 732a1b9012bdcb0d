"""Every error ``code`` the merchants app answers with, and its HTTP status.

Services raise ``shangquan.core.errors`` classes with one of these codes; the API lists
them in OpenAPI, and ``core/tests/test_openapi.py`` fails on a code raised here but not
declared.
"""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("merchants", {
    "import_not_in_preview": 409,
    "association_exists": 409,
    "grid_exists": 409,
    "licence_exists": 409,
    "merchant_deregistered": 409,
    "staff_exists": 409,
    "swap_exists": 409,
    "swap_impossible": 409,
    "bad_encoding": 422,
    "bad_file": 422,
    "bad_file_type": 422,
    "bad_weekday": 422,
    "date_out_of_range": 422,
    "dates_reversed": 422,
    "empty_file": 422,
    "file_too_large": 422,
    "grid_foreign": 422,
    "grid_overlap": 422,
    "grid_size": 422,
    "merchant_foreign": 422,
    "missing_columns": 422,
    "name_required": 422,
    "no_merchants": 422,
    "no_open_days": 422,
    "range_too_long": 422,
    "reason_required": 422,
    "too_many_rows": 422,
    "unknown_fields": 422,
    "unknown_kind": 422,
    "unknown_role": 422,
    "unknown_status": 422,
})

"""Every error ``code`` the scales app answers with, and its HTTP status.

Services raise ``shangquan.core.errors`` classes with one of these codes; the API lists
them in OpenAPI, and ``core/tests/test_openapi.py`` fails on a code raised here but not
declared.
"""

from shangquan.core.errors import register_error_codes

from .messages import MESSAGES

CODES = register_error_codes("scales", {
    # The pure metrology module's codes (MetrologyError), raised as ValidationFailed.
    **dict.fromkeys(MESSAGES, 422),
    "not_a_metrology_department": 403,
    "already_complained": 409,
    "certificate_expired": 409,
    "instrument_exists": 409,
    "instrument_retired": 409,
    "not_short": 409,
    "recheck_required": 409,
    "bad_date": 422,
    "band_required": 422,
    "due_before_certificate": 422,
    "field_not_editable": 422,
    "file_required": 422,
    "goods_required": 422,
    "import_failed": 422,
    "load_and_e_required": 422,
    "load_required": 422,
    "maker_serial_required": 422,
    "merchant_required": 422,
    "merchant_unknown": 422,
    "missing_columns": 422,
    "no_instruments": 422,
    "not_a_number": 422,
    "not_xlsx": 422,
    "signed_in_future": 422,
    "too_many_rows": 422,
    "unknown_action": 422,
    "unknown_band": 422,
    "unknown_class": 422,
    "unknown_kind": 422,
    "unknown_method": 422,
    "weights_required": 422,
})

"""Every error ``code`` the stations app answers with, and its HTTP status."""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("stations", {
    "device_token_required": 401,
    "not_a_counter": 403,
    "booking_blocked": 409,
    "booking_limit": 409,
    "merchant_booking_limit": 409,
    "already_checked_in": 409,
    "duty_post_exists": 409,
    "duty_not_now": 422,
    "duty_post_incomplete": 422,
    "cancel_too_late": 409,
    "hold_expired": 409,
    "room_taken": 409,
    "already_booked": 409,
    "wristband_taken": 409,
    "bad_hours": 422,
    "bad_readings": 422,
    "outside_district": 422,
    "not_a_slot": 422,
    "too_early": 422,
    "too_late": 422,
    "room_time": 422,
    "wristband_number": 422,
    "not_counted": 422,
    "occupancy_range": 422,
    "wrong_district": 422,
    "outcome_required": 422,
    "unknown_amenity": 422,
})

"""Every error ``code`` the activities app answers with, and its HTTP status."""

from shangquan.core.errors import register_error_codes

CODES = register_error_codes("activities", {
    "already_member": 409,
    "already_registered": 409,
    "not_open_for_signup": 409,
    "not_eligible": 403,
    "bad_checkin_code": 404,
    "outside_checkin_window": 409,
    "too_far": 409,
    "not_checked_in": 409,
    "already_confirmed": 409,
    "already_enrolled": 409,
    "bad_times": 422,
    "six_into_kind": 422,
    "wrong_district": 422,
    "location_required": 409,
    "bad_location": 422,
    "not_a_contest": 422,
    "contest_exists": 409,
    "empty_rubric": 422,
    "contest_not_open": 409,
    "contest_not_judging": 409,
    "contest_incomplete": 409,
    "bad_score": 422,
    "marks_incomplete": 422,
    "scores_missing": 409,
    "already_judge": 409,
    "empty_entry": 422,
})

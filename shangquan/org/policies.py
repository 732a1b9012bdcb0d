"""Who may manage the party organisation and see mobile members' check-ins."""

from shangquan.core import policies
from shangquan.core.roles import STAFF_ROLES, Role

policies.register({
    "org.view": STAFF_ROLES,
    "org.manage": {Role.COMMITTEE, Role.STREET},
    "org.member_view": {Role.COMMITTEE, Role.STREET},
    "checkin.view": {Role.COMMITTEE, Role.STREET},
    "station.manage": {Role.COMMITTEE, Role.STREET},
    # Mobile members scan a station's QR code without an account.
    "checkin.create": set(),
}, public=["checkin.create"])

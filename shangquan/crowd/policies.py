"""Who may do what with crowd flow (services call ``policies.require``)."""

from shangquan.core import policies
from shangquan.core.roles import Role

# The board is for the people who act on it: the committee, the street, departments
# (police, fire, emergency), grid leaders and the volunteers of the evacuation teams.
VIEW = {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT, Role.GRID_LEADER, Role.VOLUNTEER}
OPERATE = {Role.COMMITTEE, Role.DEPARTMENT, Role.GRID_LEADER}

policies.register({
    "crowd.view": VIEW,
    "crowd.report": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT},
    "crowd.manage": {Role.COMMITTEE},
    "crowd.count": OPERATE | {Role.VOLUNTEER},
    "crowd.override": OPERATE,
    "crowd.acknowledge": OPERATE,
})

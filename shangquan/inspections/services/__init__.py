"""Every write of the inspections app. Split by concern; import from here."""

from .campaigns import (  # noqa: F401
    campaign_close,
    campaign_create,
    campaign_plan_after,
    campaign_plan_before,
    campaign_team_create,
)
from .checklists import (  # noqa: F401
    checklist_seed,
    checklist_template_create,
    checklist_version_publish,
)
from .inspections import (  # noqa: F401
    answer_photo_add,
    answer_save,
    inspection_cancel,
    inspection_complete,
    inspection_plan,
    inspection_start,
)
from .rectifications import (  # noqa: F401
    default_deadline,
    follow_up_record,
    rectification_escalate_overdue,
    rectification_evidence_submit,
    rectification_issue,
    rectification_reject,
    rectification_verify,
)

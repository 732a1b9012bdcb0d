"""Every write of the inspections app. Split by concern; import from here."""

from .rectifications import (  # noqa: F401
    follow_up_record,
    rectification_escalate_overdue,
    rectification_evidence_submit,
    rectification_issue,
    rectification_reject,
    rectification_verify,
)

"""Every write of the ratings app. Split by concern; import from here."""

from .appeals import (  # noqa: F401
    appeal_decide,
    appeal_file,
    rerating_complete,
    rerating_request,
    result_reply,
)
from .awards import (  # noqa: F401
    title_propose,
    title_transition,
    titles_sweep,
    titles_sweep_all,
)
from .ceremonies import ceremony_print  # noqa: F401
from .outdoor import outdoor_check_record, outdoor_zone_save  # noqa: F401
from .periods import (  # noqa: F401
    period_archive,
    period_close,
    period_create,
    period_export_xlsx,
    period_open,
    period_publish,
)
from .schemes import scheme_ensure, scheme_seed_district, scheme_update  # noqa: F401
from .scoring import resident_score_record, score_record  # noqa: F401

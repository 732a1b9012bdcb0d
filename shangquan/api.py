"""The REST API at /api/v1/: one NinjaAPI; every app contributes its routers.

District resources live under ``/districts/{code}/…``: an app's ``Contributions.api``
router declares its paths relative to that prefix and receives ``code`` as a path
parameter. ``Contributions.public_api`` (anonymous callers) is mounted under ``/public/``.
"""

from ninja import NinjaAPI

from shangquan.core.api import router as core_router
from shangquan.core.apibase import AUTH, install_error_handlers
from shangquan.core.extensions import collect
from shangquan.core.inputs import StrictJSONParser

api = NinjaAPI(
    title="商圈共治平台 API",
    version="1",
    description="Shangquan — 商圈共治平台. Errors are `{code, message, details}`; "
    "send `Accept-Language: en` for English messages.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=StrictJSONParser(),  # no NaN/Infinity, NUL or lone surrogates (core/inputs.py)
)
install_error_handlers(api)

api.add_router("/", core_router)
for router in collect("api"):
    api.add_router("/districts/{code}/", router)
for router in collect("public_api"):
    api.add_router("/public/", router)

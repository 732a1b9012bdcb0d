"""The REST API at /api/v1/: one NinjaAPI, one router per app.

District resources live under ``/districts/{code}/…``; each app's ``router`` declares its
paths relative to that prefix and receives ``code`` as a path parameter. An app's
optional ``public_router`` (anonymous callers) is mounted under ``/public/``.
"""

from importlib import import_module

from ninja import NinjaAPI

from shangquan.core.apibase import AUTH, install_error_handlers

api = NinjaAPI(
    title="商圈共治平台 API",
    version="1",
    description="Shangquan — 商圈共治平台. Errors are `{code, message, details}`; "
    "send `Accept-Language: en` for English messages.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("/", import_module("shangquan.core.api").router)

# (module, prefix). Each module exposes ``router``; missing modules are skipped so an
# app can be added before it has an API.
DISTRICT_ROUTERS = [
    "shangquan.org.api",
    "shangquan.merchants.api",
    "shangquan.workorders.api",
    "shangquan.inspections.api",
    "shangquan.scales.api",
    "shangquan.crowd.api",
]
for module_name in DISTRICT_ROUTERS:
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        continue
    api.add_router("/districts/{code}/", module.router)
    # Anonymous endpoints (QR pages, public reports) live outside the member-only tree.
    if hasattr(module, "public_router"):
        api.add_router("/public/", module.public_router)

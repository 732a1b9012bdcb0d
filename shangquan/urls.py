from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from shangquan.api import api

admin.site.site_header = "商圈共治平台 · 后台"
admin.site.site_title = "商圈共治"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shangquan.core.urls")),
]

# Each app's pages (console under /console/<code>/…, public under /d/<code>/…).
for app_name in ["org", "merchants", "workorders", "inspections", "scales", "crowd"]:
    try:
        import_module(f"shangquan.{app_name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"shangquan.{app_name}.urls":
            raise
        continue
    urlpatterns.append(path("", include(f"shangquan.{app_name}.urls")))

# Open311 GeoReport v2 lives in the work-order app when present.
try:
    import_module("shangquan.workorders.open311")
    urlpatterns.append(path("open311/v2/", include("shangquan.workorders.open311")))
except ModuleNotFoundError as exc:
    if exc.name != "shangquan.workorders.open311":
        raise

# Uploaded photos; behind a proxy in production, served here for the embedded set-up.
urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve,
                        {"document_root": settings.MEDIA_ROOT}))

"""The site's URLs: admin, API, and every app's contributed pages (``Contributions.urls``)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from shangquan.api import api
from shangquan.core.extensions import mounted_urls, references

# Faults outside the domain answer in the API error format (503 for a lost database).
handler400 = "shangquan.core.httperrors.bad_request"
handler500 = "shangquan.core.httperrors.server_error"

admin.site.site_header = "商圈共治平台 · 后台"
admin.site.site_title = "商圈共治"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Each app's pages (console under /console/<code>/…, public under /d/<code>/…).
urlpatterns += [path("", include(module)) for module in references("urls")]
urlpatterns += [path(prefix, include(module)) for prefix, module in mounted_urls()]

# Uploaded photos; behind a proxy in production, served here for the embedded set-up.
urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve,
                        {"document_root": settings.MEDIA_ROOT}))

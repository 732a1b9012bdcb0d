from django.urls import path

from . import health, homes, picker, public, views
from .privacy_views import erase_view, phone_reveal_view

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("d/<str:code>/", public.district_home, name="district_home"),
    path("d/<str:code>/me/", homes.resident_home, name="resident_home"),
    path("bench/trivial", views.trivial, name="trivial"),
    path("bench/signed-in/<str:code>", views.signed_in_floor, name="signed_in_floor"),
    path("login/", views.login_view, name="login"),
    path("login/phone/", views.login_phone_view, name="login_phone"),
    path("logout/", views.logout_view, name="logout"),
    path("account/notifications/", homes.notification_settings_view,
         name="notification_settings"),
    path("console/", views.console, name="console"),
    path("console/<str:code>/", views.console_district, name="console_district"),
    path("console/<str:code>/pick/<str:source>/", picker.search_view, name="pick"),
    path("console/<str:code>/audit/", views.audit_view, name="audit"),
    path("console/<str:code>/notifications/", views.notifications_view, name="notifications"),
    path("console/<str:code>/people/", views.people_view, name="people"),
    path("console/<str:code>/people/<int:user_id>/phone/", phone_reveal_view,
         name="phone_reveal"),
    path("console/privacy/erase/", erase_view, name="erase"),
    path("console/<str:code>/settings/", views.settings_view, name="settings"),
]

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("bench/trivial", views.trivial, name="trivial"),
    path("login/", views.login_view, name="login"),
    path("login/phone/", views.login_phone_view, name="login_phone"),
    path("logout/", views.logout_view, name="logout"),
    path("console/", views.console, name="console"),
    path("console/<str:code>/", views.console_district, name="console_district"),
    path("console/<str:code>/audit/", views.audit_view, name="audit"),
    path("console/<str:code>/notifications/", views.notifications_view, name="notifications"),
    path("console/<str:code>/people/", views.people_view, name="people"),
]

from django.urls import path

from . import views, views_public

app_name = "scales"

C = "console/<str:code>/scales/"

urlpatterns = [
    # the fair scale station (public, phones and the station's tablet)
    path("d/<str:code>/fair-scale/", views_public.station_view, name="station"),
    path("d/<str:code>/fair-scale/<str:token>/", views_public.station_result_view,
         name="station_result"),
    path("d/<str:code>/fair-scale/<str:token>/complain/", views_public.station_complain_view,
         name="station_complain"),
    # console
    path(C, views.registry_view, name="registry"),
    path(C + "export.xlsx", views.export_view, name="export"),
    path(C + "import/", views.import_view, name="import"),
    path(C + "new/", views.instrument_new_view, name="instrument_new"),
    path(C + "plan/", views.plan_view, name="plan"),
    path(C + "checks/", views.checks_view, name="checks"),
    path(C + "certificates/", views.certificates_view, name="certificates"),
    path(C + "reweighs/", views.reweighs_view, name="reweighs"),
    path(C + "kpis/", views.kpis_view, name="kpis"),
    path(C + "<int:pk>/", views.instrument_view, name="instrument"),
    path(C + "<int:pk>/edit/", views.instrument_edit_view, name="instrument_edit"),
    path(C + "<int:pk>/check/", views.check_view, name="check"),
    path(C + "<int:pk>/<str:action>/", views.instrument_action_view, name="instrument_action"),
]

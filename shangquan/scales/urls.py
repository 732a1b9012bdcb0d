from django.urls import path

from .views import console, public

app_name = "scales"

C = "console/<str:code>/scales/"

urlpatterns = [
    # the fair scale station (public, phones and the station's tablet)
    path("d/<str:code>/fair-scale/", public.station_view, name="station"),
    path("d/<str:code>/fair-scale/<str:token>/", public.station_result_view,
         name="station_result"),
    path("d/<str:code>/fair-scale/<str:token>/complain/", public.station_complain_view,
         name="station_complain"),
    # console
    path(C, console.registry_view, name="registry"),
    path(C + "export.xlsx", console.export_view, name="export"),
    path(C + "import/", console.import_view, name="import"),
    path(C + "new/", console.instrument_new_view, name="instrument_new"),
    path(C + "plan/", console.plan_view, name="plan"),
    path(C + "checks/", console.checks_view, name="checks"),
    path(C + "certificates/", console.certificates_view, name="certificates"),
    path(C + "reweighs/", console.reweighs_view, name="reweighs"),
    path(C + "kpis/", console.kpis_view, name="kpis"),
    path(C + "<int:pk>/", console.instrument_view, name="instrument"),
    path(C + "<int:pk>/edit/", console.instrument_edit_view, name="instrument_edit"),
    path(C + "<int:pk>/check/", console.check_view, name="check"),
    path(C + "<int:pk>/<str:action>/", console.instrument_action_view, name="instrument_action"),
]

from django.urls import path

from . import drilldown, screen, screen_public, views

app_name = "dashboard"

urlpatterns = [
    path("console/<str:code>/dashboard/kpis/", views.kpis_view, name="kpis"),
    path("console/<str:code>/dashboard/departments/", views.departments_view,
         name="departments"),
    path("console/<str:code>/dashboard/reports/", views.reports_view, name="reports"),
    path("console/<str:code>/dashboard/reports/<int:pk>.<str:fmt>", views.report_download_view,
         name="report_download"),
    path("console/<str:code>/dashboard/snapshots/", views.snapshots_view, name="snapshots"),
    path("console/<str:code>/dashboard/screen/", screen.screen_view, name="screen"),
    path("console/<str:code>/dashboard/screen/stream/", screen.screen_stream,
         name="screen_stream"),
    path("console/<str:code>/dashboard/screen/panel/<str:slot>/", screen.screen_panel_view,
         name="screen_panel"),
    path("console/<str:code>/dashboard/screen/layout/", views.screen_layout_view,
         name="screen_layout"),
    path("d/<str:code>/screen/", screen_public.lite_view, name="screen_lite"),
    path("d/<str:code>/screen/data.json", screen_public.lite_data_view, name="screen_lite_data"),
    path("console/<str:code>/dashboard/drill/<str:key>/", drilldown.drill_view, name="drill"),
]

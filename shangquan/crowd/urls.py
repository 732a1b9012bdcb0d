from django.urls import path

from . import stream, views

app_name = "crowd"

urlpatterns = [
    path("console/<str:code>/crowd/", views.board_view, name="board"),
    path("console/<str:code>/crowd/stream/", stream.board_stream, name="stream"),
    path("console/<str:code>/crowd/zones/", views.zones_view, name="zones"),
    path("console/<str:code>/crowd/zones/<int:pk>/", views.zone_view, name="zone"),
    path("console/<str:code>/crowd/zones/<int:pk>/edit/", views.zone_edit_view,
         name="zone_edit"),
    path("console/<str:code>/crowd/gates/", views.gates_view, name="gates"),
    path("console/<str:code>/crowd/alerts/", views.alerts_view, name="alerts"),
    path("console/<str:code>/crowd/alerts/<int:pk>/ack/", views.alert_ack_view,
         name="alert_ack"),
    path("console/<str:code>/crowd/report/", views.report_view, name="report"),
]

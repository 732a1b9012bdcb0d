from django.urls import path

from .views import console, public

app_name = "activities"

P = "d/<str:code>/"
C = "console/<str:code>/activities/"

urlpatterns = [
    # phone pages
    path(P + "events/", public.events_view, name="events_public"),
    path(P + "events/<int:pk>/", public.event_view, name="event"),
    path(P + "events/scan/<str:token>/", public.scan_view, name="scan"),
    path(P + "teams/", public.teams_view, name="my_teams"),
    # console
    path(C, console.events_view, name="events"),
    path(C + "events/<int:pk>/", console.event_view, name="console_event"),
    path(C + "teams/", console.teams_view, name="teams"),
    path(C + "teams/<int:pk>/", console.team_view, name="team"),
    path(C + "events/<int:pk>/contest/", console.contest_view, name="contest"),
    path(C + "contests/<int:pk>/score/", console.contest_score_view, name="contest_score"),
    path(C + "party/", console.party_view, name="party"),
    path(C + "scanner/", console.scanner_view, name="scanner"),
    path(C + "export/<str:what>.xlsx", console.export_view, name="export"),
]

from django.urls import path

from .views import console, public

app_name = "org"

C = "console/<str:code>/org/"

urlpatterns = [
    path("s/<str:token>/", public.check_in_view, name="check_in"),
    path(C, console.tree_view, name="tree"),
    path(C + "alliances/", console.alliances_view, name="alliances"),
    path(C + "members/", console.members_view, name="members"),
    path(C + "stations/", console.stations_view, name="stations"),
    path(C + "stations/<int:station_id>/qr.svg", console.station_qr_view, name="station_qr"),
    path(C + "registry/", console.registry_view, name="registry"),
]

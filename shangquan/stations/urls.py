from django.urls import path, re_path

from .views import console, public

app_name = "stations"

urlpatterns = [
    # public (phones, the big screen)
    path("d/<str:code>/stations/", public.map_view, name="map"),
    path("d/<str:code>/stations/s/<str:token>/", public.station_view, name="station"),
    path("d/<str:code>/stations/services/", public.services_view, name="services"),
    path("d/<str:code>/stations/services/<int:pk>/", public.service_view, name="service"),
    path("d/<str:code>/stations/bookings/<int:pk>/", public.booking_view, name="booking"),
    path("d/<str:code>/stations/mine/", public.mine_view, name="mine"),
    path("d/<str:code>/stations/rooms/<int:pk>/", public.room_view, name="room"),
    path("d/<str:code>/stations/room-bookings/<int:pk>/cancel/", public.room_cancel_view,
         name="room_cancel"),
    path("d/<str:code>/visitors/", public.visitors_view, name="visitors"),
    # console
    path("console/<str:code>/stations/", console.stations_view, name="console"),
    path("console/<str:code>/stations/desk/", console.desk_view, name="desk"),
    path("console/<str:code>/stations/rooms/", console.rooms_view, name="rooms"),
    path("console/<str:code>/stations/loans/", console.loans_view, name="loans"),
    path("console/<str:code>/stations/wristbands/", console.wristbands_view,
         name="wristbands"),
    path("console/<str:code>/stations/hours/", console.hours_view, name="hours"),
    path("console/<str:code>/stations/services/", console.services_view,
         name="services_console"),
    path("console/<str:code>/stations/duty/", console.duty_view, name="duty"),
    path("console/<str:code>/stations/export/<str:what>.xlsx", console.export_view,
         name="export"),
    re_path(r"^console/(?P<code>[^/]+)/stations/(?P<station_id>[0-9]+)/qr\.(?P<fmt>svg|png)$",
            console.station_qr_view, name="station_qr"),
]

from django.urls import path

from . import stream
from .views import console, kpi, metoo, public

app_name = "workorders"

C = "console/<str:code>/workorders/"

urlpatterns = [
    # public (residents and visitors, phones)
    path("d/<str:code>/report/", public.report_view, name="report"),
    path("d/<str:code>/report/nearby/", public.nearby_view, name="nearby"),
    path("d/<str:code>/reports/", public.public_reports_view, name="public_reports"),
    path("d/<str:code>/track/", public.track_lookup_view, name="track_lookup"),
    path("d/<str:code>/track/<str:number>/", public.track_view, name="track"),
    path("d/<str:code>/track/<str:number>/metoo/", metoo.metoo_view, name="metoo"),
    path("d/<str:code>/my-reports/", public.mine_view, name="mine"),
    path("d/<str:code>/my-reports/<str:number>/rate/", public.rate_view, name="rate"),
    # console
    path(C, console.board_view, name="board"),
    path(C + "stream/", stream.board_stream, name="stream"),
    path(C + "new/", console.new_view, name="new"),
    path(C + "merge/", console.merge_candidates_view, name="merge_candidates"),
    path(C + "overdue/", console.overdue_view, name="overdue"),
    path(C + "escalations/", console.escalations_view, name="escalations"),
    path(C + "categories/", console.categories_view, name="categories"),
    path(C + "kpi/", kpi.kpi_view, name="kpi"),
    path(C + "kpi.xlsx", kpi.kpi_export_view, name="kpi_export"),
    path(C + "<int:pk>/", console.detail_view, name="detail"),
    path(C + "<int:pk>/<str:action>/", console.act_view, name="act"),
]

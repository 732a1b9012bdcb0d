from django.urls import path

from .views import console, public

app_name = "ratings"

C = "console/<str:code>/ratings/"

urlpatterns = [
    # public
    path("d/<str:code>/honour/", public.honour_view, name="honour"),
    path("m/<str:token>/rate/", public.resident_score_view, name="resident_score"),
    # console
    path(C, console.periods_view, name="periods"),
    path(C + "periods/<int:period_id>/", console.period_view, name="period"),
    path(C + "periods/<int:period_id>/grid/", console.grid_view, name="grid"),
    path(C + "periods/<int:period_id>/export.xlsx", console.export_view, name="export"),
    path(C + "periods/<int:period_id>/<str:action>/", console.period_action_view,
         name="period_action"),
    path(C + "results/<int:result_id>/", console.result_view, name="result"),
    path(C + "results/<int:result_id>/<str:action>/", console.result_action_view,
         name="result_action"),
    path(C + "mine/", console.mine_view, name="mine"),
    path(C + "appeals/", console.appeals_view, name="appeals"),
    path(C + "appeals/<int:appeal_id>/decide/", console.appeal_decide_view, name="appeal_decide"),
    path(C + "reratings/<int:rerating_id>/complete/", console.rerating_complete_view,
         name="rerating_complete"),
    path(C + "awards/", console.awards_view, name="awards"),
    path(C + "awards/ceremony.pdf", console.ceremony_view, name="ceremony"),
    path(C + "titles/<int:title_id>/<str:action>/", console.title_action_view,
         name="title_action"),
    path(C + "scheme/", console.scheme_view, name="scheme"),
    path(C + "outdoor/", console.outdoor_view, name="outdoor"),
    path(C + "outdoor/board/", console.outdoor_board_view, name="outdoor_board"),
    path(C + "outdoor/<int:merchant_id>/", console.outdoor_check_view, name="outdoor_check"),
]

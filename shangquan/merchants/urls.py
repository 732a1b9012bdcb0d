from django.urls import path

from .views import console, public

app_name = "merchants"

C = "console/<str:code>/merchants/"

urlpatterns = [
    path("m/<str:token>/", public.public_page, name="public_page"),
    path(C, console.merchant_list_view, name="list"),
    path(C + "mine/", console.my_shop_view, name="mine"),
    path(C + "<int:merchant_id>/", console.merchant_detail_view, name="detail"),
    path(C + "<int:merchant_id>/poster.<str:fmt>", console.poster_view, name="poster"),
    path(C + "posters.pdf", console.posters_batch_view, name="posters_batch"),
    path(C + "export.xlsx", console.export_view, name="export"),
    path(C + "import/", console.import_view, name="import"),
    path(C + "import/template.xlsx", console.import_template_view, name="import_template"),
    path(C + "import/<int:job_id>/", console.import_job_view, name="import_job"),
    path(C + "associations/", console.associations_view, name="associations"),
    path("console/<str:code>/grids/", console.grids_view, name="grids"),
    path("console/<str:code>/grids/<int:grid_id>/", console.grid_detail_view,
         name="grid_detail"),
    path("console/<str:code>/rosters/", console.rosters_view, name="rosters"),
    path("console/<str:code>/rosters/<int:roster_id>/", console.roster_detail_view,
         name="roster_detail"),
]

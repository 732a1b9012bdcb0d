from django.urls import path

from . import console, views

app_name = "merchants"

C = "console/<str:code>/merchants/"

urlpatterns = [
    path("m/<str:token>/", views.public_page, name="public_page"),
    path(C, console.merchant_list_view, name="list"),
]

from django.http import HttpResponse
from django.urls import path

app_name = "plugapp"


def hello(request, code: str):
    return HttpResponse(f"plugapp {code}")


urlpatterns = [path("console/<str:code>/plug/", hello, name="hello")]

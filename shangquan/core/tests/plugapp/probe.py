"""Run in a subprocess under plugapp.settings; prints what the platform picked up."""

import json

import django

django.setup()

from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from shangquan.core.extensions import periodic_jobs  # noqa: E402
from shangquan.core.navigation import all_items  # noqa: E402


def _reverse() -> str:
    try:
        return reverse("plugapp:hello", kwargs={"code": "ABC"})
    except NoReverseMatch:
        return ""


client = Client()
public = client.get("/api/v1/public/plug/ping")
page = client.get("/console/ABC/plug/")
schema = client.get("/api/v1/openapi.json").json()
print(json.dumps({
    "public_status": public.status_code,
    "public_body": public.json() if public.status_code == 200 else None,
    "page_status": page.status_code,
    "page_body": page.content.decode(),
    "district_path_in_openapi": "/api/v1/districts/{code}/plug/ping" in schema["paths"],
    "jobs": [path for path, _ in periodic_jobs()],
    "nav": [item.url_name for item in all_items()],
    "reverse": _reverse(),
}))

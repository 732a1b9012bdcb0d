"""The 公平秤 entry of the public district home (``Contributions.public_tiles``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


def tiles(district: Any, user: Any) -> list[dict]:
    return [{"order": 40, "title": _("公平秤 · 复称"), "url": reverse("scales:station", args=[district.code]),
             "text": _("买的东西够不够秤？在公平秤复称，短秤可直接投诉")}]

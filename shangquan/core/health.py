"""/healthz: django-health-check with the checks Shangquan needs.

Checked on every request: the database, the cache, the task worker's heartbeat, and
whatever later apps contribute as ``Contributions.health_checks`` (the crowd app adds
its MQTT bridge where a broker is configured). Core never imports those apps.

Long-running processes write a :class:`~shangquan.core.models.Heartbeat` row (not a cache
key: the cache may be local memory per process); one older than
``settings.HEARTBEAT_STALE_SECONDS``, or none at all, fails that component with 503. A
worker that was never started therefore shows as failing, on a laptop too.

``/healthz`` answers JSON unless the client asks for something else (a browser's
``Accept: text/html`` gets the library's status page; ``?format=text|json|…`` also works).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from health_check import Cache, Database, HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView, MediaType

from .extensions import collect
from .models import Heartbeat

WORKER = "worker"
DEFAULT_STALE_SECONDS = 90

CheckProvider = Callable[[], Iterable[HealthCheck]]


def stale_seconds() -> int:
    return int(getattr(settings, "HEARTBEAT_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def heartbeat_record(*, name: str, now: datetime | None = None) -> None:
    """The process called ``name`` is alive now (a liveness mark, not a domain change)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


class Pulse:
    """A heartbeat for a loop that turns faster than it needs to beat.

    ``pulse()`` writes at most once per ``every`` seconds (default: a third of the stale
    threshold, so two missed beats still leave the component healthy).
    """

    def __init__(self, name: str, *, every: float | None = None) -> None:
        self.name = name
        self.every = every if every is not None else stale_seconds() / 3
        self._last = float("-inf")

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.every

    def __call__(self) -> bool:
        if not self.due():
            return False
        heartbeat_record(name=self.name)
        self._last = time.monotonic()
        return True


@dataclasses.dataclass
class HeartbeatCheck(HealthCheck):
    """Fails when the component's last heartbeat is missing or older than the threshold."""

    component: str

    async def run(self) -> None:
        beat_at = await (Heartbeat.objects.filter(name=self.component)
                         .values_list("beat_at", flat=True).afirst())
        limit = stale_seconds()
        if beat_at is None:
            raise ServiceUnavailable(_("%(name)s 从未上报心跳（进程未启动？）")
                                     % {"name": self.component})
        age = (timezone.now() - beat_at).total_seconds()
        if age > limit:
            raise ServiceUnavailable(
                _("%(name)s 的心跳已 %(age)d 秒未更新（上限 %(limit)d 秒）")
                % {"name": self.component, "age": age, "limit": limit})


def health_checks() -> list[HealthCheck]:
    checks: list[HealthCheck] = [Database(), Cache(), HeartbeatCheck(component=WORKER)]
    # Later apps contribute ``health_checks`` in their apps.py (crowd: the MQTT bridge).
    provider: CheckProvider
    for provider in collect("health_checks"):
        checks.extend(provider())
    return checks


def check_name(check: HealthCheck) -> str:
    if isinstance(check, HeartbeatCheck):
        return check.component
    alias = getattr(check, "alias", "default")
    name = type(check).__name__.lower()
    return name if alias == "default" else f"{name}:{alias}"


class HealthView(HealthCheckView):
    """503 when any check fails; JSON for machines unless HTML or text is asked for."""

    def get_checks(self):
        yield from health_checks()

    async def get(self, request, *args, **kwargs):
        if "format" not in request.GET and _wants_json(request.headers.get("accept", "")):
            request.GET = request.GET.copy()
            request.GET["format"] = "json"
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:  # the library's "some check failed"
            response.status_code = 503
        return response

    def render_to_response_json(self, status):
        checks = {check_name(r.check): "OK" if r.error is None else str(r.error)
                  for r in self.results}
        failing = [check_name(r.check) for r in self.results if r.error is not None]
        return JsonResponse({"status": "error" if failing else "ok", "failing": failing,
                             "checks": checks}, status=503 if failing else 200,
                            json_dumps_params={"ensure_ascii": False})


def _wants_json(accept: str) -> bool:
    """No Accept, ``*/*`` or ``application/*`` first: a probe or a script, not a person."""
    try:
        first = next(MediaType.parse_header(accept or "*/*"), None)
    except ValueError:
        return True
    return first is None or first.mime_type in ("*/*", "application/*", "application/json")


healthz = HealthView.as_view()

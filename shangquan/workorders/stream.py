"""The dispatch board's server-sent events, fed by ``core.live``: every change of an
order publishes once; each process renders the district's counts once per change, and
each open board then fetches its own filtered page (``static/workorders/board-live.js``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from shangquan.core import live
from shangquan.core.selectors import access_district

from .selectors import board_channel, board_signature, counts_by_status


def board_feed(district) -> live.Feed:
    def render(language: str) -> bytes:
        return live.event_bytes("board", {"counts": counts_by_status(district=district),
                                          "version": board_signature(district=district)})

    return live.feed(board_channel(district.pk), render=render,
                     signature=lambda: board_signature(district=district))


async def board_stream(request: HttpRequest, code: str) -> HttpResponse:
    district = await live.authorised(request, lambda user: access_district(user=user, code=code))
    if district is None:
        return HttpResponse(status=401)
    return live.stream_response(request, board_feed(district))

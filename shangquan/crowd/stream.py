"""The live board's server-sent events, fed by ``core.live``: a board change publishes
once (``services._board_changed``); each process renders the board once per change and
language, and every open stream sends that rendering."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from shangquan.core import live, policies
from shangquan.core.selectors import access_district

from .selectors import board_channel, board_data, board_signature


def board_feed(district) -> live.Feed:
    def render(language: str) -> bytes:
        # The generator runs after the middleware returned: set the language explicitly.
        with translation.override(language):
            return live.event_bytes("board", board_data(district=district))

    return live.feed(board_channel(district.pk), render=render,
                     signature=lambda: board_signature(district=district))


def sync_streams_open() -> int:
    """Streams now running (the browser tests wait for none before the flush)."""
    return live.open_streams()


def _authorise(user, code: str):
    district = access_district(user=user, code=code)
    policies.require(user, "crowd.view", district)
    return district


async def board_stream(request: HttpRequest, code: str) -> HttpResponse:
    district = await live.authorised(request, lambda user: _authorise(user, code))
    if district is None:
        return HttpResponse(status=401)
    return live.stream_response(request, board_feed(district))

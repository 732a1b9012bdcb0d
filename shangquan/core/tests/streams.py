"""Reading an event stream in a test without ending the test's database connection."""

from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import StreamingHttpResponse


def close_stream(response: StreamingHttpResponse) -> None:
    """Close a stream the way Django's test client closes a finished one.

    ``response.close()`` fires ``request_finished``, whose ``close_old_connections``
    really closes the test's connection on PostgreSQL (SQLite's in-memory database
    ignores it): a test inside a transaction would lose it at teardown. The client
    wrapped the stream in ``closing_iterator_wrapper``; ending that generator closes
    the response with the receiver held off, as at the end of a real stream."""
    wrapper = response._iterator  # the client's closing_iterator_wrapper
    request_finished.disconnect(close_old_connections)
    try:
        wrapper.close()
    finally:
        request_finished.connect(close_old_connections)

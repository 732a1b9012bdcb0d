"""The rate-limit table has no model, so a transactional test's flush does not empty it;
the fixtures do. Without that, every live-server login counted towards later tests."""

from __future__ import annotations

import pytest

from shangquan.core import ratelimit

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_test_uses_up_a_limit():
    ratelimit.hit("isolation-check", limit=1, window=300)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("isolation-check", limit=1, window=300)


def test_the_next_test_starts_with_none_used():
    assert ratelimit.hit("isolation-check", limit=1, window=300) == 1

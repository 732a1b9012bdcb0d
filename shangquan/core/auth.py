"""The one password check behind every login path: the console form, ``POST
/api/v1/auth/token`` and Django's own ``/admin/login/`` all call ``authenticate()``,
which lands here, so all of them share one rate limit (per client address, per username).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from . import ratelimit

BACKEND = "shangquan.core.auth.RateLimitedModelBackend"


class RateLimitedModelBackend(ModelBackend):
    """Django's username/password backend, counted before the password is checked.

    Over the limit it raises ``RateLimited`` (429, or the error page), whichever path
    asked; a success clears the username's count (not the address's).
    """

    def authenticate(self, request: Any, username: str | None = None,
                     password: str | None = None, **kwargs: Any):
        name = username if username is not None else kwargs.get("username", "")
        limit, window = settings.SHANGQUAN["LOGIN_RATE"]
        if request is not None:
            ratelimit.hit(f"login:ip:{ratelimit.client_ip(request)}", limit=limit * 3,
                          window=window)
        user_bucket = f"login:user:{str(name or '').lower()[:150]}"
        ratelimit.hit(user_bucket, limit=limit, window=window)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            ratelimit.reset(user_bucket, window=window)
        return user

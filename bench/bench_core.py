"""Foundation: a trivial view and the console home (with data) under concurrency.

Prints req/s, p50 and p99 for both, then console ÷ trivial.
"""

from __future__ import annotations

import subprocess

from common import PY, ROOT, database_urls, env_for, header, load, prepare, ratio_line, server


def session_cookie(url: str, username: str) -> str:
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
        "from django.conf import settings\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        f"u = get_user_model().objects.get(username={username!r})\n"
        "s = SessionStore(); s[SESSION_KEY] = str(u.pk)\n"
        "s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]\n"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print(s.session_key)\n"
    )
    out = subprocess.run([PY, "-c", code], env=env_for(url), cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return "sessionid=" + out.stdout.strip().splitlines()[-1]


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    for vendor, url in database_urls(which).items():
        header(f"core: trivial view vs console home — {vendor}")
        prepare(url, demo_args=("--only", "LHYS"))
        cookie = session_cookie(url, "lhys-committee")
        with server(url, workers=2) as base:
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16)
            console = load(base, "/console/LHYS/", label="console home (committee)",
                           concurrency=16, headers={"Cookie": cookie})
        print(trivial.line())
        print(console.line())
        print(ratio_line("console ÷ trivial (throughput)", console.rps, trivial.rps))

"""Fuzz the REST API with schemathesis (PyPI) over /api/v1/openapi.json, as CI does.

    .venv/bin/python scripts/fuzz_api.py [--database-url URL] [--seconds N]

A fresh database with the demo districts, a server of our own on a free loopback port,
then one bounded run per caller: a committee member's token and a superuser's. Fails
(exit 1) on any 5xx, any answer that breaks its documented schema and any undocumented
status code. Reports go to ``var/fuzz/`` (NDJSON, one line per event).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Streams never end; the fuzzer would only wait on them.
EXCLUDE_PATH_REGEX = r"/stream$"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"fuzz: the server did not answer {url}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("SHANGQUAN_DATABASE_URL", ""))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", 90)),
                        help="time budget per caller")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="sq-fuzz-"))
    reports = ROOT / "var" / "fuzz"
    reports.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SHANGQUAN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE":
           "shangquan.settings", "SHANGQUAN_DEBUG": "0"}
    if args.database_url:
        env["SHANGQUAN_DATABASE_URL"] = args.database_url
    print("== fuzz: fresh database with the demo", flush=True)
    manage = [sys.executable, str(ROOT / "manage.py")]  # this checkout's code, whatever is installed
    subprocess.run([*manage, "setup"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    code_user = subprocess.run(
        [*manage, "shell", "-c",
         "from shangquan.core.models import Membership;"
         "m = Membership.objects.filter(role='committee', user__is_active=True)"
         ".select_related('district', 'user').order_by('district__code').first();"
         "from shangquan.core.demo import ADMIN_USERNAME, DEMO_PASSWORD;"
         "print(m.district.code, m.user.username, ADMIN_USERNAME, DEMO_PASSWORD)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()
    district, committee, admin, password = code_user[-4:]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (reports / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "shangquan.asgi:application",
                               "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    failed = False
    try:
        wait_for(f"{base}/api/v1/openapi.json")
        tokens = {caller: post_json(f"{base}/api/v1/auth/token",
                                    {"username": username, "password": password})["token"]
                  for caller, username in (("committee", committee), ("superuser", admin))}
        config = var / "schemathesis.toml"
        config.write_text(f'[parameters]\n"path.code" = "{district}"\n', encoding="utf-8")
        for caller, token in tokens.items():
            print(f"== fuzz: {caller} of {district}, {args.seconds} s", flush=True)
            run = subprocess.run([
                str(BIN / "schemathesis"), "--config-file", str(config), "run",
                f"{base}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
                "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
                "--max-time", str(args.seconds), "--workers", "1", "--seed", str(args.seed),
                "--request-timeout", "20", "--exclude-path-regex", EXCLUDE_PATH_REGEX,
                "--generation-database", "none", "--warnings", "off", "--no-color",
                "--report", "ndjson", "--report-ndjson-path", str(reports / f"{caller}.ndjson"),
            ], cwd=var, env=env)
            failed |= run.returncode != 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    print("== fuzz:", "FAILED (see above; server log in var/fuzz/server.log)" if failed
          else "no 5xx, no schema-breaking answer", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

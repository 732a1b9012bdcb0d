"""Dashboard snapshots: a year of weekly snapshots for a demo district, and a report.

凌河夜市 from the demo (``--scale`` by ``SHANGQUAN_BENCH_SNAPSHOTS_SCALE``, default 1);
its snapshots are removed (triggers lifted for the bench) and frozen again by the
service the nightly job calls: one closed week first (the baseline, same run), then the
52 weeks before this one, every contributed indicator. Aim: the year under 60 s, and
per week no dearer than the single week (ratio ≤ 1.5: nothing grows with the history).
Then one weekly report (xlsx + PDF) from the frozen figures.
``--db sqlite|postgresql|both`` picks the databases: an SQLite file of its own
(``SHANGQUAN_BENCH_SNAPSHOTS_DB``, default under /tmp) and PostgreSQL
``SHANGQUAN_BENCH_SNAPSHOTS_PG`` (default database ``shangquan_bench_snapshots``).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from common import PY, ROOT, env_for, header, pg_available, prepare, ratio_line

SCALE = os.environ.get("SHANGQUAN_BENCH_SNAPSHOTS_SCALE", "1")
SQLITE = os.environ.get("SHANGQUAN_BENCH_SNAPSHOTS_DB",
                        str(Path(tempfile.gettempdir()) / "shangquan-bench-snapshots.sqlite3"))
PG = os.environ.get("SHANGQUAN_BENCH_SNAPSHOTS_PG",
                    "postgres://postgres@127.0.0.1:5432/shangquan_bench_snapshots")


def database_urls(which: str) -> dict[str, str]:
    urls = {}
    if which in ("both", "sqlite"):
        urls["sqlite"] = f"sqlite:///{SQLITE}"
    if which in ("both", "postgresql") and pg_available():
        urls["postgresql"] = PG
    return urls

RUN = r"""
import datetime as dt, json, time
import django; django.setup()
from django.db import connection
from django.utils import timezone
from shangquan.core.actors import SYSTEM
from shangquan.core.models import District
from shangquan.core.periods import Period
from shangquan.dashboard import selectors, services
from shangquan.dashboard.models import Report, Snapshot

district = District.objects.get(code="LHYS")
with connection.cursor() as cur:
    if connection.vendor == "postgresql":
        cur.execute("SET session_replication_role = replica")  # the bench lifts the trigger
    Snapshot.objects.filter(district=district).delete()
    Report.objects.filter(district=district).delete()
    if connection.vendor == "postgresql":
        cur.execute("SET session_replication_role = DEFAULT")
today = timezone.localdate()
last = Period.containing("week", today).previous()
t = time.perf_counter()
one = services.snapshots_freeze(actor=SYSTEM, district=district, periods=[last])
single = time.perf_counter() - t
weeks = [Period("week", last.start - dt.timedelta(weeks=i)) for i in range(1, 53)]
t = time.perf_counter()
rows = services.snapshots_freeze(actor=SYSTEM, district=district, periods=weeks)
year = time.perf_counter() - t
t = time.perf_counter()
report, created = services.report_generate(actor=SYSTEM, district=district, period=last)
rep = time.perf_counter() - t
print(json.dumps({"indicators": len(selectors.indicators()), "single": single, "one_rows": one,
                  "year": year, "rows": rows, "report": rep,
                  "xlsx": len(bytes(Report.objects.get(pk=report.pk).xlsx)),
                  "pdf": len(bytes(Report.objects.get(pk=report.pk).pdf))}))
"""


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    header(f"dashboard snapshots: a year of weeks for 凌河夜市 (demo scale {SCALE})")
    for name, url in database_urls(which).items():
        prepare(url, demo_args=("--only", "LHYS", "--scale", SCALE))
        out = subprocess.run([PY, "-c", RUN], env=env_for(url), cwd=ROOT, capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"[{name}] {r['indicators']} indicators; one week {r['single'] * 1000:.0f} ms "
              f"({r['one_rows']} rows); 52 weeks {r['year']:.2f} s ({r['rows']} rows; aim < 60 s)")
        print(f"[{name}] " + ratio_line("per week, year ÷ single week", r["year"] / 52,
                                        r["single"], "≤ 1.5"))
        print(f"[{name}] weekly report (xlsx {r['xlsx'] // 1024} KiB + PDF "
              f"{r['pdf'] // 1024} KiB) in {r['report']:.2f} s")

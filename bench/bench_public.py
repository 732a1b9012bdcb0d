"""The public side on a slow phone: LCP of the merchant QR page and of the report page
(issue 12: under 1.5 s and 2.0 s at 4× CPU slowdown and slow 4G, cold cache), with the
same measurement as the stations map (``bench_stations.lcp``), on the 凌河夜市 demo."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess

import bench_stations
import common
from common import PY, ROOT, VAR, env_for, header, prepare, server

common.PG_URL = os.environ.get("SHANGQUAN_BENCH_PG_PUBLIC",
                               "postgres://postgres@127.0.0.1:5432/bench_public")
os.environ.setdefault("SHANGQUAN_BENCH_SQLITE", str(VAR / "bench-public.sqlite3"))
STATIC = VAR / "static-public"
CODE = "LHYS"
TOKEN = ("import django; django.setup()\n"
         "from shangquan.merchants.models import Merchant\n"
         f"print(Merchant.objects.filter(district__code='{CODE}').order_by('pk')"
         ".first().public_token)\n")
AIMS = {"merchant QR page": 1500, "report page": 2000}


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "sqlite")
    if bench_stations.chromium() is None:
        print("public LCP: Chromium not found (set SHANGQUAN_CHROMIUM)")
        return
    for vendor, url in common.database_urls(which).items():
        header(f"public pages: LCP on a slow phone — {vendor}")
        prepare(url, demo_args=("--only", CODE))
        token = subprocess.run([PY, "-c", TOKEN], env=env_for(url), cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.strip().splitlines()[-1]
        subprocess.run([PY, "-m", "shangquan.cli", "collectstatic", "--noinput",
                        "--verbosity", "0"], env=env_for(url, STATIC_ROOT=str(STATIC),
                                                         DEBUG="0"), cwd=ROOT, check=True)
        with server(url, workers=2, STATIC_ROOT=str(STATIC)) as base:
            runs = bench_stations.lcp(base, {"merchant QR page": f"/m/{token}/",
                                             "report page": f"/d/{CODE}/report/"})
        print(f"LCP, {bench_stations.CPU_SLOWDOWN}× CPU slowdown, slow 4G, cold cache, "
              f"{bench_stations.LCP_RUNS} runs:")
        for label, results in runs.items():
            times = [r["lcp"] for r in results]
            with contextlib.suppress(statistics.StatisticsError):
                print(f"  {label:<18} median {statistics.median(times):7.0f} ms   "
                      f"worst {max(times):7.0f} ms   document {results[-1]['bytes'] / 1024:5.1f} KB"
                      f"   element {results[-1]['element']}   (aim < {AIMS[label]} ms)",
                      flush=True)

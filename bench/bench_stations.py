"""The public station map under concurrency vs the trivial view, and its LCP on a slow phone.

Seeds one district (凌河夜市: its merchants, then the stations demo: 10 党群服务站 in shops,
the 先锋驿站, the visitor centre, the children's waiting area, a car park) with only the
org, merchants and stations demo loaders, then on a real server measures:
- the trivial view (baseline, same run);
- the map page ``/d/LHYS/stations/`` (every station's card: hours, open now, amenities);
- the map filtered "open now + charging" with the visitor's position (distance sort);
- one station's page (what its QR code opens) and the map's JSON API;
and prints req/s, p50/p99 and the ratios to the trivial view (aim ≥ 0.5).

Then LCP (largest contentful paint) of the map page and a station page in Chromium with
4 × CPU slowdown and the slow-4G profile (DevTools "Slow 4G" = Lighthouse's mobile
throttling: 562.5 ms request latency, 1.44 Mbit/s down, 675 kbit/s up), a cold cache
per run, a 360 × 740 phone viewport; median and worst of several runs (aim < 2.5 s).
Map tiles are remote (高德): the sandbox has no internet, so requests leaving 127.0.0.1
are aborted — the page must not wait for them anyway.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess

import common
from common import PY, ROOT, VAR, env_for, header, load, prepare, ratio_line, server

common.PG_URL = os.environ.get("SHANGQUAN_BENCH_PG_STATIONS",
                               "postgres://postgres@127.0.0.1:5432/bench_stations")
STATIC = VAR / "static-stations"  # our own collected static files (DEBUG=0 serves these)

SEED = """
import json, random
import django; django.setup()
from django.db import transaction
from shangquan.core import demo as core_demo
from shangquan.merchants import demo as merchants_demo
from shangquan.org import demo as org_demo
from shangquan.stations import demo as stations_demo
from shangquan.stations.models import Station
spec = next(s for s in core_demo.DISTRICTS if s.code == "LHYS")
logins = []
with transaction.atomic():
    district, departments, users, dusers = core_demo._district_base(spec, 0, logins)
for module in (org_demo, merchants_demo, stations_demo):
    module.load(core_demo.DemoContext(
        district=district, spec=spec, rng=random.Random(f"2026:{spec.code}:{module.__name__}"),
        scale=1, users=users, departments=departments, department_users=dusers,
        progress=lambda m: None, logins=logins))
stations = Station.objects.filter(district=district, is_active=True)
print(json.dumps({"n": stations.count(), "lat": float(district.latitude),
                  "lon": float(district.longitude),
                  "token": stations.filter(kind="pioneer_station").first().public_token}))
"""

CPU_SLOWDOWN = 4
SLOW_4G = {"offline": False, "latency": 562.5,
           "downloadThroughput": 1.44 * 1_000_000 / 8, "uploadThroughput": 675_000 / 8}
LCP_RUNS = 5
# as the browser tests launch it (shangquan/core/tests/fixtures.py)
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
LCP_JS = """
window.__lcp = null;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__lcp = {t: e.startTime, size: e.size,
    tag: e.element ? e.element.tagName + (e.element.id ? '#' + e.element.id : '') : ''};
}).observe({type: 'largest-contentful-paint', buffered: true});
"""


def database_urls(which: str) -> dict[str, str]:
    """Our own SQLite file too: other benchmarks run at the same time on bench.sqlite3."""
    urls = common.database_urls(which)
    if "sqlite" in urls:
        urls["sqlite"] = f"sqlite:///{VAR / 'bench-stations.sqlite3'}"
    return urls


def seed(url: str) -> dict:
    out = subprocess.run([PY, "-c", SEED], env=env_for(url), cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def collect_static(url: str) -> None:
    subprocess.run([PY, "-m", "shangquan.cli", "collectstatic", "--noinput", "--verbosity",
                    "0"], env=env_for(url, STATIC_ROOT=str(STATIC), DEBUG="0"), cwd=ROOT,
                   check=True, capture_output=True)


def chromium() -> str | None:
    import shutil
    from pathlib import Path

    for candidate in (os.environ.get("SHANGQUAN_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def lcp(base: str, paths: dict[str, str]) -> dict[str, list[dict]]:
    """LCP per path: ``LCP_RUNS`` cold loads each, throttled like a slow phone."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[dict]] = {label: [] for label in paths}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            for label, path in paths.items():
                for _run in range(LCP_RUNS):
                    context = browser.new_context(viewport={"width": 360, "height": 740},
                                                  device_scale_factor=2, is_mobile=True,
                                                  locale="zh-CN")
                    context.route("**/*", lambda route: route.continue_()
                                  if route.request.url.startswith(base)
                                  or route.request.url.startswith("data:")
                                  else route.abort())
                    page = context.new_page()
                    page.add_init_script(LCP_JS)
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                    page.goto(base + path, wait_until="load", timeout=60_000)
                    page.wait_for_timeout(1500)  # let late paints report
                    entry = page.evaluate("window.__lcp")
                    nav = page.evaluate("JSON.stringify(performance.getEntriesByType("
                                        "'navigation')[0])")
                    nav = json.loads(nav) if nav else {}
                    out[label].append({"lcp": entry["t"] if entry else float("nan"),
                                       "element": entry["tag"] if entry else "",
                                       "ttfb": nav.get("responseStart", float("nan")),
                                       "bytes": nav.get("transferSize", 0)})
                    context.close()
        finally:
            browser.close()
    return out


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    duration = 8.0
    for vendor, url in database_urls(which).items():
        header(f"stations: public map page vs trivial view, and LCP on a slow phone — {vendor}")
        prepare(url, demo_args=None)
        info = seed(url)
        collect_static(url)
        code = "LHYS"
        near = f"lat={info['lat'] + 0.0005:.6f}&lon={info['lon'] + 0.0005:.6f}"
        pages = {
            "map page": f"/d/{code}/stations/",
            "map: open now + charging, by distance": f"/d/{code}/stations/?open=1"
                                                     f"&amenity=charging&{near}",
            "station page (its QR code)": f"/d/{code}/stations/s/{info['token']}/",
            "map JSON (public API)": f"/api/v1/public/stations/{code}/stations",
        }
        print(f"{info['n']} active stations in {code}")
        with server(url, workers=2, STATIC_ROOT=str(STATIC)) as base:
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16,
                           duration=duration)
            results = {label: load(base, path, label=label, concurrency=16,
                                   duration=duration) for label, path in pages.items()}
            trivial_after = load(base, "/bench/trivial", label="trivial view (again)",
                                 concurrency=16, duration=duration)
            print(trivial.line())
            for result in results.values():
                print(result.line())
            print(trivial_after.line())
            baseline = (trivial.rps + trivial_after.rps) / 2
            for label, result in results.items():
                print(ratio_line(f"{label} ÷ trivial", result.rps, baseline, "≥ 0.5"),
                      flush=True)
            if chromium() is None:
                print("LCP: Chromium not found (set SHANGQUAN_CHROMIUM)")
                continue
            lcps = lcp(base, {"map page": pages["map page"],
                              "station page": pages["station page (its QR code)"]})
        print(f"LCP, {CPU_SLOWDOWN}× CPU slowdown, slow 4G "
              f"({SLOW_4G['latency']} ms, 1.44 Mbit/s down), cold cache, {LCP_RUNS} runs:")
        for label, runs in lcps.items():
            times = [r["lcp"] for r in runs]
            with contextlib.suppress(statistics.StatisticsError):
                ttfb = statistics.median(r["ttfb"] for r in runs)
                print(f"  {label:<16} median {statistics.median(times):7.0f} ms   "
                      f"worst {max(times):7.0f} ms   TTFB {ttfb:6.0f} ms   "
                      f"element {runs[-1]['element']}   (aim < 2500 ms)", flush=True)

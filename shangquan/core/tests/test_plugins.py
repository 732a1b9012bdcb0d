"""Apps plug in: an app is its folder plus one INSTALLED_APPS line.

The test app ``plugapp`` declares a district router, a public router, a page, a periodic
job and a nav item in its ``apps.py`` only; a fresh process with the one extra
INSTALLED_APPS line must serve and schedule all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from shangquan.core.extensions import POINTS, contributing_apps, references

ROOT = Path(__file__).resolve().parents[3]


def _probe(settings_module: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module,
           "SHANGQUAN_DATABASE_URL": "sqlite://:memory:"}
    result = subprocess.run([sys.executable, "-m", "shangquan.core.tests.plugapp.probe"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_app_plugs_in_with_its_folder_and_one_settings_line():
    seen = _probe("shangquan.core.tests.plugapp.settings")
    assert seen["public_status"] == 200 and seen["public_body"] == {"app": "plugapp",
                                                                     "district": ""}
    assert seen["page_status"] == 200 and seen["page_body"] == "plugapp ABC"
    assert seen["district_path_in_openapi"]
    assert "shangquan.core.tests.plugapp.tasks.tick" in seen["jobs"]
    assert "plugapp:hello" in seen["nav"] and seen["reverse"] == "/console/ABC/plug/"


def test_without_the_settings_line_nothing_of_it_exists():
    seen = _probe("shangquan.settings")
    assert seen["public_status"] == 404
    assert not seen["district_path_in_openapi"]
    assert not any("plugapp" in job for job in seen["jobs"])
    assert "plugapp:hello" not in seen["nav"]


def test_no_central_list_of_apps_remains():
    for central in ("shangquan/schedule.py",):
        assert not (ROOT / central).exists(), central
    for name in ("api.py", "urls.py"):
        source = (ROOT / "shangquan" / name).read_text()
        for app in ("org", "merchants", "workorders", "inspections", "scales", "crowd"):
            assert f"shangquan.{app}" not in source, (name, app)


def test_every_app_declares_its_contributions_and_they_resolve():
    from shangquan.core.extensions import check_contributions

    names = {config.label for config, _ in contributing_apps()}
    assert {"core", "org", "merchants", "workorders", "inspections", "scales",
            "crowd"} <= names
    assert check_contributions() == []
    # Every app with an api.py / urls.py / nav.py declares it (nothing silently unused).
    for config, contributes in contributing_apps():
        path = Path(config.path)
        if config.label != "core" and (path / "api.py").exists():
            assert contributes.api, config.label
        if (path / "urls.py").exists():
            assert contributes.urls, config.label
        if (path / "nav.py").exists():
            assert contributes.nav, config.label
    assert "jobs" in POINTS and references("nav")

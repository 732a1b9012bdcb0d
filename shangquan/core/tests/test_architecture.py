"""ARCHITECTURE.md stays true: its app order, extension points and the checks it names."""

from __future__ import annotations

import configparser
import re
from dataclasses import fields
from pathlib import Path

from django.conf import settings

from shangquan.core.extensions import Contributions

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "ARCHITECTURE.md").read_text()


def _table(marker: str) -> list[list[str]]:
    block = DOC.split(f"<!-- {marker}")[1].split(f"<!-- /{marker} -->")[0]
    rows = [line for line in block.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_app_order_matches_the_import_contract_and_installed_apps():
    documented = [row[1].strip("`") for row in _table("app-order")]
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    layers = [line.strip().strip("()") for line in
              parser["importlinter:contract:layers"]["layers"].strip().splitlines()]
    assert documented == list(reversed(layers))
    installed = [app.split(".")[1] for app in settings.INSTALLED_APPS
                 if app.startswith("shangquan.") and ".tests." not in app]
    assert installed == [app for app in documented if app in installed]
    for app in installed:
        assert (ROOT / "shangquan" / app / "apps.py").exists()


def test_every_extension_point_is_documented_and_nothing_else():
    documented = {row[0].strip("`") for row in _table("extension-points")}
    assert documented == {f.name for f in fields(Contributions)}


def test_every_check_the_map_names_exists():
    for path in set(re.findall(r"`((?:core|shangquan/core)/tests/[a-z_]+\.py)`", DOC)):
        full = ROOT / (path if path.startswith("shangquan/") else f"shangquan/{path}")
        assert full.exists(), path
    for path in set(re.findall(r"`(shangquan/[a-z_/]+\.py|\.importlinter)`", DOC)):
        assert (ROOT / path).exists(), path


def test_one_scheme_for_view_modules():
    """``views.py`` or a ``views/`` package; no ``views_*.py`` or ``console.py`` beside it."""
    for app in (ROOT / "shangquan").iterdir():
        if not (app / "apps.py").exists():
            continue
        assert not list(app.glob("views_*.py")), app.name
        assert not (app / "console.py").exists(), app.name
        assert not ((app / "views.py").exists() and (app / "views").is_dir()), app.name

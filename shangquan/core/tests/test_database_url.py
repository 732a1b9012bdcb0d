"""SHANGQUAN_DATABASE_URL → DATABASES (dj-database-url plus what each engine needs here)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from shangquan.settings import VAR_DIR, database_from_url


def test_no_url_is_the_sqlite_file_in_var_with_wal_and_immediate_transactions():
    config = database_from_url(None)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(VAR_DIR / "shangquan.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 30
    assert "PRAGMA journal_mode=WAL;" in config["OPTIONS"]["init_command"]
    assert "PRAGMA foreign_keys=ON;" in config["OPTIONS"]["init_command"]
    assert config["TEST"] == {"NAME": None}  # tests run in memory


def test_sqlite_paths():
    assert database_from_url("sqlite:////tmp/sq.sqlite3")["NAME"] == "/tmp/sq.sqlite3"
    assert database_from_url("sqlite://")["NAME"] == ":memory:"


def test_postgres_parts_options_and_defaults(monkeypatch):
    monkeypatch.delenv("SHANGQUAN_DB_POOL_MAX", raising=False)
    config = database_from_url(
        "postgresql://u:p%40ss@db.example:6432/na%20me?sslmode=require")
    assert {k: config[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")} == {
        "ENGINE": "django.db.backends.postgresql", "NAME": "na me", "USER": "u",
        "PASSWORD": "p@ss", "HOST": "db.example", "PORT": "6432"}
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_MAX_AGE"] == 0
    bare = database_from_url("postgres://127.0.0.1/")
    assert bare["NAME"] == "shangquan" and bare["PORT"] == ""


def test_postgres_pool_for_the_web_server(monkeypatch):
    monkeypatch.setenv("SHANGQUAN_DB_POOL_MAX", "8")
    config = database_from_url("postgres://postgres@127.0.0.1:5432/sq")
    assert config["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 30}
    # A pool and persistent connections exclude each other in Django.
    assert config["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize("url", ["mysql://u@h/n", "nosuch://h/n"])
def test_other_engines_are_refused(url):
    with pytest.raises(ImproperlyConfigured, match="SHANGQUAN_DATABASE_URL"):
        database_from_url(url)

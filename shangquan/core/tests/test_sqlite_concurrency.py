"""Concurrent writers on the embedded SQLite database wait; they never fail with
"database is locked" (WAL, IMMEDIATE transactions, busy timeout)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

WRITER = textwrap.dedent("""
    import django, sys
    django.setup()
    from django.db import transaction
    from shangquan.core.actors import SYSTEM
    from shangquan.core.audit import audit_record
    from shangquan.core.models import District
    district = District.objects.get(code="CONC")
    for i in range(40):
        with transaction.atomic():
            # read-then-write: the pattern that deadlocks under DEFERRED transactions
            District.objects.filter(pk=district.pk).count()
            audit_record(actor=SYSTEM, district=district, action="core.user.create",
                         object_type="test", object_id=f"{sys.argv[1]}-{i}")
    print("ok")
""")


def test_concurrent_writers_wait_instead_of_failing(tmp_path: Path):
    db = tmp_path / "concurrency.sqlite3"
    env = {**os.environ, "SHANGQUAN_DATABASE_URL": f"sqlite:///{db}",
           "DJANGO_SETTINGS_MODULE": "shangquan.settings", "SHANGQUAN_TESTING": "1"}
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env,
                   check=True)
    subprocess.run([sys.executable, "-c",
                    "import django; django.setup();"
                    "from shangquan.core.services import district_create;"
                    "from shangquan.core.actors import SYSTEM;district_create(actor=SYSTEM, code='CONC', name='并发')"],
                   cwd=root, env=env, check=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(n)], cwd=root, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(4)]
    outputs = [w.communicate(timeout=120) for w in writers]
    for (_out, err), writer in zip(outputs, writers, strict=True):
        assert writer.returncode == 0, err[-2000:]
        assert "database is locked" not in err
    count = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();"
         "from shangquan.core.models import AuditLog;"
         "print(AuditLog.objects.filter(action='core.user.create').count())"],
        cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert count == "160"
    journal = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();"
         "from django.db import connection; c = connection.cursor();"
         "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"],
        cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert journal == "wal"


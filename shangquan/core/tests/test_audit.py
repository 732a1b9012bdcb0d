import pytest
from django.db import DatabaseError, connection, transaction

from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record
from shangquan.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_audit_rows_cannot_be_changed_or_deleted(north):
    row = audit_record(actor=SYSTEM, district=north.district, action="core.user.create",
                       object_type="x", object_id=1, after={"a": 1})
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=row.pk).update(action="tampered")
    with pytest.raises(TypeError):
        row.delete()
    row.action = "tampered"
    with pytest.raises(TypeError):
        row.save()
    # Below the ORM, the database itself refuses.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET action = 'tampered' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])  # SQLite too
    assert AuditLog.objects.get(pk=row.pk).action == "core.user.create"


def test_audit_view_is_for_committee_and_street(north, client):
    from shangquan.core.roles import Role

    for role, status in [(Role.COMMITTEE, 200), (Role.STREET, 200), (Role.MERCHANT, 403),
                         (Role.RESIDENT, 403)]:
        client.force_login(north.people[role])
        response = client.get(f"/console/{north.district.code}/audit/")
        assert response.status_code == status, role


def test_snapshot_handles_empty_and_set_files():
    from django.db.models.fields.files import FieldFile

    from shangquan.core.audit import _jsonable

    class Holder:
        pass

    field = type("F", (), {"storage": None, "name": "photo"})()
    assert _jsonable(FieldFile(Holder(), field, None)) is None
    assert _jsonable(FieldFile(Holder(), field, "a/b.jpg")) == "a/b.jpg"


def test_audit_log_names_actions_by_their_registered_label(north, client):
    from shangquan.core.roles import Role

    audit_record(actor=SYSTEM, district=north.district, action="core.department.create",
                 object_type="core.department", object_id=1)
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(f"/console/{north.district.code}/audit/").content.decode()
    assert "新增部门" in page and "core.department.create" in page
    page = client.get(f"/console/{north.district.code}/audit/", HTTP_ACCEPT_LANGUAGE="en")
    assert "New department" in page.content.decode()

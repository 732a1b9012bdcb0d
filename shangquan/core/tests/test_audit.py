import pytest
from django.db import DatabaseError, connection, transaction

from shangquan.core.audit import audit_record
from shangquan.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_audit_rows_cannot_be_changed_or_deleted(north):
    row = audit_record(actor=None, district=north.district, action="test.thing",
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
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
    assert AuditLog.objects.get(pk=row.pk).action == "test.thing"


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

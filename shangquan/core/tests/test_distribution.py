"""The schema can be distributed by district (Citus), as DESIGN section 10 plans.

In Citus every table is either *distributed* by a column (here ``district_id``) or a
*reference* table copied to every node. The rules this test holds the models to are the
ones Citus enforces when a table is distributed:

1. every model carries ``district`` (a foreign key to ``core.District``), unless it is a
   reference table listed in :data:`REFERENCE_TABLES` (deploy/README.md, "Towards
   Citus", lists the same);
2. every unique constraint of a distributed table includes ``district``: a
   ``UniqueConstraint``, ``unique_together``, a ``unique=True`` column other than the
   primary key, and the uniqueness a one-to-one field promises (Citus can only check a
   unique index on the shard that holds the row);
3. a foreign key to a distributed table comes from a model that carries ``district``
   too (in Citus the key becomes the composite ``(district_id, id)``, so both rows sit
   on one shard); a reference table may keep a distributed row's id only without a
   database foreign key (``db_constraint=False``), since Citus refuses foreign keys from
   reference to distributed tables;
4. many-to-many tables Django creates for a field between distributed models count as
   models too, so every such field names a ``through`` model carrying ``district``.

The self-tests at the end run the checker against deliberately bad model definitions,
so the check is known to be able to fail.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models

# Replicated to every node. Users and their per-person rows, districts, global settings
# and machinery that is looked up without a district (tokens, idempotency keys, one-time
# codes, job bookkeeping), and Django's own tables.
REFERENCE_TABLES: frozenset[str] = frozenset({
    "core.District",
    "core.PublicToken",
    "auth.User",
    "auth.User_groups",
    "auth.User_user_permissions",
    "auth.Group",
    "auth.Group_permissions",
    "auth.Permission",
    "contenttypes.ContentType",
    "sessions.Session",
    "admin.LogEntry",
    "django_tasks_database.DBTaskResult",
    "core.Profile",
    "core.ApiToken",
    "core.AuditSealedActor",
    "core.IdempotencyRecord",
    "core.OneTimeCode",
    "core.NotificationPreference",
    "core.PeriodicJobRun",
    "core.Heartbeat",
})

# A street's report covers several districts, so it has no single district to be
# distributed by: it is replicated to every node as a reference table, like the
# districts it summarises.
REFERENCE_TABLES_BY_SCOPE: frozenset[str] = frozenset({"dashboard.Report"})


def district_model() -> type[models.Model]:
    return apps.get_model("core", "District")


def all_models() -> list[type[models.Model]]:
    """Every concrete table: our apps, Django's, and the auto-created M2M tables."""
    return [m for m in apps.get_models(include_auto_created=True)
            if not m._meta.proxy and m._meta.managed]


def is_reference(model: type[models.Model], reference: Iterable[str]) -> bool:
    return model._meta.label in reference


def carries_district(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("district")
    except Exception:  # FieldDoesNotExist
        return False
    return bool(field.many_to_one and field.related_model is district_model())


def unique_sets(model: type[models.Model]) -> list[tuple[str, tuple[str, ...]]]:
    """``(what, field names)`` for every uniqueness the model declares."""
    opts = model._meta
    out: list[tuple[str, tuple[str, ...]]] = []
    for field in opts.local_fields:
        if field.primary_key:
            continue
        if field.unique:
            out.append((f"{field.name} unique=True", (field.name,)))
    for together in opts.unique_together:
        out.append((f"unique_together {together}", tuple(together)))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names = tuple(constraint.fields)
            if not names:  # an expression constraint: the columns it names
                names = tuple(
                    ref for expr in constraint.expressions
                    for ref in _referenced_columns(expr))
            out.append((f"UniqueConstraint {constraint.name}", names))
    return out


def _referenced_columns(expression) -> list[str]:
    names = []
    if isinstance(expression, models.F):
        names.append(expression.name)
    for source in getattr(expression, "get_source_expressions", lambda: [])():
        names.extend(_referenced_columns(source))
    return names


def distribution_problems(models_: Iterable[type[models.Model]],
                          reference: Iterable[str]) -> list[str]:
    """Every way ``models_`` break the rules in this module's docstring."""
    reference = frozenset(reference)
    District = district_model()
    problems: list[str] = []
    for model in models_:
        opts = model._meta
        label = opts.label
        if model is District:
            continue
        if is_reference(model, reference):
            for field in opts.local_fields:
                target = field.related_model if field.is_relation else None
                if (target is not None and not is_reference(target, reference)
                        and target is not District and field.db_constraint):
                    problems.append(f"{label}.{field.name}: a reference table has a "
                                    f"database foreign key to distributed "
                                    f"{target._meta.label}")
            continue
        if not carries_district(model):
            problems.append(f"{label}: no district (and not a reference table)")
            continue
        for what, names in unique_sets(model):
            if "district" not in names:
                problems.append(f"{label}: {what} {names} lacks district")
        for field in opts.local_fields:
            if getattr(field, "one_to_one", False) and not field.primary_key:
                backed = any(set(names) >= {"district", field.name}
                             for _, names in unique_sets(model))
                if not backed:
                    problems.append(f"{label}.{field.name}: a one-to-one field with no "
                                    "unique constraint on (district, field)")
        for field in opts.local_many_to_many:
            through = field.remote_field.through
            target = field.related_model
            if through._meta.auto_created and not is_reference(target, reference):
                problems.append(f"{label}.{field.name}: many-to-many to distributed "
                                f"{target._meta.label} through an auto-created table "
                                "without district")
    return problems


def test_every_model_can_be_distributed_by_district():
    problems = distribution_problems(all_models(),
                                     REFERENCE_TABLES | REFERENCE_TABLES_BY_SCOPE)
    assert problems == [], "\n".join(problems)


def test_reference_tables_listed_exist():
    labels = {m._meta.label for m in all_models()}
    assert REFERENCE_TABLES | REFERENCE_TABLES_BY_SCOPE <= labels


def test_reference_list_matches_the_deployment_notes():
    from pathlib import Path

    notes = (Path(__file__).resolve().parents[3] / "deploy" / "README.md").read_text()
    section = notes.split("## Towards Citus", 1)[1]
    for label in sorted(REFERENCE_TABLES | REFERENCE_TABLES_BY_SCOPE):
        app, model = label.split(".")
        if app in ("auth", "contenttypes", "sessions", "admin", "django_tasks_database"):
            continue  # described as "Django's own tables" and "the task table"
        assert f"`{app}.{model}`" in section, label


# --- the checker can fail ---------------------------------------------------------------

def _synthetic(name: str, attrs: dict, meta: dict | None = None) -> type[models.Model]:
    """A model class that is never migrated, registered under a throw-away app label."""
    meta_attrs = {"app_label": "distribution_selftest", **(meta or {})}
    body = {"__module__": __name__, "Meta": type("Meta", (), meta_attrs), **attrs}
    model = type(name, (models.Model,), body)
    return model


def _cleanup_synthetic():
    apps.all_models.pop("distribution_selftest", None)
    apps.clear_cache()


def test_checker_catches_bad_definitions():
    District = district_model()
    try:
        parent = _synthetic("Parent", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "token": models.CharField(max_length=8, unique=True),
        })
        no_district = _synthetic("NoDistrict", {
            "parent": models.ForeignKey(parent, on_delete=models.CASCADE, related_name="+"),
        })
        together = _synthetic("Together", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "parent": models.ForeignKey(parent, on_delete=models.CASCADE, related_name="+"),
            "n": models.IntegerField(),
        }, {"unique_together": [("parent", "n")]})
        one = _synthetic("One", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "parent": models.OneToOneField(parent, on_delete=models.CASCADE,
                                           related_name="+"),
        })
        many = _synthetic("Many", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "parents": models.ManyToManyField(parent, related_name="+"),
        })
        ref = _synthetic("Ref", {
            "parent": models.ForeignKey(parent, on_delete=models.CASCADE, related_name="+"),
        })
        ok = _synthetic("Ok", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "parent": models.ForeignKey(parent, on_delete=models.CASCADE, related_name="+"),
            "n": models.IntegerField(),
        }, {"constraints": [models.UniqueConstraint(fields=["district", "parent", "n"],
                                                    name="selftest_ok")]})
        problems = distribution_problems(
            [parent, no_district, together, one, many, ref, ok],
            reference={"distribution_selftest.Ref"})
        text = "\n".join(problems)
        assert "Parent: token unique=True ('token',) lacks district" in text
        assert "NoDistrict: no district" in text
        assert "Together: unique_together ('parent', 'n')" in text
        assert "One: parent unique=True" in text
        assert "One.parent: a one-to-one field with no unique constraint" in text
        assert "Many.parents: many-to-many to distributed" in text
        assert "Ref.parent: a reference table has a database foreign key" in text
        assert "Ok" not in {p.split(":")[0].split(".")[-1] for p in problems}
        assert len(problems) == 7, text
    finally:
        _cleanup_synthetic()


def test_district_one_to_one_passes_when_backed_by_a_district_constraint():
    from shangquan.core.models import DistrictOneToOneField

    District = district_model()
    try:
        parent = _synthetic("Parent2", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
        })
        child = _synthetic("Child2", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "parent": DistrictOneToOneField(parent, on_delete=models.CASCADE,
                                            related_name="child"),
        })
        unbacked = _synthetic("Unbacked2", {
            "district": models.ForeignKey(District, on_delete=models.CASCADE,
                                          related_name="+"),
            "parent": DistrictOneToOneField(parent, on_delete=models.CASCADE,
                                            related_name="unbacked"),
        })
        child._meta.constraints = [models.UniqueConstraint(fields=["district", "parent"],
                                                           name="selftest_child")]
        problems = distribution_problems([parent, child, unbacked], reference=())
        assert problems == ["distribution_selftest.Unbacked2.parent: a one-to-one field "
                            "with no unique constraint on (district, field)"]
        # still a one-to-one for the ORM: the reverse accessor returns one row
        assert child._meta.get_field("parent").one_to_one
        assert not child._meta.get_field("parent").unique
    finally:
        _cleanup_synthetic()

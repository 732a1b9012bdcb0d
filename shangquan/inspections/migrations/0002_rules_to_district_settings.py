"""Copy each district's InspectionRules row into core.DistrictSetting (key
``inspections.<field>``); the old table is dropped by the next migration."""

from django.db import migrations

FIELDS = ("general_days", "major_days", "serious_days", "repeat_window_days")


def forwards(apps, schema_editor):
    InspectionRules = apps.get_model("inspections", "InspectionRules")
    DistrictSetting = apps.get_model("core", "DistrictSetting")
    DistrictSetting.objects.bulk_create(
        [DistrictSetting(district_id=old.district_id, key=f"inspections.{field}",
                         value=getattr(old, field))
         for old in InspectionRules.objects.all().iterator() for field in FIELDS],
        ignore_conflicts=True)


def backwards(apps, schema_editor):
    InspectionRules = apps.get_model("inspections", "InspectionRules")
    DistrictSetting = apps.get_model("core", "DistrictSetting")
    by_district: dict[int, dict] = {}
    for row in DistrictSetting.objects.filter(key__startswith="inspections.").iterator():
        field = row.key.split(".", 1)[1]
        if field in FIELDS:
            by_district.setdefault(row.district_id, {})[field] = row.value
    for district_id, values in by_district.items():
        InspectionRules.objects.update_or_create(district_id=district_id, defaults=values)
    DistrictSetting.objects.filter(key__startswith="inspections.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_district_settings"),
        ("inspections", "0001_checklists_inspections_rectifications"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

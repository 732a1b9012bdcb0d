"""Copy each district's work-order settings row into core.DistrictSetting (one row per
value, key ``workorders.<field>``); the old table is dropped by the next migration."""

from django.db import migrations

FIELDS = ("duplicate_radius_m", "duplicate_window_hours", "rating_window_days",
          "reopen_limit", "weight_response", "weight_resolution", "weight_satisfaction")
DECIMALS = {"weight_response", "weight_resolution", "weight_satisfaction"}


def forwards(apps, schema_editor):
    Settings = apps.get_model("workorders", "Settings")
    DistrictSetting = apps.get_model("core", "DistrictSetting")
    rows = []
    for old in Settings.objects.all().iterator():
        for field in FIELDS:
            value = getattr(old, field)
            rows.append(DistrictSetting(district_id=old.district_id, key=f"workorders.{field}",
                                        value=str(value) if field in DECIMALS else value))
    DistrictSetting.objects.bulk_create(rows, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Settings = apps.get_model("workorders", "Settings")
    DistrictSetting = apps.get_model("core", "DistrictSetting")
    by_district: dict[int, dict] = {}
    for row in DistrictSetting.objects.filter(key__startswith="workorders.").iterator():
        field = row.key.split(".", 1)[1]
        if field in FIELDS:
            by_district.setdefault(row.district_id, {})[field] = row.value
    for district_id, values in by_district.items():
        Settings.objects.update_or_create(district_id=district_id, defaults=values)
    DistrictSetting.objects.filter(key__startswith="workorders.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_district_settings"),
        ("workorders", "0002_kpi_covering_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""Copy each district's ScaleSettings row into core.DistrictSetting (key ``scales.<field>``);
the old table is dropped by the next migration."""

from django.db import migrations

FIELDS = ("check_window_days", "daily_quota", "lookback_days", "warn_days",
          "suspend_on_expiry", "verification_months", "rectification_days")


def forwards(apps, schema_editor):
    ScaleSettings = apps.get_model("scales", "ScaleSettings")
    DistrictSetting = apps.get_model("core", "DistrictSetting")
    DistrictSetting.objects.bulk_create(
        [DistrictSetting(district_id=old.district_id, key=f"scales.{field}",
                         value=getattr(old, field))
         for old in ScaleSettings.objects.all().iterator() for field in FIELDS],
        ignore_conflicts=True)


def backwards(apps, schema_editor):
    ScaleSettings = apps.get_model("scales", "ScaleSettings")
    DistrictSetting = apps.get_model("core", "DistrictSetting")
    by_district: dict[int, dict] = {}
    for row in DistrictSetting.objects.filter(key__startswith="scales.").iterator():
        field = row.key.split(".", 1)[1]
        if field in FIELDS:
            by_district.setdefault(row.district_id, {})[field] = row.value
    for district_id, values in by_district.items():
        ScaleSettings.objects.update_or_create(district_id=district_id, defaults=values)
    DistrictSetting.objects.filter(key__startswith="scales.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_district_settings"),
        ("scales", "0001_registry_checks_reweighs_plans"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

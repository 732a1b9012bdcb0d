# Reports (and subscriptions to them) by year too: the kind constraints gain "year".

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0003_screen_panels'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='report',
            name='dashboard_report_kind',
        ),
        migrations.RemoveConstraint(
            model_name='reportsubscription',
            name='dashboard_subscription_kind',
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ('week', 'month', 'quarter', 'year'))), name='dashboard_report_kind'),
        ),
        migrations.AddConstraint(
            model_name='reportsubscription',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ('week', 'month', 'quarter', 'year'))), name='dashboard_subscription_kind'),
        ),
    ]

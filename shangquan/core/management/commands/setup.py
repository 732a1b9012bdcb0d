"""Everything ``make run`` needs before serving: migrate, cache table, static, demo.

The demo (known passwords, a superuser ``admin``) loads into an empty database on a
laptop; in production (``SHANGQUAN_ENV=production``) only when asked for with ``--demo``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Migrate, create the cache table, collect static files, load demo data if empty "
            "(never in production unless --demo).")

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="never load the demo")
        parser.add_argument("--demo", action="store_true",
                            help="load the demo into an empty database, even in production")

    def handle(self, *args, no_demo, demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        production = getattr(settings, "PRODUCTION", False)
        if no_demo or (production and not demo):
            if production and not no_demo:
                self.stdout.write("Production: no demo data loaded (pass --demo to load it). "
                                  "生产环境不载入示例数据。")
            return
        call_command("demo", if_empty=True, production_ok=production)

"""Build the five demo districts (deterministic) and print the logins."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shangquan.core.demo import demo_load, logins_table
from shangquan.core.models import District


class Command(BaseCommand):
    help = "Load the demo districts modelled on the source articles, with users for every role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1,
                            help="multiply the volume (merchants, orders …) for benchmarks")
        parser.add_argument("--street-districts", type=int, default=1,
                            help="胜阳港街道 oversees this many districts (siblings of SYG, "
                                 "for the street's-view benchmark)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when districts already exist")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--only", default="", help="comma-separated district codes")
        parser.add_argument("--production-ok", action="store_true",
                            help="load even with SHANGQUAN_ENV=production (known passwords!)")

    def handle(self, *args, scale, if_empty, seed, only, production_ok=False,
               street_districts=1, **options):
        if getattr(settings, "PRODUCTION", False) and not production_ok:
            raise CommandError("SHANGQUAN_ENV=production: the demo has known passwords and a "
                               "superuser; pass --production-ok to load it anyway.")
        if if_empty and District.objects.exists():
            self.stdout.write("Demo data already present; nothing to do. 已有数据，跳过。")
            return
        codes = [c.strip().upper() for c in only.split(",") if c.strip()]
        # The demo's own messages to residents would drown the progress lines.
        notify_log = logging.getLogger("shangquan.notify")
        level = notify_log.level
        notify_log.setLevel(logging.WARNING)
        try:
            result = demo_load(scale=scale, seed=seed, codes=codes or None,
                               progress=lambda msg: self.stdout.write(msg),
                               street_districts=street_districts)
        finally:
            notify_log.setLevel(level)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. 示例数据已载入。"))
        self.stdout.write(logins_table(result))

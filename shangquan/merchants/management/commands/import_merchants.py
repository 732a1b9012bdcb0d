"""``shangquan import_merchants <district code> <file.xlsx|csv>`` with a progress bar."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import DomainError
from shangquan.core.exports import cell_text
from shangquan.core.selectors import district_get_public
from shangquan.merchants.importing import merchants_import


class Command(BaseCommand):
    help = "Import (or update by licence number) a district's merchant list from .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("district", help="district code, e.g. WDZZ")
        parser.add_argument("file", help=".xlsx or .csv with a heading row")
        parser.add_argument("--report", help="write the per-row problems to this CSV file")

    def handle(self, *args, district, file, report=None, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在 / no such file: {file}")
        try:
            target = district_get_public(code=district)
        except DomainError:
            raise CommandError(f"商圈不存在 / unknown district: {district}") from None
        started = time.monotonic()
        tty = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
            if tty:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        try:
            result = merchants_import(actor=SYSTEM, district=target, data=path.read_bytes(),
                                      filename=path.name, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if tty:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"共 {result.total} 行：新增 {result.created}，更新 {result.updated}，"
            f"未变 {result.unchanged}，有问题 {len(result.errors)} "
            f"({time.monotonic() - started:.1f} s)"))
        for error in result.errors[:50]:
            self.stdout.write(f"  第 {error['row']} 行 {error['name']}：{'；'.join(error['messages'])}")
        if len(result.errors) > 50:
            self.stdout.write(f"  … 另有 {len(result.errors) - 50} 行，见 --report")
        if report and result.errors:
            with open(report, "w", newline="", encoding="utf-8-sig") as fh:
                writer = csv.writer(fh)
                writer.writerow(["行号", "商户名称", "营业执照号", "问题"])
                for e in result.errors:
                    writer.writerow([cell_text(v) for v in (
                        e["row"], e["name"], e["licence_no"], "；".join(e["messages"]))])

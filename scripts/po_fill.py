"""Fill English translations into shangquan/locale/en/LC_MESSAGES/django.po.

Usage: python scripts/po_fill.py path/to/terms.json
The JSON maps Chinese msgids to English; only empty or fuzzy entries are filled
unless --force is given. Run ``make messages`` afterwards to compile.
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "shangquan/locale/en/LC_MESSAGES/django.po"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    force = "--force" in sys.argv
    terms = {}
    for path in args:
        terms.update(json.loads(Path(path).read_text(encoding="utf-8")))
    po = polib.pofile(str(PO))
    filled = 0
    for entry in po:
        if entry.msgid in terms and (force or not entry.msgstr or entry.fuzzy):
            entry.msgstr = terms[entry.msgid]
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
            filled += 1
        elif entry.fuzzy:
            # makemessages guessed from a similar msgid; a guess is not a translation.
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.previous_msgid = None
            if entry.msgid_plural:
                entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
    po.save()
    missing = [e.msgid for e in po if e.msgid and not e.obsolete and not e.translated()]
    print(f"filled {filled}; untranslated {len(missing)}")
    for msgid in missing[:50]:
        print("  ", msgid)


if __name__ == "__main__":
    main()

"""The whole thing in English: every message of the English catalogue is translated and
none is a fuzzy guess (``makemessages`` guesses from similar strings, and compiled
catalogues leave fuzzy entries out, so the page shows Chinese)."""

from __future__ import annotations

from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_english_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags and not e.obsolete]
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    assert not missing, f"{len(missing)} untranslated: {missing[:20]}"


def test_the_compiled_catalogue_holds_every_message():
    """``make messages`` compiles: a .po edited without it would not reach the pages."""
    source = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    compiled = {e.msgid for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgid}
    assert source - compiled == set()

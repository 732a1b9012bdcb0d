"""SVG and HTML built in Python, escaped by construction.

Never put a value into markup with an f-string, ``%`` or ``.format``: a merchant named
``x" onload="…`` would leave its attribute. Build it with :func:`tag` (every attribute
value and every text is escaped; parts that are already markup, from :func:`tag`,
:func:`join` or Django's ``format_html``, are kept) — ``core/tests/test_markup.py`` scans
the sources for markup made by string formatting.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


def _attr_name(name: str) -> str:
    """``font_size`` → ``font-size``, ``class_`` → ``class``; ``viewBox`` stays."""
    return name.rstrip("_").replace("_", "-")


def _attr_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return escape(str(value))


def join(*parts: Any) -> SafeString:
    """Parts side by side: markup kept, plain text escaped."""
    return mark_safe("".join(str(conditional_escape(p)) for p in parts if p is not None))


def tag(name: str, *content: Any, **attrs: Any) -> SafeString:
    """``<name a="v" …>content</name>``, or ``<name … />`` without content.

    Attributes whose value is None are left out; ``True`` writes the bare name's value
    as the name (``hidden="hidden"``)."""
    attr_text = "".join(
        f' {_attr_name(key)}="{_attr_name(key) if value is True else _attr_value(value)}"'
        for key, value in attrs.items() if value is not None and value is not False)
    if not content:
        return mark_safe(f"<{name}{attr_text}/>")
    return mark_safe(f"<{name}{attr_text}>{join(*content)}</{name}>")

"""Long choice lists rendered in Python: a district's 250 grids as ``<option>`` or
checkbox rows cost ~10 ms through the template engine per page, ~0.3 ms here.

``{% options grids selected %}`` renders ``<option value="pk">name</option>`` for each
row (``selected`` on the one whose pk equals ``selected``, compared as text);
``{% checkboxes grids "grids" checked %}`` renders ``<label><input type="checkbox"
name="grids" value="pk"> name</label>`` rows, ``checked`` an iterable of pks.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from shangquan.core.markup import join, tag

register = template.Library()


def _pairs(rows: Iterable, label: str) -> Iterable[tuple[str, str]]:
    if isinstance(rows, QuerySet) and not rows.query.annotations:
        rows = rows.values_list("pk", label)  # two columns, no model instances
    for row in rows:
        if isinstance(row, tuple | list):
            yield str(row[0]), str(row[1])
        else:
            yield str(row.pk), str(getattr(row, label))


@register.simple_tag
def options(rows: Iterable, selected="", label: str = "name") -> SafeString:
    chosen = "" if selected is None else str(selected)
    return join(*(tag("option", text, value=value, selected=value == chosen)
                  for value, text in _pairs(rows, label)))


@register.simple_tag
def checkboxes(rows: Iterable, name: str, checked: Iterable = (), label: str = "name"
               ) -> SafeString:
    ticked = {str(v) for v in checked or ()}
    return join(*(tag("label", tag("input", type="checkbox", name_=name, value=value,
                                   checked=value in ticked), " ", text)
                  for value, text in _pairs(rows, label)))

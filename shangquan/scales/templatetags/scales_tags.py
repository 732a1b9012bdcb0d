"""Gram formatting for the scales templates."""

from decimal import Decimal

from django import template

from shangquan.scales.messages import grams

register = template.Library()


@register.filter
def g(value) -> str:
    return grams(value)


@register.filter
def kg(value) -> str:
    return "—" if value is None else grams(Decimal(value) / 1000)

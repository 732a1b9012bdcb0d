"""零售商品称重计量监督管理办法 附表: allowed negative deviations (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shangquan.scales import retail as r


@pytest.mark.parametrize(("band", "weight", "allowed"), [
    ("premium", "500", "1"), ("premium", "500.001", "2"), ("premium", "2000", "2"),
    ("premium", "2000.001", "3"), ("premium", "5000", "3"), ("premium", "5000.001", None),
    ("dried", "1000", "2"), ("dried", "1001", "4"), ("dried", "4000", "4"),
    ("dried", "6000", "6"), ("dried", "6001", None),
    ("standard", "2500", "5"), ("standard", "2501", "10"), ("standard", "10000", "10"),
    ("standard", "15000", "15"), ("standard", "15001", None),
    ("staple", "1000", "20"), ("staple", "1500", "40"), ("staple", "4000", "80"),
    ("staple", "25000", "100"), ("staple", "25001", None),
    ("gold", "100", "0.01"), ("silver", "100", "0.1"), ("gold", "101", None),
])
def test_allowed_deviation_table(band, weight, allowed):
    expected = D(allowed) if allowed is not None else None
    assert r.allowed_deviation(band=band, weight_g=weight) == expected


@pytest.mark.parametrize(("price", "band"), [
    ("6", "staple"), ("6.01", "standard"), ("30", "standard"), ("30.01", "dried"),
    ("100", "dried"), ("100.01", "premium"), ("0", "staple"),
])
def test_band_from_unit_price(price, band):
    assert r.band_for_unit_price(price) == band


def test_jin_prices_are_converted_to_kilograms():
    assert r.price_per_kg(price="16", unit="jin") == D(32)
    assert r.band_for_unit_price(r.price_per_kg(price="16", unit="jin")) == "dried"


def test_reweigh_verdicts():
    # 1 kg of 32 元/kg dried mushrooms: 2 g allowed.
    assert r.reweigh(band="dried", claimed_g="1000", measured_g="1001").verdict == "ok"
    within = r.reweigh(band="dried", claimed_g="1000", measured_g="998")
    assert within.verdict == "within" and within.shortfall_g == D(2)
    short = r.reweigh(band="dried", claimed_g="1000", measured_g="997.9")
    assert short.verdict == "short" and short.shortfall_g == D("2.1")
    assert r.reweigh(band="dried", claimed_g="7000", measured_g="6900").verdict == "not_covered"


def test_equal_accuracy_method_allows_twice_the_deviation():
    result = r.reweigh(band="dried", claimed_g="1000", measured_g="996",
                       method="equal_accuracy")
    assert result.allowed_g == D(4) and result.verdict == "within"

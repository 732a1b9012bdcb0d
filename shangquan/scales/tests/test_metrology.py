"""OIML R76 / JJG 539 maximum permissible errors, band edges exact (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shangquan.scales import metrology as m

E = D(5)  # a 15 kg × 5 g price-computing scale is the typical night-market class III

# (class, load in e, initial MPE in e). Just above an edge is one gram more, i.e. 0.2e.
BAND_EDGES = [
    ("III", D(20), D("0.5")),
    ("III", D(500), D("0.5")),
    ("III", D("500.2"), D(1)),
    ("III", D(2000), D(1)),
    ("III", D("2000.2"), D("1.5")),
    ("III", D(10000), D("1.5")),
    ("IIII", D(10), D("0.5")),
    ("IIII", D(50), D("0.5")),
    ("IIII", D("50.2"), D(1)),
    ("IIII", D(200), D(1)),
    ("IIII", D("200.2"), D("1.5")),
    ("IIII", D(1000), D("1.5")),
]


@pytest.mark.parametrize(("cls", "load_e", "initial_e"), BAND_EDGES)
def test_mpe_on_band_edges(cls, load_e, initial_e):
    load = load_e * E
    assert m.mpe(load=load, e=E, cls=cls, basis="initial") == initial_e * E
    assert m.mpe(load=load, e=E, cls=cls, basis="in_service") == 2 * initial_e * E


@pytest.mark.parametrize(("cls", "beyond"), [("III", D("10000.2")), ("IIII", D("1000.2"))])
def test_just_above_the_last_band_is_outside_the_table(cls, beyond):
    with pytest.raises(m.MetrologyError) as info:
        m.mpe(load=beyond * E, e=E, cls=cls)
    assert info.value.code == "beyond_table"


def test_decimal_input_has_no_float_noise():
    # 0.1 + 0.2 in binary floats is 0.30000000000000004; from strings it is exact.
    assert m.mpe(load="50.0", e="0.1", cls="III", basis="initial") == D("0.05")
    assert m.dec(0.1) == D("0.1")


@pytest.mark.parametrize(("cls", "minimum_e"), [("III", 20), ("IIII", 10)])
def test_loads_below_min_are_rejected(cls, minimum_e):
    max_capacity = E * (10000 if cls == "III" else 1000)
    m.check_load(load=E * minimum_e, e=E, max_capacity=max_capacity, cls=cls)
    with pytest.raises(m.MetrologyError) as info:
        m.check_load(load=E * minimum_e - D("0.001"), e=E, max_capacity=max_capacity, cls=cls)
    assert info.value.code == "below_min"
    assert info.value.params["minimum"] == E * minimum_e


def test_loads_above_max_are_rejected():
    m.check_load(load=D(15000), e=E, max_capacity=D(15000), cls="III")
    with pytest.raises(m.MetrologyError) as info:
        m.check_load(load=D("15000.001"), e=E, max_capacity=D(15000), cls="III")
    assert info.value.code == "above_max"


def test_judge_passes_on_the_limit_and_fails_just_beyond():
    # 5 kg on a 15 kg × 5 g class III: 1000e, band 2: in service ±2e = ±10 g.
    ok = m.judge(load="5000", indications=["5010"], e=E, max_capacity=D(15000), cls="III")
    assert ok.passed and ok.mpe == D(10) and ok.worst_error == D(10)
    bad = m.judge(load="5000", indications=["5015"], e=E, max_capacity=D(15000), cls="III")
    assert not bad.passed and bad.reads_high
    light = m.judge(load="5000", indications=["4985"], e=E, max_capacity=D(15000), cls="III")
    assert not light.passed and not light.reads_high


def test_new_instrument_is_judged_by_the_initial_mpe():
    j = m.judge(load="5000", indications=["5010"], e=E, max_capacity=D(15000), cls="III",
                basis="initial")
    assert j.mpe == D(5) and not j.passed


def test_repeatability_is_max_minus_min_against_the_mpe():
    # Every reading within ±10 g, but they spread 15 g: fails on repeatability alone.
    j = m.judge(load="5000", indications=["4995", "5010", "5000"], e=E,
                max_capacity=D(15000), cls="III")
    assert j.errors_ok and not j.repeatability_ok and not j.passed
    assert j.repeatability == D(15)
    fine = m.judge(load="5000", indications=["5000", "5005", "5010"], e=E,
                   max_capacity=D(15000), cls="III")
    assert fine.repeatability == D(10) and fine.passed
    assert m.judge(load="5000", indications=["5000"], e=E, max_capacity=D(15000),
                   cls="III").repeatability is None


def test_worst_error_keeps_its_sign():
    j = m.judge(load="1000", indications=["1005", "990"], e=E, max_capacity=D(15000),
                cls="III")
    assert j.worst_error == D(-10)
    assert j.errors == (D(5), D(-10))


@pytest.mark.parametrize(("max_capacity", "e", "cls", "code"), [
    ("15000", "5", "III", None),
    ("30000", "10", "III", None),
    ("300000", "100", "IIII", "n_out_of_range"),  # n = 3000 > 1000 for class IIII
    ("300000", "500", "IIII", None),
    ("15000", "0.05", "III", "e_too_small"),
    ("15000", "7", "III", "max_not_multiple_of_e"),
    ("100", "5", "III", "n_out_of_range"),  # n = 20 < 100
    ("15000", "5", "II", "unknown_class"),
])
def test_validate_instrument(max_capacity, e, cls, code):
    if code is None:
        m.validate_instrument(max_capacity=D(max_capacity), e=D(e), cls=cls)
    else:
        with pytest.raises(m.MetrologyError) as info:
            m.validate_instrument(max_capacity=D(max_capacity), e=D(e), cls=cls)
        assert info.value.code == code


def test_bad_numbers_are_domain_errors_not_crashes():
    with pytest.raises(m.MetrologyError) as info:
        m.judge(load="abc", indications=["1"], e=E, max_capacity=D(15000), cls="III")
    assert info.value.code == "not_a_number"
    with pytest.raises(m.MetrologyError):
        m.judge(load="NaN", indications=["1"], e=E, max_capacity=D(15000), cls="III")
    with pytest.raises(m.MetrologyError) as info:
        m.judge(load="1000", indications=[], e=E, max_capacity=D(15000), cls="III")
    assert info.value.code == "no_indications"


@pytest.mark.parametrize(("raw", "code"), [("1e400", "too_large"), ("100000000", "too_large"),
                                           ("5000.0001", "too_precise"), ("Infinity", "not_a_number")])
def test_values_the_columns_cannot_hold_are_refused(raw, code):
    with pytest.raises(m.MetrologyError) as info:
        m.judge(load="5000", indications=[raw], e=E, max_capacity=D(15000), cls="III")
    assert info.value.code == code
    assert m.dec("5000.0010") == D("5000.001")

"""A hand-checked example: the weighted score, the trimmed mean, the residents' share moving
to the other parties, evidence adjustments and the grade cap."""

from __future__ import annotations

from shangquan.ratings import rules

DIMS = [{"code": "hygiene", "weight": 20}, {"code": "service", "weight": 20},
        {"code": "integrity", "weight": 20}, {"code": "safety", "weight": 15},
        {"code": "frontage", "weight": 15}, {"code": "charity", "weight": 10}]
SHARES = {"association": 40, "community": 30, "residents": 30}


def test_trimmed_mean_drops_the_brigade():
    # 10 scores, 20 % trimmed each side: drop 2 lowest (20, 20) and 2 highest (100, 100)
    values = [20, 20, 80, 80, 80, 100, 80, 60, 100, 80]
    # kept: 60 80 80 80 80 80 → 460 / 6 = 76.666… → 76.7
    assert rules.trimmed_mean_tenths(values, 20) == 767
    assert rules.trimmed_mean_tenths([], 20) is None
    assert rules.trimmed_mean_tenths([40, 100], 40) == 700  # never trims everything


def test_shares_move_in_proportion_when_residents_are_missing():
    assert rules.shares_used(SHARES, ["association", "community"]) == {
        "association": 57, "community": 43}  # 40/70 = 57.1 %, the rest to the last
    assert rules.shares_used(SHARES, ["association", "community", "residents"]) == SHARES
    assert rules.shares_used(SHARES, []) == {}


def test_weighted_total_by_hand():
    staff = {
        "association": {"hygiene": [90, 94], "service": [90], "integrity": [95], "safety": [90],
                        "frontage": [85], "charity": [80]},
        "community": {"hygiene": [88], "service": [92], "integrity": [90], "safety": [90],
                      "frontage": [90], "charity": [90]},
    }
    residents = [100, 100, 80, 80, 80]  # 5 scores, trim 20 % = 1 each side → 80,80,100 → 86.7
    out = rules.compute(dimensions=DIMS, shares=SHARES, staff_scores=staff,
                        resident_values=residents, adjustments={"integrity": -5},
                        min_residents=5, trim_percent=20)
    # hygiene: A = mean(90, 94) = 92.0; C 88; R 86.7
    #   0.4·92 + 0.3·88 + 0.3·86.7 = 36.8 + 26.4 + 26.01 = 89.21 → 89.2
    assert out.party_tenths["residents"] == 867
    assert out.dimension_tenths["hygiene"] == 892
    # integrity: 0.4·95 + 0.3·90 + 0.3·86.7 = 38 + 27 + 26.01 = 91.01 → 91.0, then −5 → 86.0
    assert out.dimension_tenths["integrity"] == 860
    # service 0.4·90+0.3·92+0.3·86.7 = 89.61 → 89.6; safety 36+27+26.01 = 89.0;
    # frontage 34+27+26.01 = 87.0; charity 32+27+26.01 = 85.0
    assert out.dimension_tenths == {"hygiene": 892, "service": 896, "integrity": 860,
                                    "safety": 890, "frontage": 870, "charity": 850}
    # total: (20·89.2 + 20·89.6 + 20·86.0 + 15·89.0 + 15·87.0 + 10·85.0) / 100
    #      = (1784 + 1792 + 1720 + 1335 + 1305 + 850) / 100 = 87.86 → 87.9
    assert out.total_tenths == 879
    assert out.grade == rules.GOOD and not out.capped
    assert out.shares_used == SHARES


def test_too_few_residents_moves_their_share():
    staff = {"association": {d["code"]: [90] for d in DIMS},
             "community": {d["code"]: [80] for d in DIMS}}
    out = rules.compute(dimensions=DIMS, shares=SHARES, staff_scores=staff,
                        resident_values=[20, 20, 20, 20], adjustments={},
                        min_residents=5, trim_percent=20)
    # 4 < 5 residents: 57 % × 90 + 43 % × 80 = 51.3 + 34.4 = 85.7 on every dimension
    assert out.party_tenths["residents"] is None
    assert out.resident_count == 4
    assert set(out.dimension_tenths.values()) == {857}
    assert out.total_tenths == 857
    assert out.shares_used == {"association": 57, "community": 43}


def test_worst_element_caps_the_grade():
    staff = {"association": {d["code"]: [98] for d in DIMS},
             "community": {d["code"]: [98] for d in DIMS}}
    staff["association"]["safety"] = [60]
    staff["community"]["safety"] = [50]
    out = rules.compute(dimensions=DIMS, shares=SHARES, staff_scores=staff, resident_values=[],
                        adjustments={}, min_residents=5, trim_percent=20)
    # safety 57 %·60 + 43 %·50 = 34.2 + 21.5 = 55.7 < 60; total = (85·98 + 15·55.7)/100 = 91.7
    assert out.dimension_tenths["safety"] == 557
    assert out.total_tenths == 917 and out.band_grade == rules.EXCELLENT
    assert out.grade == rules.GOOD and out.capped
    assert out.cap_reasons == ["dimension:safety"]


def test_open_serious_rectification_caps_and_a_low_grade_stays():
    staff = {"association": {d["code"]: [95] for d in DIMS}}
    capped = rules.compute(dimensions=DIMS, shares=SHARES, staff_scores=staff, resident_values=[],
                           adjustments={}, min_residents=5, trim_percent=20, open_serious=True)
    assert capped.total_tenths == 950 and capped.grade == rules.GOOD
    assert capped.cap_reasons == ["open_serious_rectification"]
    low = rules.compute(dimensions=DIMS, shares=SHARES, staff_scores={"association": {
        d["code"]: [55] for d in DIMS}}, resident_values=[], adjustments={}, min_residents=5,
        trim_percent=20)
    assert low.grade == rules.FAIL and not low.capped  # the cap never raises a grade


def test_adjustments_clamp_at_zero_and_bands():
    out = rules.compute(dimensions=[{"code": "x", "weight": 1}], shares=SHARES,
                        staff_scores={"association": {"x": [10]}}, resident_values=[],
                        adjustments={"x": -30}, min_residents=5, trim_percent=20)
    assert out.dimension_tenths["x"] == 0
    assert [rules.band(t) for t in (900, 899, 750, 749, 600, 599)] == [
        "excellent", "good", "good", "fair", "fair", "fail"]

"""The pure rules: Fruin levels, alert levels and entry control with hysteresis."""

from decimal import Decimal as D

from shangquan.crowd import rules
from shangquan.crowd.models import Control, Level

T = rules.Thresholds()


def test_fruin_levels_follow_area_per_person():
    area = D("100")
    assert rules.fruin_los(0, area) == "A"
    assert rules.fruin_los(25, area) == "A"    # 4 m²/person
    assert rules.fruin_los(40, area) == "B"    # 2.5
    assert rules.fruin_los(50, area) == "C"    # 2.0
    assert rules.fruin_los(100, area) == "D"   # 1.0
    assert rules.fruin_los(150, area) == "E"   # 0.67
    assert rules.fruin_los(250, area) == "F"   # 0.4


def test_levels_rise_at_80_90_100_percent():
    g = Level.GREEN
    assert rules.level_for(D("79.9"), D(1), g, T)[0] == Level.GREEN
    assert rules.level_for(D("80"), D(1), g, T)[0] == Level.YELLOW
    assert rules.level_for(D("90"), D(1), g, T)[0] == Level.ORANGE
    assert rules.level_for(D("100"), D(1), g, T)[0] == Level.RED


def test_density_above_four_is_red_whatever_the_capacity():
    assert rules.level_for(D("10"), D("4.01"), Level.GREEN, T) == (Level.RED,
                                                                   "density_unstable")
    assert rules.control_for(D("10"), D("4.01"), Control.OPEN, T)[0] == Control.CLOSED


def test_levels_fall_only_below_the_margin():
    assert rules.level_for(D("98"), D(1), Level.RED, T)[0] == Level.RED
    assert rules.level_for(D("96"), D(1), Level.RED, T)[0] == Level.ORANGE
    assert rules.level_for(D("77"), D(1), Level.YELLOW, T)[0] == Level.YELLOW
    assert rules.level_for(D("76.9"), D(1), Level.YELLOW, T)[0] == Level.GREEN
    # a fall may skip levels
    assert rules.level_for(D("50"), D(1), Level.RED, T)[0] == Level.GREEN


def test_control_hysteresis_does_not_flap_at_a_border():
    state = Control.OPEN
    seen = []
    # oscillate around 90 % and then around 100 %: one change at each border only
    for pct in [85, 89, 90, 89, 90, 85, 81, 90, 99, 100, 99, 95, 100, 93, 92, 91.9, 95, 99,
                85, 80, 79.9, 85, 89]:
        new, _reason = rules.control_for(D(str(pct)), D(1), state, T)
        if new != state:
            seen.append(new)
        state = new
    assert seen == [Control.LIMITED, Control.CLOSED, Control.LIMITED, Control.OPEN]


def test_closed_zone_can_drop_straight_to_open():
    assert rules.control_for(D("50"), D(1), Control.CLOSED, T) == (Control.OPEN,
                                                                   "pct_below_open")


def test_forecast_follows_the_trend_and_never_goes_negative():
    assert rules.forecast(100, []) == 100
    assert rules.forecast(100, [5, 5, 5, 5]) == 175
    rising = rules.forecast(100, [1, 2, 3, 4, 5])
    assert rising > 100 + 15 * 5
    assert rules.forecast(20, [-5, -6, -7, -8]) == 0

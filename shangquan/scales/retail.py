"""Allowed negative deviations of goods weighed at the counter (consumer re-weighing).

《零售商品称重计量监督管理办法》 (国家质检总局、国家工商总局令第 66 号, 2004; 修订:
国家市场监督管理总局令第 31 号, 2020), 第五条 and 附表 1 / 附表 2. Weights in grams;
each row is (upper edge of the weighing range, allowed negative deviation); the upper
edge belongs to its row (“m ≤ 1 kg”, “1 kg < m ≤ 2 kg” …).

附表 1 (食品):
  粮食、蔬菜、水果或不高于 6 元/kg 的食品        m ≤ 1 kg 20 g; ≤ 2 kg 40 g; ≤ 4 kg 80 g; ≤ 25 kg 100 g
  肉、蛋、禽*、海(水)产品*、糕点、糖果、调味品
    或高于 6 元/kg 但不高于 30 元/kg 的食品       m ≤ 2.5 kg 5 g; ≤ 10 kg 10 g; ≤ 15 kg 15 g
  干菜、山(海)珍品或高于 30 元/kg
    但不高于 100 元/kg 的食品                     m ≤ 1 kg 2 g; ≤ 4 kg 4 g; ≤ 6 kg 6 g
  高于 100 元/kg 的食品                           m ≤ 500 g 1 g; ≤ 2 kg 2 g; ≤ 5 kg 3 g
  (* 活禽、活鱼、水产品除外)
附表 2 (金银饰品, 每件): 金饰品 m ≤ 100 g 0.01 g; 银饰品 m ≤ 100 g 0.1 g.

第六条 核称方法: with the original instrument or a more accurate one (误差 ≤ 1/3 负偏差)
the difference may not exceed the negative deviation; with another instrument of the
same accuracy (等准确度核称法) it may not exceed twice the negative deviation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .metrology import MetrologyError, dec

GRAMS_PER_JIN = Decimal(500)
GRAMS_PER_KG = Decimal(1000)


class PriceBand(StrEnum):
    STAPLE = "staple"        # 粮食、蔬菜、水果或 ≤ 6 元/kg
    STANDARD = "standard"    # 肉蛋禽、糕点糖果调味品或 6–30 元/kg
    DRIED = "dried"          # 干菜、山海珍品或 30–100 元/kg
    PREMIUM = "premium"      # > 100 元/kg
    GOLD = "gold"            # 金饰品
    SILVER = "silver"        # 银饰品


DEVIATIONS: dict[str, tuple[tuple[Decimal, Decimal], ...]] = {
    PriceBand.STAPLE: ((Decimal(1000), Decimal(20)), (Decimal(2000), Decimal(40)),
                       (Decimal(4000), Decimal(80)), (Decimal(25000), Decimal(100))),
    PriceBand.STANDARD: ((Decimal(2500), Decimal(5)), (Decimal(10000), Decimal(10)),
                         (Decimal(15000), Decimal(15))),
    PriceBand.DRIED: ((Decimal(1000), Decimal(2)), (Decimal(4000), Decimal(4)),
                      (Decimal(6000), Decimal(6))),
    PriceBand.PREMIUM: ((Decimal(500), Decimal(1)), (Decimal(2000), Decimal(2)),
                        (Decimal(5000), Decimal(3))),
    PriceBand.GOLD: ((Decimal(100), Decimal("0.01")),),
    PriceBand.SILVER: ((Decimal(100), Decimal("0.1")),),
}

# Unit-price edges between the food bands (元/kg); the edge belongs to the cheaper band
# (“不高于 6 元/kg”).
PRICE_EDGES = ((Decimal(6), PriceBand.STAPLE), (Decimal(30), PriceBand.STANDARD),
               (Decimal(100), PriceBand.DRIED))


class Method(StrEnum):
    HIGH_ACCURACY = "high_accuracy"    # 高准确度 / 原计量器具核称法: ≤ 1 × 负偏差
    EQUAL_ACCURACY = "equal_accuracy"  # 等准确度核称法: ≤ 2 × 负偏差


class Verdict(StrEnum):
    NO_SHORTFALL = "ok"         # measured ≥ claimed
    WITHIN = "within"           # short, but within the allowed deviation
    SHORT = "short"             # 缺斤短两: beyond the allowed deviation
    NOT_COVERED = "not_covered"  # outside the table's weighing range


def band_for_unit_price(price_per_kg: Decimal | str) -> PriceBand:
    price = dec(price_per_kg)
    if price < 0:
        raise MetrologyError("negative_price")
    for edge, band in PRICE_EDGES:
        if price <= edge:
            return band
    return PriceBand.PREMIUM


def price_per_kg(*, price: Decimal | str, unit: str) -> Decimal:
    """Shops quote 元/斤 as often as 元/kg; one 斤 is 500 g."""
    value = dec(price)
    if unit == "jin":
        return value * GRAMS_PER_KG / GRAMS_PER_JIN
    if unit == "kg":
        return value
    raise MetrologyError("unknown_unit", value=unit[:8])


def allowed_deviation(*, band: str, weight_g: Decimal | str) -> Decimal | None:
    """The allowed negative deviation for a settled weight, or None outside the table."""
    weight = dec(weight_g)
    if weight <= 0:
        raise MetrologyError("non_positive")
    for upper, deviation in DEVIATIONS[PriceBand(band)]:
        if weight <= upper:
            return deviation
    return None


@dataclass(frozen=True)
class Reweigh:
    band: str
    claimed_g: Decimal
    measured_g: Decimal
    shortfall_g: Decimal  # claimed − measured; negative when the shopper got more
    allowed_g: Decimal | None  # already multiplied for the method
    verdict: Verdict


def reweigh(*, band: str, claimed_g: Decimal | str, measured_g: Decimal | str,
            method: str = Method.HIGH_ACCURACY) -> Reweigh:
    claimed, measured = dec(claimed_g), dec(measured_g)
    if measured < 0:
        raise MetrologyError("negative_indication")
    deviation = allowed_deviation(band=band, weight_g=claimed)
    if deviation is not None and Method(method) == Method.EQUAL_ACCURACY:
        deviation *= 2
    shortfall = claimed - measured
    if shortfall <= 0:
        verdict = Verdict.NO_SHORTFALL
    elif deviation is None:
        verdict = Verdict.NOT_COVERED
    elif shortfall <= deviation:
        verdict = Verdict.WITHIN
    else:
        verdict = Verdict.SHORT
    return Reweigh(band=str(PriceBand(band)), claimed_g=claimed, measured_g=measured,
                   shortfall_g=shortfall, allowed_g=deviation, verdict=verdict)

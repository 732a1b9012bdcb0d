"""The seed categories (from the source articles) and their default departments."""

from __future__ import annotations

from .models import Tier

# (code, name, tier, department code, anonymous allowed)
SEED_CATEGORIES: list[tuple[str, str, str, str, bool]] = [
    ("oil_fume", "油烟", Tier.GENERAL, "cgzf", True),
    ("noise", "噪音", Tier.GENERAL, "cgzf", True),
    ("street_occupation", "占道经营", Tier.GENERAL, "cgzf", True),
    ("sanitation", "卫生", Tier.GENERAL, "cgzf", True),
    ("food_safety", "食品安全", Tier.UTILITIES, "scjg", False),
    ("metrology", "计量/缺斤短两", Tier.GENERAL, "scjg", True),
    ("fire_safety", "消防安全", Tier.EMERGENCY, "xf", True),
    ("gas", "燃气", Tier.EMERGENCY, "yjgl", True),
    ("electricity", "用电", Tier.UTILITIES, "yjgl", True),
    ("parking", "停车", Tier.GENERAL, "ga", True),
    ("waterlogging", "道路积水", Tier.UTILITIES, "zj", True),
    ("price", "价格", Tier.GENERAL, "scjg", True),
    ("consumer_dispute", "消费纠纷", Tier.COMPLEX, "scjg", False),
    ("crowd_safety", "人流拥挤", Tier.EMERGENCY, "ga", True),
    ("facilities", "设施损坏", Tier.COMPLEX, "zj", True),
]

# Seed categories about a public place: their reports' exact location is public.
PUBLIC_PLACE_CATEGORIES = frozenset({"street_occupation", "waterlogging", "crowd_safety",
                                     "facilities", "parking"})

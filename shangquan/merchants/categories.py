"""The merchant categories (经营类别) a district starts with.

An import or a form may use these or any category the district already has; anything
else is refused with the list, so a typo never becomes a new category silently.
"""

from __future__ import annotations

STANDARD_CATEGORIES: tuple[str, ...] = (
    "小吃", "餐饮", "烧烤", "火锅", "饮品", "茶饮", "生鲜", "果蔬", "百货", "超市", "服饰",
    "鞋包", "美妆", "文创", "国潮文创", "特产", "数码", "游乐", "美容美发", "教育培训",
    "酒吧", "住宿", "药店", "其他",
)

"""Masking of personal data, shared by the PII helpers and the audit trail.

Below both ``core.pii`` and ``core.audit`` (siblings that must not import each other):
phones are shown ``138****1234``, names of private persons ``张*``, and
:func:`scrub` masks every clear mainland mobile number anywhere in a JSON-ready value.
"""

from __future__ import annotations

import re
from typing import Any

# A mainland mobile number in clear, not part of a longer run of digits: 13800138000,
# 138-0013-8000, 138 0013 8000, and after a +86 / 0086 / 86 prefix.
MOBILE = re.compile(r"(?:(?<!\d)|(?<=86))1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")


def phone_mask(phone: str | None) -> str:
    """138****1234 for mobiles; the middle of other numbers hidden the same way."""
    if not phone:
        return ""
    phone = str(phone)
    if "*" in phone:
        return phone  # already masked
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****"


def name_mask(name: str | None) -> str:
    """A private person's name with all but its first character hidden: 张伟 -> 张*."""
    name = str(name or "").strip()
    if not name or "*" in name:
        return name
    return name[0] + "*" * min(max(len(name) - 1, 1), 3)


def text_mask(text: str) -> str:
    """Free text with every clear mobile number masked."""
    return MOBILE.sub(lambda m: phone_mask(re.sub(r"[- ]", "", m.group(0))), text)


def is_phone_key(key: str) -> bool:
    key = key.lower()
    return key == "phone" or key.endswith("_phone") or key in {"mobile", "tel", "phones"}


# Keys that hold the name of a private person wherever they appear in a snapshot.
PERSON_NAME_KEYS = frozenset({"reporter_name", "contact_name", "leader_name", "display_name",
                              "signed_name", "first_name", "last_name", "person_name"})


def scrub(value: Any, *, person_keys: frozenset[str] | set[str] = frozenset()) -> Any:
    """A JSON-ready value with personal fields masked: values under phone keys, names under
    person-name keys (and ``person_keys``, e.g. ``name`` of a party member), and any clear
    mobile number in any string."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = str(key)
            if isinstance(item, str) and is_phone_key(key):
                out[key] = phone_mask(item)
            elif isinstance(item, str) and (key in PERSON_NAME_KEYS or key in person_keys):
                out[key] = name_mask(item)
            else:
                out[key] = scrub(item, person_keys=person_keys)
        return out
    if isinstance(value, list):
        return [scrub(item, person_keys=person_keys) for item in value]
    if isinstance(value, str):
        return text_mask(value)
    return value

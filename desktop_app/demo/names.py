"""Names for the demo office: villages, officials and sites of north-west Vietnam.

Village names are built from Thai and H'Mông syllables (``Bản Nà Sản``, ``Bản Mông
Sáng``); a thị trấn numbers its ``Tiểu khu`` and a phường its ``Tổ dân phố``. Every
name is NFC and unique (case-folded) within its commune.
"""

from __future__ import annotations

import random
import unicodedata
from typing import NamedTuple

from desktop_app.domain.values import fold

__all__ = [
    "OPERATOR_LABELS",
    "VillageName",
    "person_name",
    "slug",
    "village_names",
]

# Thai village names: a first syllable (field, mountain slope, stream, tree...) and a second.
_THAI_FIRST = (
    "Nà", "Pá", "Huổi", "Co", "Phiêng", "Hua", "Púng", "Lọng", "Kéo", "Tà", "Nậm", "Noong",
    "Bó", "Hát", "Tong", "Mường", "Chiềng", "Cang", "Hồng", "Lả",
)  # fmt: skip
_THAI_SECOND = (
    "Sản", "Tát", "Khoang", "Muồng", "Bánh", "Một", "Pịa", "Sập", "Cằm", "Hay", "Lạn", "Ẻn",
    "Pát", "Ban", "Khoai", "Hịa", "Lót", "Cuông", "Mòn", "Nưa", "Phặng", "Hốc", "Lếch",
    "Pướng", "Nọi", "Luông", "Dòn", "Kham", "Hin", "Sẳng", "Tấu", "Mạt", "Lầu", "Văn", "Pe",
    "Sàng", "Tộ", "Xum", "Cọ", "Lè", "Ngà", "Khiêng", "Mỏ", "Thẳm", "Páo", "Hượn", "Lứa",
)  # fmt: skip
# H'Mông villages sit higher up the mountains: the hardest ones to cover.
_MONG_FIRST = (
    "Mông", "Xa", "Tà", "Pu", "Hang", "Háng", "Long", "Sán", "Khua", "Xà", "Chờ", "Mô",
    "Ta", "Tủa", "Pa",
)  # fmt: skip
_MONG_SECOND = (
    "Sáng", "Lông", "Dê", "Hao", "Chú", "Chơ", "Lầu", "Phìn", "Lồng", "Trai", "Tàu", "Cón",
    "Khừa", "Dào", "Púa", "Sua", "Dền", "Súa", "Chua", "Mua", "Lử", "Công", "Hổng",
)  # fmt: skip
_SUFFIXES = ("Trên", "Dưới", "Mới", "1", "2")

OPERATOR_LABELS = {
    "viettel": "Viettel",
    "vnpt": "VNPT-VinaPhone",
    "mobifone": "MobiFone",
    "vietnamobile": "Vietnamobile",
    "khac": "Khác",
}

# Officials' names: Thai, H'Mông and Kinh family names, a middle name and a given name.
_FAMILY = (
    "Lò", "Cầm", "Quàng", "Lường", "Tòng", "Hoàng", "Vì", "Lù", "Điêu", "Bạc", "Hà",
    "Giàng", "Mùa", "Sồng", "Thào", "Vừ", "Nguyễn", "Trần", "Lê", "Phạm", "Đinh",
)  # fmt: skip
_GIVEN_MEN = (
    "Thắng", "Tiến", "Phong", "Minh", "Quyết", "Sơn", "Hải", "Chung", "Pằng", "Hùng",
    "Dũng", "Khánh", "Tuấn", "Chính", "Sinh",
)  # fmt: skip
_GIVEN_WOMEN = (
    "Hoa", "Xuân", "Hương", "Lan", "Thanh", "Dung", "Hiền", "Ngọc", "Thủy", "Mai", "Yến",
    "Quỳnh", "Trang",
)  # fmt: skip


class VillageName(NamedTuple):
    """A village name and whether it is a H'Mông village (remote, high up)."""

    name: str
    mong: bool


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def village_names(rng: random.Random, commune_kind: str, count: int) -> list[VillageName]:
    """``count`` distinct village names for a commune of kind ``commune_kind``.

    A thị trấn has ``Tiểu khu 1..n`` and a phường ``Tổ dân phố 1..n``; a xã has Thai
    bản, and about one in four H'Mông bản.
    """
    if commune_kind == "thị trấn":
        return [VillageName(f"Tiểu khu {i}", False) for i in range(1, count + 1)]
    if commune_kind == "phường":
        return [VillageName(f"Tổ dân phố {i}", False) for i in range(1, count + 1)]
    mong_share = rng.choice((0.0, 0.15, 0.25, 0.35, 0.5))
    seen: set[str] = set()
    out: list[VillageName] = []
    while len(out) < count:
        mong = rng.random() < mong_share
        first, second = (_MONG_FIRST, _MONG_SECOND) if mong else (_THAI_FIRST, _THAI_SECOND)
        a, b = rng.choice(first), rng.choice(second)
        if a == b:
            continue
        name = f"Bản {a} {b}"
        if name.casefold() in seen:
            name = f"{name} {rng.choice(_SUFFIXES)}"
            if name.casefold() in seen:
                continue
        seen.add(name.casefold())
        out.append(VillageName(_nfc(name), mong))
    return out


def person_name(rng: random.Random) -> str:
    """A plausible official's name: ``Lò Văn Thắng``, ``Cầm Thị Hoa``."""
    family = rng.choice(_FAMILY)
    if rng.random() < 0.5:
        return _nfc(f"{family} Văn {rng.choice(_GIVEN_MEN)}")
    return _nfc(f"{family} Thị {rng.choice(_GIVEN_WOMEN)}")


def slug(text: str) -> str:
    """Lower-case ASCII without spaces, for user names: ``Chiềng Mung`` → ``chiengmung``."""
    return "".join(ch for ch in fold(text) if ch.isalnum())

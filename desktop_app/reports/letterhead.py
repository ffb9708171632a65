"""The names of the bodies on a report's letterhead, before and after the 2025 reform.

Since 1 July 2025 a commune or ward (``UBND xã/phường``) has no district above it, and the
province's Department of Information and Communications is merged into the Department of
Science and Technology (``Sở Khoa học và Công nghệ``). A report of a pre-2025 unit for a
period before the reform keeps the bodies of its time (``UBND huyện`` above the commune,
``Sở Thông tin và Truyền thông``). These are the defaults; the office's own settings
(``set_settings``) override them.
"""

from __future__ import annotations

from desktop_app.domain.periods import Period
from desktop_app.domain.reform import is_pre_reform
from desktop_app.domain.units import Unit

DEPARTMENT_2025 = "Sở Khoa học và Công nghệ"
DEPARTMENT_OLD = "Sở Thông tin và Truyền thông"
MINISTRY_2025 = "Bộ Khoa học và Công nghệ"
MINISTRY_OLD = "Bộ Thông tin và Truyền thông"


def old_bodies(unit: Unit, period: Period | None) -> bool:
    """Whether the letterhead names the bodies of before the reform."""
    return unit.structure == "pre2025" and (period is None or is_pre_reform(period))


def department(unit: Unit, period: Period | None) -> str:
    """The province's department in charge of telecommunications for this report."""
    return DEPARTMENT_OLD if old_bodies(unit, period) else DEPARTMENT_2025


def letterhead(
    unit: Unit, parent: Unit | None, province: Unit, period: Period | None
) -> dict[str, str]:
    """Default letterhead settings (the keys of the office settings) for ``unit``."""
    old = old_bodies(unit, period)
    dept = department(unit, period)
    if unit.level == 1:
        return {
            "parent_agency": f"UBND {unit.name.upper()}",
            "office_name": dept.upper(),
            "report_number": "…/BC-STTTT" if old else "…/BC-SKHCN",
            "signer_title": "GIÁM ĐỐC",
            "signer_on_behalf": "",
            "recipients": f"- {MINISTRY_OLD if old else MINISTRY_2025};\n"
            f"- UBND tỉnh (b/c);\n- Lưu: {'VT, BCVT' if old else 'VT'}.",
        }
    if unit.level == 2:
        return {
            "parent_agency": f"UBND {unit.name.upper()}",
            "office_name": "PHÒNG VĂN HÓA VÀ THÔNG TIN",
            "report_number": "…/BC-VHTT",
            "signer_title": "TRƯỞNG PHÒNG",
            "signer_on_behalf": "",
            "recipients": f"- {dept} {province.kind} {province.short_name};\n"
            f"- UBND {unit.kind} (b/c);\n- Lưu: VT.",
        }
    above = parent if old and parent is not None and parent.level == 2 else None
    reviewer = (
        f"Phòng Văn hóa và Thông tin {above.kind} {above.short_name}"
        if above is not None
        else f"{dept} {province.kind} {province.short_name}"
    )
    return {
        # a 2025 commune or ward answers to the province directly: no agency line above it
        "parent_agency": f"UBND {above.name.upper()}" if above is not None else "",
        "office_name": f"ỦY BAN NHÂN DÂN {unit.name.upper()}",
        "report_number": "…/BC-UBND",
        "signer_title": "CHỦ TỊCH",
        "signer_on_behalf": "TM. ỦY BAN NHÂN DÂN",
        "recipients": f"- {reviewer};\n- Đảng ủy, HĐND {unit.kind};\n- Lưu: VP.",
    }

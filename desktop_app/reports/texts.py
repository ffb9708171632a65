"""Fixed wording of the reports in Vietnamese and English, and official dates.

The report body follows the ``lang`` argument, not the interface language: a
district may print the English version for a partner while its clerk works in
Vietnamese. Indicator names, units and choice labels come from the catalogue.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Literal

from desktop_app.domain.values import format_number

Lang = Literal["vi", "en"]
Number = int | float | Decimal

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

LABELS: dict[str, tuple[str, str]] = {
    # Decree 30 form
    "nation": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIETNAM"),
    "motto": ("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
    "number": ("Số: {number}", "No.: {number}"),
    "title": ("BÁO CÁO", "REPORT"),
    "recipients": ("Nơi nhận:", "Recipients:"),
    "page": ("{n}", "{n}"),
    # body
    "subject": (
        "Tình hình phủ sóng di động, Internet, bưu chính và truyền thanh cơ sở {period}"
        " trên địa bàn {area}",
        "Mobile signal, Internet, postal service and grassroots radio coverage in {area}, {period}",
    ),
    "s_summary": ("I. TÌNH HÌNH CHUNG", "I. OVERVIEW"),
    "s_table": ("II. CÁC CHỈ TIÊU", "II. INDICATORS"),
    "s_holes": ("III. THÔN, BẢN CHƯA CÓ SÓNG DI ĐỘNG", "III. VILLAGES WITHOUT MOBILE SIGNAL"),
    "s_complete": ("IV. TÌNH HÌNH GỬI SỐ LIỆU", "IV. DATA SUBMISSION"),
    "s_chart": ("V. BIỂU ĐỒ", "V. CHART"),
    "annex": ("PHỤ LỤC", "ANNEX"),
    "annex_communes": (
        "Các chỉ tiêu chính theo xã, {period}",
        "Main indicators by commune, {period}",
    ),
    "annex_by_new_commune": (
        "Số liệu theo xã, phường hiện nay (tỉnh không còn cấp huyện); số liệu các kỳ trước "
        "ngày 01/7/2025 là số liệu của các xã, phường, thị trấn cũ hình thành mỗi xã, phường.",
        "By today's communes and wards (the province has no districts); the figures of "
        "periods before 1 July 2025 are those of the old communes each was formed from.",
    ),
    "annex_districts": (
        "Các chỉ tiêu chính theo huyện, {period}",
        "Main indicators by district, {period}",
    ),
    "annex_of": (
        "(Kèm theo Báo cáo số {number} ngày {day} của {office})",
        "(Attached to report No. {number} of {day} by {office})",
    ),
    "annex_villages": (
        "Tình hình phủ sóng theo thôn, bản, {period}",
        "Coverage by village, {period}",
    ),
    "col_village": ("Thôn, bản", "Village"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "g_derived": ("Chỉ tiêu tổng hợp", "Summary indicators"),
    "col_no": ("TT", "No."),
    "col_indicator": ("Chỉ tiêu", "Indicator"),
    "col_unit": ("Đơn vị tính", "Unit"),
    "col_previous": ("Kỳ trước", "Previous"),
    "col_current": ("Kỳ này", "This period"),
    "col_target": ("Kế hoạch năm", "Annual target"),
    "col_commune": ("Xã, phường, thị trấn", "Commune"),
    "col_district": ("Huyện, thành phố", "District"),
    "col_state": ("Trạng thái", "State"),
    "col_note": ("Ghi chú", "Note"),
    "col_villages": ("Số thôn", "Villages"),
    "col_count": ("Số xã", "Communes"),
    "village_unit": ("thôn", "villages"),
    "commune_unit": ("xã", "communes"),
    "no_holes": (
        "Không còn thôn, bản chưa có sóng di động.",
        "Every village has mobile signal.",
    ),
    "holes_no_data": (
        "Chưa có số liệu về sóng di động của các thôn, bản.",
        "There is no mobile signal data for the villages.",
    ),
    # the base of every village count when not every commune's village list is known here
    "listed": ("{x}/{y} xã có danh sách thôn", "{x} of {y} communes with a village list"),
    "no_villages": (
        "{period}, đơn vị chưa có danh sách thôn, bản nào của {area}",
        "In {period}, this office holds no village list of {area}",
    ),
    "nothing_entered": (
        "Chưa có số liệu nào được nhập cho kỳ này ({period}, {area}): các chỉ tiêu để trống (—).",
        "No figures have been entered for this period ({period}, {area}): the figures are"
        " left blank (—).",
    ),
    "nothing_entered_commune": (
        "Chưa có số liệu nào được nhập cho kỳ này: xã chưa nhập số liệu {period}",
        "No figures have been entered for this period: the commune has entered no data"
        " for {period}",
    ),
    "nothing_entered_area": (
        "Chưa có số liệu nào được nhập cho kỳ này: cả {total} xã chưa nhập số liệu {period}",
        "No figures have been entered for this period: none of the {total} communes has"
        " entered data for {period}",
    ),
    "none_counted": (
        "Số liệu {period} của {area} đã được nhập nhưng chưa được duyệt: báo cáo chưa tính"
        " số liệu nào, các chỉ tiêu để trống (—).",
        "Figures for {period} in {area} have been entered but not approved: the report"
        " counts none of them, the figures are left blank (—).",
    ),
    "none_sent": (
        "Số liệu {period} của {area} đã được nhập nhưng chưa gửi hoặc bị trả lại: báo cáo"
        " chưa tính số liệu nào, các chỉ tiêu để trống (—).",
        "Figures for {period} in {area} have been entered but not sent, or returned: the"
        " report counts none of them, the figures are left blank (—).",
    ),
    "draft_mark": ("SỐ LIỆU CHƯA DUYỆT", "DATA NOT APPROVED"),
    "catalogue_mixed": (
        "Các xã được khóa số liệu theo các phiên bản danh mục chỉ tiêu khác nhau; báo cáo"
        " dùng danh mục phiên bản {version} (mới nhất trong số đó) cho cả {n} xã được khóa"
        " theo phiên bản cũ hơn: {names}.",
        "The communes were locked under different versions of the indicator catalogue;"
        " the report uses version {version} (the newest of them), also for the communes"
        " locked under an older one ({n}): {names}.",
    ),
    "catalogue_missing": (
        "Số liệu được khóa theo danh mục chỉ tiêu phiên bản {version}, đơn vị chưa nhận"
        " được phiên bản này; báo cáo tạm dùng danh mục hiện hành (phiên bản {current}).",
        "The data was locked under version {version} of the indicator catalogue, which"
        " this office has not received yet; the report uses the catalogue in force"
        " (version {current}) for now.",
    ),
    "provisional_note": ("Số liệu tạm, chưa duyệt", "Provisional, not approved"),
    "coverage": ("{what} có số liệu", "{what} with data"),
    "more_names": ("{names} và {n} xã khác", "{names} and {n} more"),
    "hole_line": ("{commune} ({n} thôn): {villages}.", "{commune} ({n}): {villages}."),
    "chart_title": (
        "Tỷ lệ thôn có sóng di động và có sóng 4G (%)",
        "Villages with mobile signal and with 4G (%)",
    ),
    # the footnote of the "Kỳ trước" column (store.previous_basis)
    "previous_basis": (
        "(*) Cột “Kỳ trước” tính cùng các xã được tính ở cột “Kỳ này”",
        "(*) The “Previous” column counts the same communes as “This period”",
    ),
    # across the 2025 reform (notices.previous_note, model.not_comparable)
    "reform_villages": (
        "các chỉ tiêu của thôn, bản tính trên cùng các thôn, bản (theo xã hiện nay của thôn, bản)",
        "village figures count the same villages (under the commune each belongs to today)",
    ),
    "reform_communes": (
        "các chỉ tiêu tổng của xã tính trên cùng địa bàn; các chỉ tiêu đếm số xã hoặc tính"
        " bình quân theo xã không so sánh được với kỳ này nên để trống (—)",
        "commune-wide totals count the same territory; figures that count or average"
        " communes are not comparable with this period and are left blank (—)",
    ),
    "previous_none": ("không có số liệu kỳ trước", "no data for the previous period"),
    "state_draft": ("Chưa gửi", "Not sent"),
    "state_submitted": ("Đã gửi, chờ duyệt", "Submitted"),
    "state_approved": ("Đã duyệt", "Approved"),
    "state_returned": ("Trả lại", "Returned"),
    "state_accepted": ("Tỉnh đã nhận", "Accepted by the province"),
    "signer_default_vi": ("CHỦ TỊCH", "CHAIRPERSON"),
    "on_behalf_default": ("TM. ỦY BAN NHÂN DÂN", "ON BEHALF OF THE PEOPLE'S COMMITTEE"),
    "recipient_default": ("- Như trên;\n- Lưu: VT.", "- As above;\n- Archive."),
}


@cache
def translations(lang: Lang) -> gettext.NullTranslations:
    """The gettext catalogue of the report's language (not the window's, ``i18n.setup``).

    A sentence whose wording depends on a number ("1 commune", "2 communes") is a gettext
    plural: ``translations(lang).ngettext(singular, plural, n)``, English ids with their
    Vietnamese (one form: ``nplurals=1``) in ``resources/locale/vi/…/coverage_desk.po``;
    a (vi, en) pair of LABELS cannot say "1 communes" right.
    """
    from desktop_app.i18n import load_translations

    return load_translations(lang)


def pick(table: Mapping[str, tuple[str, str]], key: str, lang: Lang, **params: object) -> str:
    """The (Vietnamese, English) text ``key`` of ``table`` in ``lang``, placeholders
    filled in (each report section keeps a table of its own)."""
    vi, en = table[key]
    text = vi if lang == "vi" else en
    return text.format(**params) if params else text


def label(key: str, lang: Lang, **params: object) -> str:
    """The fixed text ``key`` in ``lang``, placeholders filled in."""
    return pick(LABELS, key, lang, **params)


def official_date(place: str, day: date, lang: Lang) -> str:
    """ "Mai Sơn, ngày 05 tháng 02 năm 2021": leading zeros for days < 10 and months 1-2."""
    if lang == "en":
        return f"{place}, {day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date, lang: Lang) -> str:
    """05/02/2021 in Vietnamese, 5 February 2021 in English."""
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def display(value: Number | None, decimals: int, lang: Lang) -> str:
    """A figure for people with exactly ``decimals`` places (``98,1``, ``100,0`` /
    ``98.1``), Vietnamese separators in Vietnamese; ``—`` when there is none."""
    if value is None:
        return "—"
    q = rounded(value, decimals)
    whole, _, frac = format(abs(q), "f").partition(".")
    sign = "-" if q < 0 else ""
    point = "," if lang == "vi" else "."
    return sign + format_number(int(whole), lang) + (point + frac if decimals > 0 else "")


def rounded(value: Number, decimals: int) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, as printed."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


#: Word groups of the report's subject that must never be split across lines.
SUBJECT_GROUPS = ("phủ sóng", "di động", "bưu chính", "truyền thanh cơ sở", "địa bàn")
NBSP = "\u00a0"


def bind(text: str, groups: Sequence[str]) -> str:
    """``text`` with the spaces inside each of ``groups`` made non-breaking."""
    for group in sorted((g for g in groups if g), key=len, reverse=True):
        text = text.replace(group, group.replace(" ", NBSP))
    return text


#: the words that open the name of a people's committee or council: its words stay small
#: ("Ủy ban nhân dân huyện Mai Sơn"), there is no field of work to capitalise
_COUNCILS = ("ủy ban nhân dân", "uỷ ban nhân dân", "hội đồng nhân dân")
#: the kinds of body whose field of work follows with capitals ("Phòng Văn hóa và Thông
#: tin", "Sở Thông tin và Truyền thông"), longest first
_BODIES = (
    "văn phòng",
    "trung tâm",
    "chi cục",
    "phòng",
    "sở",
    "bộ",
    "cục",
    "ban",
    "vụ",
)
#: abbreviations kept in capitals ("UBND huyện Mai Sơn")
_ABBREVIATIONS = ("UBND", "HĐND", "VH-TT", "TT-TT", "KH-CN")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def agency_name(name: str, keep: Sequence[str] = ()) -> str:
    """The name of an office as written inside a sentence (Decree 30/2020/NĐ-CP, appendix
    II: the kind of body and each field of its work with a capital, proper names as they
    are): "PHÒNG VĂN HÓA VÀ THÔNG TIN" → "Phòng Văn hóa và Thông tin", "ỦY BAN NHÂN DÂN
    XÃ CHIỀNG SUNG" → "Ủy ban nhân dân xã Chiềng Sung" (with "Chiềng Sung" in ``keep``),
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" → "Sở Thông tin và Truyền thông".

    Only a name typed in capitals (a letterhead's) is recased; one that has small letters
    was written by hand and is kept as written. The proper names in ``keep`` (e.g.
    "Mai Sơn") are restored as written wherever they occur, in any case or normal form.
    """
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if any(ch.islower() for ch in name):
        return name
    words = name.split(" ")
    text = " ".join(w if w in _ABBREVIATIONS else w.lower() for w in words)
    for council in _COUNCILS:
        if text.startswith(council):
            text = _cap(text)
            break
    else:
        for body in _BODIES:
            if text == body or text.startswith(body + " "):
                field = text[len(body) + 1 :]
                # each field of work opens with a capital: "Lao động - Thương binh và Xã hội"
                parts = re.split(r"( và | - |, )", field)
                field = "".join(p if i % 2 else _cap(p) for i, p in enumerate(parts))
                text = _cap(body) + (" " + field if field else "")
                break
        else:
            text = _cap(text)
    # the place a body is of: "huyện mai sơn" → "huyện Mai Sơn" (each syllable of a
    # Vietnamese place name has its capital; the kind of unit stays small)
    place = re.search(r" (tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn) (.+)$", text)
    if place is not None:
        named = " ".join(_cap(w) for w in place.group(2).split(" "))
        text = text[: place.start(2)] + named
    for proper in sorted((unicodedata.normalize("NFC", k) for k in keep if k), key=len):
        text = re.sub(re.escape(proper), proper, text, flags=re.IGNORECASE)
    return text


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case."""
    return text[:1].lower() + text[1:] if text else text


def derived_decimals(unit: str) -> int:
    """Places shown for a derived indicator: counts and people whole, the rest one."""
    return 0 if unit in ("thôn", "người", "xã") else 1

"""Readable names of site types and statuses, and the province's coordinate box."""

from __future__ import annotations

from desktop_app.i18n import _

# Rough bounding boxes (lat_min, lat_max, lon_min, lon_max) of provinces, by province id:
# a point outside is probably a typing slip (swapped or missing digits), so we warn.
PROVINCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "pre2025:14": (20.6, 22.0, 103.2, 105.0),  # Sơn La
    "2025:14": (20.6, 22.0, 103.2, 105.0),
}


def site_type_label(code: str) -> str:
    """The translated name of a site type (the code when unknown)."""
    labels = {
        "bts": _("BTS site"),
        "post_office": _("Post office"),
        "cultural_post_office": _("Cultural post office"),
        "radio_station": _("Radio station"),
        "loudspeaker_cluster": _("Loudspeaker cluster"),
        "public_internet_point": _("Public Internet point"),
    }
    return labels.get(code, code)


def status_label(code: str) -> str:
    """The translated name of a site status (the code when unknown)."""
    labels = {"active": _("Active"), "planned": _("Planned"), "out_of_order": _("Out of order")}
    return labels.get(code, code)


def member_label(name_vi: str, name_en: str, language: str) -> str:
    """A catalogue dimension member's name in the window's language."""
    return name_vi if language == "vi" else name_en

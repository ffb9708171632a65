"""Promises of the importers as properties: any coordinate written in DMS reads back to
within centimetres; any Vietnamese text written in TCVN3 or VNI converts back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.imports.coordinates import distance_m, parse_degrees, split_pair
from desktop_app.imports.legacy import Decoder, to_unicode
from tests.imports.legacy_samples import all_letters, tcvn3, tcvn3_readable, vni

LATS = st.floats(min_value=8.0, max_value=24.0, allow_nan=False)
LONS = st.floats(min_value=102.0, max_value=110.0, allow_nan=False)


def _dms(value: float, hemi: str) -> str:
    hundredths = round(abs(value) * 360_000)
    degrees, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    return f"{degrees}°{minutes}′{rest / 100:.2f}″{hemi}"


@settings(max_examples=300, deadline=None)
@given(LATS, LONS)
def test_dms_and_decimal_comma_read_back(lat: float, lon: float) -> None:
    pair = split_pair(f"{_dms(lat, 'N')} {_dms(lon, 'E')}")
    assert pair is not None
    got_lat, got_lon = parse_degrees(pair[0]), parse_degrees(pair[1])
    assert got_lat is not None and got_lon is not None
    assert distance_m(lat, lon, got_lat, got_lon) < 0.5
    comma = parse_degrees(f"{lat:.6f}".replace(".", ","))
    assert comma is not None and abs(comma - lat) < 1e-6


WORDS = st.lists(
    st.text(
        alphabet=st.sampled_from(all_letters() + list("bcdghklmnpqrstvx")), min_size=1, max_size=7
    ),
    min_size=1,
    max_size=6,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_any_text_converts_back_from_both_encodings(text: str) -> None:
    assert to_unicode(tcvn3(text), "tcvn3") == tcvn3_readable(text)
    assert to_unicode(vni(text), "vni") == text
    decoder = Decoder("vni")
    assert decoder.text(vni(text)) == text

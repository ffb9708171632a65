"""The Vietnamese catalogue is complete and well formed, and gettext setup works."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import desktop_app
from desktop_app import i18n
from desktop_app.i18n.catalog import Catalog, Entry, PoError, compile_mo, format_po, parse_po
from desktop_app.i18n.extract import extract_from_source, extract_messages

PACKAGE_DIR = Path(desktop_app.__file__).resolve().parent
PO_PATH = i18n.catalog_path("vi")

_PLACEHOLDER = re.compile(
    r"\{\{|\}\}|%%"  # escaped braces and percent: not placeholders
    r"|\{[^{}]*\}"  # {name}, {0}, {}, {count:d}
    r"|%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"  # %s, %(name)s, %5.1f
)


def placeholders(text: str) -> Counter[str]:
    """The format placeholders in ``text``, with their counts."""
    return Counter(m for m in _PLACEHOLDER.findall(text) if m not in ("{{", "}}", "%%"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return parse_po(PO_PATH.read_text(encoding="utf-8"), origin=str(PO_PATH))


@pytest.fixture
def language() -> Iterator[None]:
    """Restore the process-wide language after a test changes it."""
    before = i18n.current_language()
    yield
    i18n.setup(before)


# -- the shipped catalogue ---------------------------------------------------------------


def test_header_declares_utf8_and_vietnamese_plural_forms(catalog: Catalog) -> None:
    fields = catalog.header_fields()
    assert "charset=UTF-8" in fields["Content-Type"]
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert fields["Language"] == "vi"


def test_every_message_in_the_source_is_translated(catalog: Catalog) -> None:
    extraction = extract_messages(PACKAGE_DIR)
    assert extraction.problems == []
    missing = []
    for message in extraction.messages.values():
        entry = catalog.find(message.msgid)
        if entry is None or not entry.translated or entry.msgid_plural != message.msgid_plural:
            missing.append(f"{message.references[0]}: {message.msgid!r}")
    assert not missing, "run build/update_po.py and translate:\n" + "\n".join(missing)


def test_placeholders_are_identical_in_msgid_and_msgstr(catalog: Catalog) -> None:
    nplurals = 1
    for entry in catalog.messages():
        if entry.msgid_plural is None:
            assert placeholders(entry.msgstr) == placeholders(entry.msgid), entry.msgid
        else:
            assert len(entry.msgstr_plural) == nplurals, entry.msgid
            for text in entry.translations():
                # Vietnamese has one form, used for every n: it matches the plural id.
                assert placeholders(text) == placeholders(entry.msgid_plural), entry.msgid


def test_translations_are_nfc_and_tidy(catalog: Catalog) -> None:
    for entry in catalog.entries:
        for text in entry.translations():
            assert unicodedata.is_normalized("NFC", text), entry.msgid
            if not entry.is_header:
                assert text == text.strip(), entry.msgid
                assert "  " not in text, entry.msgid


def test_seeded_cli_messages_are_translated(catalog: Catalog) -> None:
    for msgid in ("ok", "No rule is broken.", "Unknown unit: {unit}", "Units: {count}"):
        entry = catalog.find(msgid)
        assert entry is not None and entry.translated, msgid
    assert len(list(catalog.messages())) >= 25


def test_catalogue_is_sorted_and_formatted_as_update_po_writes_it(catalog: Catalog) -> None:
    keys = [e.key for e in catalog.messages()]
    assert keys == sorted(keys)
    assert format_po(catalog) == PO_PATH.read_text(encoding="utf-8")


# -- setup, _ and ngettext ---------------------------------------------------------------


def test_setup_vi_translates_and_en_returns_the_id(language: None) -> None:
    i18n.setup("vi")
    assert i18n.current_language() == "vi"
    assert i18n._("Backup written to {path}") == "Đã ghi bản sao lưu vào {path}"
    assert i18n._("ok") == "bình thường"
    assert i18n._("A message nobody translated") == "A message nobody translated"
    assert i18n.ngettext("{n} village", "{n} villages", 1) == "{n} village"
    i18n.setup("en")
    assert i18n.current_language() == "en"
    assert i18n._("Backup written to {path}") == "Backup written to {path}"
    assert i18n.ngettext("{n} village", "{n} villages", 2) == "{n} villages"


def test_language_names_are_normalised(language: None) -> None:
    i18n.setup("vi_VN.UTF-8")
    assert i18n.current_language() == "vi"
    with pytest.raises(i18n.I18nError, match="Unknown language 'fr'"):
        i18n.setup("fr")
    assert i18n.current_language() == "vi"


def test_before_setup_ids_come_back_and_nothing_is_read_or_installed() -> None:
    code = (
        "import builtins\n"
        "from desktop_app import i18n\n"
        "assert i18n.current_language() == 'en'\n"
        "assert i18n._('Backup written to {path}') == 'Backup written to {path}'\n"
        "assert not hasattr(builtins, '_')\n"
        "i18n.setup()\n"
        "assert i18n.current_language() == 'vi'\n"
        "assert not hasattr(builtins, '_')\n"
        "print(i18n._('Backup written to {path}'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Đã ghi bản sao lưu vào {path}"


PLURAL_PO = r"""# a test catalogue
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "{n} village"
msgid_plural "{n} villages"
msgstr[0] "{n} thôn"

msgctxt "menu"
msgid "Open"
msgstr "Mở"

#, fuzzy
msgid "Close"
msgstr "Đóng"

msgid "Untranslated"
msgstr ""
"""


def _locale_root(tmp_path: Path, text: str) -> Path:
    po = i18n.catalog_path("vi", tmp_path)
    po.parent.mkdir(parents=True)
    po.write_text(text, encoding="utf-8")
    return tmp_path


def test_plurals_context_and_fuzzy_through_setup(tmp_path: Path, language: None) -> None:
    i18n.setup("vi", root=_locale_root(tmp_path, PLURAL_PO))
    assert i18n.ngettext("{n} village", "{n} villages", 1) == "{n} thôn"
    assert i18n.ngettext("{n} village", "{n} villages", 7) == "{n} thôn"
    assert i18n._("Close") == "Close"  # fuzzy translations are not used
    assert i18n._("Untranslated") == "Untranslated"
    translations = i18n.load_translations("vi", root=tmp_path)
    assert translations.pgettext("menu", "Open") == "Mở"
    assert translations.gettext("Open") == "Open"


def test_damaged_or_missing_catalogue_is_reported(tmp_path: Path, language: None) -> None:
    i18n.setup("en")
    with pytest.raises(i18n.I18nError, match="Cannot read the vi catalogue"):
        i18n.setup("vi", root=tmp_path)
    root = _locale_root(tmp_path, 'msgid "a"\nmsgstr "b\n')
    with pytest.raises(i18n.I18nError, match=r"damaged: .*coverage_desk.po:2"):
        i18n.setup("vi", root=root)
    assert i18n.current_language() == "en"


# -- the .po reader, writer and compiler --------------------------------------------------


def test_parse_po_reads_escapes_multiline_strings_and_comments() -> None:
    text = (
        "# translator note\n"
        "#. extracted note\n"
        "#: desktop_app/cli.py:12 desktop_app/cli.py:40\n"
        "#, fuzzy, python-brace-format\n"
        '#| msgid "old"\n'
        'msgid ""\n'
        '"Line one\\n"\n'
        '"say \\"hi\\"\\t\\\\ {x}"\n'
        'msgstr "D\\303\\262ng {x}"\n'
        "\n"
        '#~ msgid "gone"\n'
        '#~ msgstr "mất"\n'
    )
    catalog = parse_po(text)
    (entry,) = catalog.entries
    assert entry.msgid == 'Line one\nsay "hi"\t\\ {x}'
    assert entry.msgstr == "Dòng {x}"  # octal escapes are UTF-8 bytes
    assert entry.translator_comments == ["translator note"]
    assert entry.extracted_comments == ["extracted note"]
    assert entry.references == ["desktop_app/cli.py:12", "desktop_app/cli.py:40"]
    assert entry.flags == ["fuzzy", "python-brace-format"]
    assert entry.previous == ['msgid "old"']
    assert catalog.obsolete == ['#~ msgid "gone"', '#~ msgstr "mất"']
    again = parse_po(format_po(catalog))
    assert again == catalog


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('msgid "a"\n', 1, "msgid without msgstr"),
        ('msgstr "a"\n', 1, "msgstr without msgid"),
        ('msgid "a"\nmsgstr "b\n', 2, "double quotes"),
        ('msgid "a" "b"\nmsgstr ""\n', 1, "unescaped double quote"),
        ('msgid "a\\q"\nmsgstr ""\n', 1, "unknown escape"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate msgid"),
        ('msgid "a"\nmsgid "b"\nmsgstr ""\n', 2, "msgid twice"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr "x"\n', 1, "needs msgstr[N]"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[1] "x"\n', 1, "gaps"),
        ('msgid "a"\nmsgstr[0] "x"\n', 1, "without msgid_plural"),
        ('"stray"\n', 1, "belongs to no keyword"),
        ("hello\n", 1, "cannot read"),
        ('msgid "a"\n# note\nmsgstr ""\n', 2, "comment inside an entry"),
    ],
)
def test_parse_po_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PoError, match=rf"x\.po:{line}: .*{re.escape(words)}"):
        parse_po(text, origin="x.po")


def test_compiled_mo_is_read_by_gnu_translations() -> None:
    catalog = Catalog(
        entries=[
            Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n"),
            Entry(msgid="Sites: {count}", msgstr="Điểm hạ tầng: {count}"),
            Entry(msgid="b", msgstr="bê"),
            Entry(msgid="a", msgstr="a\nhai dòng"),
        ]
    )
    translations = gettext.GNUTranslations(io.BytesIO(compile_mo(catalog)))
    assert translations.gettext("Sites: {count}") == "Điểm hạ tầng: {count}"
    assert translations.gettext("a") == "a\nhai dòng"
    assert translations.gettext("b") == "bê"
    assert translations.info()["content-type"] == "text/plain; charset=UTF-8"


def test_compile_refuses_a_header_without_utf8() -> None:
    catalog = Catalog(
        entries=[Entry(msgid="", msgstr="Content-Type: text/plain; charset=CP1258\n")]
    )
    with pytest.raises(PoError, match="UTF-8"):
        compile_mo(catalog)


# -- the message scanner ----------------------------------------------------------------


def test_extract_finds_literal_calls_and_reports_the_rest() -> None:
    source = (
        "from desktop_app import i18n\n"
        "from desktop_app.i18n import _, N_, ngettext\n"
        "A = _('Units: {count}')\n"
        "B = i18n._('ok')\n"
        "C = ngettext('{n} site', '{n} sites', 3)\n"
        "D = N_('Sites: {count}')\n"
        "E = _('Units: {count}')\n"
        "F = _(A)\n"
        "G = _(f'{A}')\n"
        "H = translations.ngettext(a, b, n)\n"
        "I = _('')\n"
        "J = _('a' 'b')\n"
    )
    extraction = extract_from_source(source, "pkg/mod.py")
    assert {m.msgid: m.references for m in extraction.messages.values()} == {
        "Units: {count}": ["pkg/mod.py:3", "pkg/mod.py:7"],
        "ok": ["pkg/mod.py:4"],
        "{n} site": ["pkg/mod.py:5"],
        "Sites: {count}": ["pkg/mod.py:6"],
        "ab": ["pkg/mod.py:12"],
    }
    assert extraction.messages["{n} site"].msgid_plural == "{n} sites"
    assert [p.reference for p in extraction.problems] == [
        "pkg/mod.py:8",
        "pkg/mod.py:9",
        "pkg/mod.py:11",
    ]


def test_placeholder_pattern() -> None:
    assert placeholders("{a} {0} {} %s %(name)s %5.1f 100%% {{x}}") == Counter(
        ["{a}", "{0}", "{}", "%s", "%(name)s", "%5.1f"]
    )


def test_the_compiled_catalogue_is_cached_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop_app.i18n as i18n_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("COVERAGE_DESK_NO_CACHE", raising=False)
    first = i18n_module.load_translations("vi")
    cached = list((tmp_path / "cache").rglob("*.mo"))
    assert len(cached) == 1

    def no_compiling(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("the cached catalogue should have been used")

    monkeypatch.setattr(i18n_module, "compile_mo", no_compiling)
    again = i18n_module.load_translations("vi")
    assert again.gettext("Sync") == first.gettext("Sync") == "Đồng bộ"

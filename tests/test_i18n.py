"""The Vietnamese catalogue is complete and well formed, and gettext setup works."""

from __future__ import annotations

import gettext
import importlib.util
import io
import os
import re
import subprocess
import sys
import types
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

import desktop_app
from desktop_app import i18n

PACKAGE_DIR = Path(desktop_app.__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
PO_PATH = i18n.catalog_path("vi")


def _load_update_po() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("cd_update_po", ROOT / "build" / "update_po.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_po = _load_update_po()


def translations_of(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


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
    return read_po(io.StringIO(PO_PATH.read_text(encoding="utf-8")), abort_invalid=True)


@pytest.fixture
def language() -> Iterator[None]:
    """Restore the process-wide language after a test changes it."""
    before = i18n.current_language()
    yield
    i18n.setup(before)


# -- the shipped catalogue ---------------------------------------------------------------


def test_header_declares_utf8_and_vietnamese_plural_forms(catalog: Catalog) -> None:
    header = update_po.header_of(PO_PATH.read_text(encoding="utf-8"))
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert catalog.charset.lower() == "utf-8"
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    assert str(catalog.locale) == "vi"


def test_every_message_in_the_source_is_translated(catalog: Catalog) -> None:
    extracted = update_po.extract(PACKAGE_DIR)
    assert len(extracted) >= 25
    missing = []
    for key, (msgid, references) in extracted.items():
        entry = catalog.get(key)
        if entry is None or entry.fuzzy or not all(translations_of(entry)) or entry.id != msgid:
            path, line = references[0]
            missing.append(f"{path}:{line}: {key!r}")
    assert not missing, "run build/update_po.py and translate:\n" + "\n".join(missing)


def test_placeholders_are_identical_in_msgid_and_msgstr(catalog: Catalog) -> None:
    nplurals = 1
    for entry in messages(catalog):
        if isinstance(entry.id, str):
            assert placeholders(entry.string) == placeholders(entry.id), entry.id
        else:
            assert len(entry.string) == nplurals, entry.id
            for text in entry.string:
                # Vietnamese has one form, used for every n: it matches the plural id.
                assert placeholders(text) == placeholders(entry.id[1]), entry.id


def test_translations_are_nfc_and_tidy(catalog: Catalog) -> None:
    for entry in messages(catalog):
        for text in translations_of(entry):
            assert unicodedata.is_normalized("NFC", text), entry.id
            assert text == text.strip(), entry.id
            assert "  " not in text, entry.id


def test_seeded_cli_messages_are_translated(catalog: Catalog) -> None:
    for msgid in ("ok", "No rule is broken.", "Unknown unit: {unit}", "Units: {count}"):
        entry = catalog.get(msgid)
        assert entry is not None and entry.string and not entry.fuzzy, msgid
    assert len(messages(catalog)) >= 25


def test_catalogue_is_sorted_and_formatted_as_update_po_writes_it(catalog: Catalog) -> None:
    text = PO_PATH.read_text(encoding="utf-8")
    keys = [m.id if isinstance(m.id, str) else m.id[0] for m in messages(catalog)]
    assert keys == sorted(keys)
    assert update_po.format_catalog(catalog, update_po.header_of(text)) == text


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
    root = _locale_root(tmp_path, 'msgid ""\nmsgstr ""\n\nmsgid "a"\n\nmsgid "b"\nmsgstr ""\n')
    with pytest.raises(i18n.I18nError, match=r"damaged: .*coverage_desk.po:4: missing msgstr"):
        i18n.setup("vi", root=root)
    assert i18n.current_language() == "en"


# -- build/update_po.py (Babel) ---------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_update_po_adds_new_ids_keeps_translations_and_marks_changed_plurals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "desktop_app"
    _write(
        source / "mod.py",
        "from desktop_app.i18n import _, N_, ngettext\n"
        "A = _('Units: {count}')\n"
        "B = ngettext('{n} site', '{n} sites', 3)\n"
        "C = N_('New message')\n"
        "D = _(\n    'Units: {count}'\n)\n",
    )
    po = _write(
        tmp_path / "vi.po",
        update_po.NEW_HEADER
        + '\nmsgid "Units: {count}"\nmsgstr "Đơn vị: {count}"\n'
        + '\nmsgid "Not yet in this branch"\nmsgstr "Chưa có"\n'
        + '\nmsgid "{n} site"\nmsgstr "{n} điểm"\n',
    )
    # references relative to the temporary checkout
    monkeypatch.setattr(update_po, "ROOT", tmp_path)
    assert update_po.main(["--po", str(po), "--source", str(source), "--check"]) == 1
    assert update_po.main(["--po", str(po), "--source", str(source)]) == 0
    text = po.read_text(encoding="utf-8")
    assert text.startswith(update_po.NEW_HEADER + "\n")
    assert (
        "#: desktop_app/mod.py:2\n#: desktop_app/mod.py:6\n#, python-brace-format\n"
        'msgid "Units: {count}"\nmsgstr "Đơn vị: {count}"\n'
    ) in text
    assert '#: desktop_app/mod.py:4\nmsgid "New message"\nmsgstr ""\n' in text
    assert 'msgid "Not yet in this branch"\nmsgstr "Chưa có"\n' in text  # kept, no #:
    # The id gained a plural: the old translation stays, as a fuzzy hint.
    assert (
        '#, fuzzy, python-brace-format\nmsgid "{n} site"\nmsgid_plural "{n} sites"\n'
        'msgstr[0] "{n} điểm"\n'
    ) in text
    assert update_po.main(["--po", str(po), "--source", str(source), "--check"]) == 0
    # --compile writes the .mo the frozen build ships: only finished translations in it.
    assert update_po.main(["--po", str(po), "--source", str(source), "--compile"]) == 0
    mo = po.with_suffix(".mo")
    translations = gettext_from(mo.read_bytes())
    assert translations.gettext("Units: {count}") == "Đơn vị: {count}"
    assert translations.gettext("Not yet in this branch") == "Chưa có"
    assert translations.ngettext("{n} site", "{n} sites", 2) == "{n} sites"  # fuzzy: unused


def gettext_from(mo: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo))


def test_only_the_compiled_catalogue_is_enough(tmp_path: Path, language: None) -> None:
    """The frozen build ships the .mo without the .po: setup reads it without Babel."""
    root = _locale_root(tmp_path, PLURAL_PO)
    po = i18n.catalog_path("vi", root)
    i18n.compiled_path("vi", root).write_bytes(
        i18n.compile_catalogue(po.read_text(encoding="utf-8"), str(po))
    )
    po.unlink()
    i18n.setup("vi", root=root)
    assert i18n.ngettext("{n} village", "{n} villages", 3) == "{n} thôn"
    i18n.compiled_path("vi", root).write_bytes(b"not a catalogue")
    with pytest.raises(i18n.I18nError, match=r"coverage_desk.mo is damaged"):
        i18n.setup("vi", root=root)


def test_compile_refuses_a_header_without_utf8() -> None:
    text = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=CP1258\\n"\n'
    with pytest.raises(ValueError, match="UTF-8"):
        i18n.compile_catalogue(text, "x.po")


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

    monkeypatch.setattr(i18n_module, "compile_catalogue", no_compiling)
    again = i18n_module.load_translations("vi")
    assert again.gettext("Sync") == first.gettext("Sync") == "Đồng bộ"


@pytest.mark.parametrize(
    ("xdg", "home"),
    [
        (None, "/home/hoa"),
        ("/srv/cache", "/home/hoa"),
        ("relative/cache", "/home/hoa/"),  # platformdirs ignores a relative XDG_CACHE_HOME
        ("", "/root"),
        (None, "relative-home"),  # platformdirs itself decides
    ],
)
def test_the_cache_folder_is_the_one_platformdirs_names(
    xdg: str | None, home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # i18n works the usual Linux cases out without importing platformdirs at start
    import platformdirs

    import desktop_app.i18n as i18n_module

    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", home)
    try:
        expected = Path(platformdirs.user_cache_dir("CoverageDesk", appauthor=False))
    except RuntimeError:  # no home platformdirs can resolve: it raises for both
        with pytest.raises(RuntimeError):
            i18n_module.user_cache_dir()
        return
    assert i18n_module.user_cache_dir() == expected


def test_a_start_from_the_cached_catalogue_imports_neither_platformdirs_nor_hashlib(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\n"
        "from desktop_app import i18n\n"
        "i18n.setup('vi')\n"
        "print(i18n._('Sync'), 'platformdirs' in sys.modules, 'hashlib' in sys.modules)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("COVERAGE_DESK_NO_CACHE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.split()
        for _ in range(2)  # the first compiles into the cache, the second reads it
    ]
    assert runs == [["Đồng", "bộ", "False", "False"]] * 2
    assert len(list((tmp_path / "cache" / "CoverageDesk").rglob("*.mo"))) == 1


def test_a_later_start_reads_the_parsed_catalogue_as_gettext_parsed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop_app.i18n as i18n_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("COVERAGE_DESK_NO_CACHE", raising=False)
    root = _locale_root(tmp_path / "locale", PLURAL_PO)
    first = i18n_module.load_translations("vi", root=root)  # compiled, cached, parsed
    assert type(first) is gettext.GNUTranslations
    [parsed] = (tmp_path / "cache").rglob("*.catalogue")
    again = i18n_module.load_translations("vi", root=root)
    assert type(again) is not gettext.GNUTranslations
    assert isinstance(again, gettext.GNUTranslations)
    assert again._catalog == first._catalog  # type: ignore[attr-defined]
    assert (again.info(), again.charset()) == (first.info(), first.charset())
    for n in (0, 1, 2, 7):
        assert again.ngettext("{n} village", "{n} villages", n) == "{n} thôn"
    assert again.pgettext("menu", "Open") == "Mở"
    assert again.gettext("Close") == "Close"  # fuzzy, left out
    parsed.write_bytes(b"damaged")  # read from the compiled catalogue again, rewritten
    third = i18n_module.load_translations("vi", root=root)
    assert type(third) is gettext.GNUTranslations
    assert third._catalog == first._catalog  # type: ignore[attr-defined]
    assert type(i18n_module.load_translations("vi", root=root)) is not gettext.GNUTranslations

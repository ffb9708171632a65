"""Translations: English message ids, Vietnamese by default, English available.

Usage::

    from desktop_app import i18n
    from desktop_app.i18n import _, ngettext

    i18n.setup("vi")              # once, at start-up (the CLI and the window do this)
    print(_("Backup written to {path}").format(path=path))

Nothing happens at import time and nothing goes into builtins: until ``setup()`` is
called, ``_`` returns the English id. ``setup`` reads
``resources/locale/<lang>/LC_MESSAGES/coverage_desk.po`` in a checkout, compiled by
Babel (cached by content, so the file translators edit is always the one used), or
the compiled ``coverage_desk.mo`` where no ``.po`` is shipped (the frozen build).
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any, Final

from desktop_app.paths import resources_dir

DOMAIN: Final = "coverage_desk"
_APP: Final = "CoverageDesk"  # the per-user folders' name (platformdirs)
SOURCE_LANGUAGE: Final = "en"
DEFAULT_LANGUAGE: Final = "vi"
LANGUAGES: Final = ("vi", "en")
"""The languages ``setup`` accepts, Vietnamese first."""


class I18nError(ValueError):
    """An unknown language or a catalogue that cannot be loaded."""


_translations: gettext.NullTranslations = gettext.NullTranslations()
_language: str = SOURCE_LANGUAGE


def locale_dir() -> Path:
    """The shipped ``resources/locale`` folder."""
    return resources_dir() / "locale"


def catalog_path(lang: str, root: Path | None = None) -> Path:
    """Where the ``.po`` catalogue of ``lang`` lives under ``root`` (default: shipped)."""
    base = locale_dir() if root is None else root
    return base / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled_path(lang: str, root: Path | None = None) -> Path:
    """Where the compiled ``.mo`` of ``lang`` lives (``build/update_po.py --compile``)."""
    return catalog_path(lang, root).with_suffix(".mo")


def compile_catalogue(po_text: str, origin: str) -> bytes:
    """The ``.mo`` bytes of a ``.po`` text (Babel; fuzzy translations left out).

    Raises ``ValueError`` naming ``origin`` and the line when the text is not a
    well-formed catalogue.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.StringIO(po_text), abort_invalid=True)
    except PoFileError as exc:  # Babel counts lines from 0 and ends its text " on N"
        reason = str(exc).removesuffix(f" on {exc.lineno}")
        raise ValueError(f"{origin}:{exc.lineno + 1}: {reason}") from exc
    except (ValueError, KeyError, IndexError) as exc:  # Babel's own, on odd input
        raise ValueError(f"{origin}: {exc}") from exc
    if (catalog.charset or "").lower().replace("-", "") != "utf8":
        raise ValueError(f"{origin}: the header must declare charset=UTF-8")
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def normalize_language(lang: str) -> str:
    """``"vi_VN.UTF-8"``, ``"vi-VN"`` or ``"VI"`` become ``"vi"``; unknown ones raise."""
    code = lang.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        raise I18nError(f"Unknown language {lang!r}: Coverage Desk speaks {', '.join(LANGUAGES)}")
    return code


def load_translations(lang: str, root: Path | None = None) -> gettext.NullTranslations:
    """The translations of ``lang`` (a ``GNUTranslations`` compiled from its ``.po``).

    English, the language of the message ids, needs no catalogue.
    """
    code = normalize_language(lang)
    if code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalog_path(code, root)
    mo_path = compiled_path(code, root)
    if not path.exists() and mo_path.exists():  # the frozen build ships the .mo only
        try:
            return gettext.GNUTranslations(io.BytesIO(mo_path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise I18nError(f"The {code} catalogue {mo_path} is damaged: {exc}") from exc
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise I18nError(f"Cannot read the {code} catalogue {path}: {exc.strerror or exc}") from exc
    cached = _compiled_cache(raw)
    if cached is not None:
        parsed = cached.with_suffix(_PARSED)
        try:  # the catalogue as parsed the first time, read back whole
            return _ParsedTranslations(io.BytesIO(parsed.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            pass  # none yet (or damaged): parsed from the compiled catalogue
        try:
            translations = gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
        except (OSError, ValueError):
            pass  # none yet, or a damaged cache entry: compiled again
        else:
            _write_cache(parsed, _ParsedTranslations.dump(translations))
            return translations
    try:  # only a catalogue not compiled before is decoded (a cached one was UTF-8)
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise I18nError(f"The {code} catalogue {path} is not UTF-8: {exc}") from exc
    try:
        mo = compile_catalogue(text, origin=str(path))
        translations = gettext.GNUTranslations(io.BytesIO(mo))
    except (OSError, ValueError) as exc:
        raise I18nError(f"The {code} catalogue {path} is damaged: {exc}") from exc
    if cached is not None:
        _write_cache(cached, mo)
        _write_cache(cached.with_suffix(_PARSED), _ParsedTranslations.dump(translations))
    return translations


_PARSED: Final = ".catalogue"  # suffix of a parsed catalogue beside its cached .mo


class _ParsedTranslations(gettext.GNUTranslations):
    """A ``GNUTranslations`` read from its own parsed form (:meth:`dump`, cached beside
    the compiled catalogue): one ``marshal.loads`` of the message table, where parsing
    the ``.mo`` decodes its 1,300 messages one at a time (about 12 M instructions of
    every start, callgrind). ``_parse`` is the documented hook for another format."""

    _TAG: Final = "coverage-desk parsed catalogue 1"

    def _parse(self, fp: Any) -> None:
        import marshal

        tag, info, charset, plural, catalog = marshal.loads(fp.read())
        if tag != self._TAG or not isinstance(catalog, dict) or not isinstance(info, dict):
            raise ValueError("not a parsed catalogue")
        self._info, self._charset, self._catalog = info, charset, catalog
        if plural is None:
            self.plural = lambda n: int(n != 1)  # gettext's own default
        else:
            self.plural = gettext.c2py(plural)

    @classmethod
    def dump(cls, translations: gettext.GNUTranslations) -> bytes:
        """The parsed form of ``translations`` (as ``GNUTranslations`` parsed its .mo)."""
        import marshal

        info = translations.info()
        forms = info.get("plural-forms")
        plural = forms.split(";")[1].split("plural=")[1] if forms else None
        catalog = translations._catalog  # type: ignore[attr-defined]
        return marshal.dumps((cls._TAG, info, translations.charset(), plural, catalog))


def _compiled_cache(po_bytes: bytes) -> Path | None:
    """Where the compiled form of this exact ``.po`` file is kept between starts.

    Compiling the catalogue costs about 15 ms of every start here (more on an old
    PC) and imports Babel; the compiled bytes are cached under the per-user cache
    folder, named by the file's size and two checksums of its bytes (CRC-32 and
    Adler-32, 64 bits between them), so an edited catalogue is never served stale.
    They were named by its SHA-256 until importing ``hashlib`` (OpenSSL) for this one
    name cost the window's start about 17 M instructions (callgrind): ``zlib`` is
    already imported, and this name only has to change when the file does.
    """
    import os
    import zlib

    if os.environ.get("COVERAGE_DESK_NO_CACHE") == "1":
        return None
    folder = user_cache_dir()
    if folder is None:  # pragma: no cover - platformdirs is a dependency
        return None
    digest = f"{len(po_bytes)}-{zlib.crc32(po_bytes):08x}{zlib.adler32(po_bytes):08x}"
    return folder / "locale" / f"{DOMAIN}-{digest}.mo"


def user_cache_dir() -> Path | None:
    """The per-user cache folder of Coverage Desk: ``platformdirs.user_cache_dir``'s.

    On Linux it is ``$XDG_CACHE_HOME/CoverageDesk`` (an absolute ``XDG_CACHE_HOME``),
    else ``$HOME/.cache/CoverageDesk`` (an absolute ``HOME``), which is what
    platformdirs answers there; those two cases are worked out here, since importing
    platformdirs cost the window's start about 19 M instructions (callgrind) for this
    one folder. Everything else (Windows, macOS, odd environments) asks platformdirs.
    ``tests/test_i18n.py`` checks that both agree.
    """
    import os
    import sys

    environ = os.environ
    if sys.platform == "linux" and environ.get("ANDROID_DATA") is None:
        xdg = environ.get("XDG_CACHE_HOME", "")
        if xdg.startswith("/"):
            return Path(os.path.join(xdg, _APP))
        if environ.get("HOME", "").startswith("/"):
            return Path(os.path.join(os.path.expanduser("~/.cache"), _APP))
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    return Path(platformdirs.user_cache_dir(_APP, appauthor=False))


def _write_cache(path: Path, mo: bytes) -> None:
    """Best effort: a read-only or full disk only costs the next start its compiling."""
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(mo)
        os.replace(tmp, path)
    except OSError:
        pass


def setup(lang: str = DEFAULT_LANGUAGE, *, root: Path | None = None) -> None:
    """Switch every later ``_``/``ngettext`` call to ``lang`` ("vi" or "en").

    ``root`` is a locale folder to use instead of the shipped one (tests). On error
    (``I18nError``) the current language stays as it was.
    """
    global _translations, _language
    translations = load_translations(lang, root)
    _translations, _language = translations, normalize_language(lang)


def current_language() -> str:
    """The language ``_`` translates into: "en" until ``setup`` is called."""
    return _language


def _(message: str) -> str:
    """``message`` (an English id) in the current language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language."""
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translate where shown)."""
    return message


__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "SOURCE_LANGUAGE",
    "I18nError",
    "_",
    "catalog_path",
    "compile_catalogue",
    "compiled_path",
    "current_language",
    "load_translations",
    "locale_dir",
    "ngettext",
    "normalize_language",
    "setup",
]

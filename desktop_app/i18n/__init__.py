"""Translations: English message ids, Vietnamese by default, English available.

Usage::

    from desktop_app import i18n
    from desktop_app.i18n import _, ngettext

    i18n.setup("vi")              # once, at start-up (the CLI and the window do this)
    print(_("Backup written to {path}").format(path=path))

Nothing happens at import time and nothing goes into builtins: until ``setup()`` is
called, ``_`` returns the English id. ``setup`` reads
``resources/locale/<lang>/LC_MESSAGES/coverage_desk.po`` and compiles it in memory
(no ``msgfmt`` needed), so the shipped catalogue is the one file translators edit.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Final

from desktop_app.i18n.catalog import PoError, compile_mo, parse_po
from desktop_app.paths import resources_dir

DOMAIN: Final = "coverage_desk"
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
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise I18nError(f"Cannot read the {code} catalogue {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise I18nError(f"The {code} catalogue {path} is not UTF-8: {exc}") from exc
    cached = _compiled_cache(text)
    if cached is not None and cached.exists():
        try:
            return gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
        except (OSError, ValueError):
            pass  # a damaged cache entry is simply compiled again
    try:
        mo = compile_mo(parse_po(text, origin=str(path)))
        translations = gettext.GNUTranslations(io.BytesIO(mo))
    except (PoError, OSError, ValueError) as exc:
        raise I18nError(f"The {code} catalogue {path} is damaged: {exc}") from exc
    if cached is not None:
        _write_cache(cached, mo)
    return translations


def _compiled_cache(po_text: str) -> Path | None:
    """Where the compiled form of this exact ``.po`` text is kept between starts.

    Parsing the catalogue costs about 60 ms of every start on an old PC; the
    compiled bytes are cached under the per-user cache folder, named by the
    text's hash, so an edited catalogue is never served stale.
    """
    import hashlib
    import os

    if os.environ.get("COVERAGE_DESK_NO_CACHE") == "1":
        return None
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    digest = hashlib.sha256(po_text.encode("utf-8")).hexdigest()[:16]
    folder = Path(platformdirs.user_cache_dir("CoverageDesk", appauthor=False))
    return folder / "locale" / f"{DOMAIN}-{digest}.mo"


def _write_cache(path: Path, mo: bytes) -> None:
    """Best effort: a read-only or full disk only costs the next start its 60 ms."""
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
    "current_language",
    "load_translations",
    "locale_dir",
    "ngettext",
    "normalize_language",
    "setup",
]

"""Build the Vietnamese user guide shipped in ``resources/guide/vi``.

    .venv/bin/python build/build_guide.py [--shots DIR]

Sources: the chapters in ``docs/guide/vi/*.md`` (one per role), the shortcut list of the
window (``desktop_app.ui.shortcuts``, so the guide never forgets one) and the screenshots
of ``bench/screenshots_guide.py`` (run here, offscreen, unless ``--shots`` names a folder
that already holds its ``vi-*.png``). Writes one HTML page per chapter, the pictures
(scaled to 1000 px), and ``chapters.txt`` that the Help menu reads. The Markdown used is
a small subset: ``#``/``##`` headings, paragraphs, ``-`` and ``1.`` lists, ``**bold**``,
`` `code` `` and ``![caption](picture.png)``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "guide" / "vi"
TARGET = ROOT / "resources" / "guide" / "vi"
WIDTH = 1000

STYLE = (
    "body { font-family: 'Segoe UI', 'DejaVu Sans', sans-serif; font-size: 11pt; }"
    " h1 { font-size: 18pt; } h2 { font-size: 14pt; margin-top: 18px; }"
    " code { font-family: monospace; background: #f0f0f0; }"
    " .caption { color: #444; font-style: italic; }"
    " td, th { padding: 3px 8px; border-bottom: 1px solid #ccc; }"
)


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", out)


def markdown_to_html(text: str) -> tuple[str, str, list[str]]:
    """(title, HTML body, pictures named) of one chapter."""
    title, parts, pictures = "", [], []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            parts.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            body = "".join(f"<li>{_inline(i)}</li>" for i in items)
            parts.append(f"<{list_tag}>{body}</{list_tag}>")
            items.clear()
            list_tag = ""

    for raw in text.splitlines():
        line = raw.strip()
        picture = re.fullmatch(r"!\[(.*)\]\((.+)\)", line)
        numbered = re.match(r"\d+\.\s+(.*)", line)
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            parts.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            flush()
            title = line[2:].strip()
            parts.append(f"<h1>{_inline(title)}</h1>")
        elif picture:
            flush()
            caption, name = picture.group(1), picture.group(2)
            pictures.append(name)
            parts.append(
                f'<p><img src="{html.escape(name)}" width="{WIDTH * 3 // 4}"><br>'
                f'<span class="caption">{_inline(caption)}</span></p>'
            )
        elif line.startswith("- ") or numbered:
            tag = "ol" if numbered else "ul"
            if paragraph or (items and list_tag != tag):
                flush()
            list_tag = tag
            items.append(numbered.group(1) if numbered else line[2:])
        elif items and raw.startswith("  "):
            items[-1] += " " + line
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return title, "\n".join(parts), pictures


def page(title: str, body: str) -> str:
    """A whole HTML page."""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def shortcuts_chapter() -> tuple[str, str]:
    """The shortcut list of the window, in Vietnamese."""
    from desktop_app import i18n
    from desktop_app.ui.shortcuts import shortcuts

    i18n.setup("vi")
    title = i18n._("Keyboard shortcuts")
    rows = "".join(
        f"<tr><td>{html.escape(w)}</td><td><code>{html.escape(k)}</code></td>"
        f"<td>{html.escape(d)}</td></tr>"
        for w, k, d in shortcuts()
    )
    head = "".join(
        f"<th align='left'>{html.escape(i18n._(t))}</th>" for t in ("Where", "Keys", "What it does")
    )
    return title, f"<h1>{html.escape(title)}</h1>\n<table>{'<tr>' + head + '</tr>'}{rows}</table>"


def render() -> tuple[dict[str, str], list[tuple[str, str]], list[str]]:
    """(page name → HTML, chapters in order as (page, title), pictures used)."""
    pages: dict[str, str] = {}
    order: list[tuple[str, str]] = []
    pictures: list[str] = []
    for source in sorted(SOURCES.glob("*.md")):
        title, body, named = markdown_to_html(source.read_text(encoding="utf-8"))
        name = source.with_suffix(".html").name
        pages[name] = page(title, body)
        order.append((name, title))
        pictures += [p for p in named if p not in pictures]
    title, body = shortcuts_chapter()
    pages["99-shortcuts.html"] = page(title, body)
    order.append(("99-shortcuts.html", title))
    return pages, order, pictures


def take_screenshots() -> Path:
    """Run the screenshot script offscreen into a fresh folder."""
    folder = Path(tempfile.mkdtemp(prefix="cd-guide-shots-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    subprocess.run(
        [sys.executable, "-m", "bench.screenshots_guide", str(folder), "vi"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return folder


def copy_picture(source: Path, target: Path) -> None:
    """Scale a screenshot to :data:`WIDTH` and store it with a small palette."""
    from PIL import Image

    with Image.open(source) as image:
        rgb = image.convert("RGB")
        if rgb.width > WIDTH:
            rgb = rgb.resize((WIDTH, rgb.height * WIDTH // rgb.width), Image.Resampling.LANCZOS)
        rgb.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shots", type=Path, help="folder that already holds vi-*.png")
    args = parser.parse_args()
    pages, order, pictures = render()
    shots = args.shots or take_screenshots()
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = [p for p in pictures if not (shots / f"vi-{p}").exists()]
    if missing:
        print(f"screenshots missing in {shots}: {', '.join(missing)}", file=sys.stderr)
        return 1
    for old in TARGET.glob("*"):
        old.unlink()
    for name, text in pages.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    for picture in pictures:
        copy_picture(shots / f"vi-{picture}", TARGET / picture)
    (TARGET / "chapters.txt").write_text(
        "".join(f"{name}\t{title}\n" for name, title in order), encoding="utf-8"
    )
    size = sum(f.stat().st_size for f in TARGET.iterdir())
    print(f"{TARGET}: {len(pages)} chapters, {len(pictures)} pictures, {size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

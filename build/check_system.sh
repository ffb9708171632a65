#!/bin/sh
# Check the system packages `make test` / `make run` need, before the venv is built.
#
#   build/check_system.sh test    # what `make test` needs (Qt offscreen, pdftotext, venv)
#   build/check_system.sh run     # also what a real window needs (Qt's xcb platform)
#
# Prints one line per missing Debian/Ubuntu package with the exact apt-get command,
# then the single command installing them all, and exits 1; silent and 0 otherwise.
# Libraries are looked up by soname in the dynamic linker's cache, so a renamed
# package (Ubuntu 24.04's libglib2.0-0t64) that provides the library counts.
# These are the packages of README.md's apt-get line (tests/build/test_setup.py
# checks both lists agree).
set -u
MODE="${1:-test}"

# package|kind|what (kind: lib:<soname>, cmd:<command>, py:<module>, file:<path>)
TEST_NEEDS='make|cmd:make|the Makefile
python3|cmd:python3|Python 3.11 or newer
python3-venv|py:ensurepip|python3 -m venv
libgl1|lib:libGL.so.1|Qt
libegl1|lib:libEGL.so.1|Qt
libxkbcommon0|lib:libxkbcommon.so.0|Qt
libglib2.0-0|lib:libglib-2.0.so.0|Qt
libfontconfig1|lib:libfontconfig.so.1|Qt
libdbus-1-3|lib:libdbus-1.so.3|Qt
fonts-dejavu-core|file:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf|a font with Vietnamese letters
poppler-utils|cmd:pdftotext|the report tests, which read PDFs back'
RUN_NEEDS='libx11-xcb1|lib:libX11-xcb.so.1|Qt on X11
libxcb-cursor0|lib:libxcb-cursor.so.0|Qt on X11
libxcb-icccm4|lib:libxcb-icccm.so.4|Qt on X11
libxcb-image0|lib:libxcb-image.so.0|Qt on X11
libxcb-keysyms1|lib:libxcb-keysyms.so.1|Qt on X11
libxcb-randr0|lib:libxcb-randr.so.0|Qt on X11
libxcb-render-util0|lib:libxcb-render-util.so.0|Qt on X11
libxcb-shape0|lib:libxcb-shape.so.0|Qt on X11
libxcb-xkb1|lib:libxcb-xkb.so.1|Qt on X11
libxkbcommon-x11-0|lib:libxkbcommon-x11.so.0|Qt on X11
libcups2|lib:libcups.so.2|printing'

case "$MODE" in
  test) NEEDS="$TEST_NEEDS" ;;
  run) NEEDS="$TEST_NEEDS
$RUN_NEEDS" ;;
  list) printf '%s\n%s\n' "$TEST_NEEDS" "$RUN_NEEDS" | cut -d'|' -f1; exit 0 ;;
  *) echo "usage: $0 test|run|list" >&2; exit 2 ;;
esac

LDCONFIG=ldconfig
command -v ldconfig >/dev/null 2>&1 || LDCONFIG=/sbin/ldconfig
LIBS="$($LDCONFIG -p 2>/dev/null || true)"
SUDO="sudo "
[ "$(id -u)" = "0" ] && SUDO=""

have() {
  kind="${1%%:*}"
  what="${1#*:}"
  case "$kind" in
    cmd) command -v "$what" >/dev/null 2>&1 ;;
    py) command -v python3 >/dev/null 2>&1 && python3 -c "import $what" >/dev/null 2>&1 ;;
    file) [ -e "$what" ] ;;
    lib) printf '%s\n' "$LIBS" | grep -q "^[[:space:]]*$what " ;;
    *) return 1 ;;
  esac
}

missing=""
OLD_IFS="$IFS"
IFS='
'
for line in $NEEDS; do
  IFS="$OLD_IFS"
  pkg="${line%%|*}"
  rest="${line#*|}"
  check="${rest%%|*}"
  why="${rest#*|}"
  if ! have "$check"; then
    echo "missing system package $pkg (${check#*:}, for $why): ${SUDO}apt-get install $pkg"
    missing="$missing $pkg"
  fi
done
IFS="$OLD_IFS"

if [ -n "$missing" ]; then
  echo "install them all with: ${SUDO}apt-get update && ${SUDO}apt-get install -y$missing"
  exit 1
fi
exit 0

#!/usr/bin/env bash
# Smoke test of the frozen bundle (after `make dist`), as CI runs it:
#
#   build/smoke_test.sh [BUNDLE]        (default: dist/coverage-desk)
#
# 1. copies the bundle to a temporary folder (it must not lean on the checkout),
#    and runs `coverage-desk self-test --strict` there offscreen, with an empty
#    environment and a temporary HOME (no venv, no PYTHONPATH, no user data);
# 2. under Xvfb too (a real X11 window through the xcb plugin) when xvfb-run exists;
# 3. lists the shared libraries the bundle takes from the system (ldd on every
#    ELF file) and fails on any that is missing or that comes from a Debian
#    package outside the README's list (and what those packages pull in, and
#    the base system: Essential/required/important packages).
set -euo pipefail
cd "$(dirname "$0")/.."

BUNDLE="${1:-dist/coverage-desk}"
EXE_NAME=coverage-desk
# The README's system packages for Qt on a bare machine (tests/build checks they match).
README_PACKAGES=(libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core)

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
[ -x "$BUNDLE/$EXE_NAME" ] || fail "no $BUNDLE/$EXE_NAME (run make dist first)"

TMP="$(mktemp -d -t coverage-desk-smoke.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
cp -a "$BUNDLE" "$TMP/app"
mkdir -p "$TMP/home"
EXE="$TMP/app/$EXE_NAME"
echo "smoke: bundle $(du -sh "$BUNDLE" | cut -f1), $(find "$BUNDLE" -type f | wc -l) files"

clean_env=(env -i "HOME=$TMP/home" "PATH=/usr/bin:/bin" "LANG=C.UTF-8" "TMPDIR=$TMP")

# 1. offscreen
(cd "$TMP" && "${clean_env[@]}" QT_QPA_PLATFORM=offscreen "$EXE" --lang en self-test --strict) \
  || fail "self-test offscreen"
(cd "$TMP" && "${clean_env[@]}" "$EXE" --help >/dev/null) || fail "coverage-desk --help"

# 1a. the user guide travels with the bundle (Help → User guide reads it from there)
GUIDE="$(dirname "$EXE")/_internal/resources/guide/vi"
[ -f "$GUIDE/chapters.txt" ] && [ -f "$GUIDE/01-clerk.html" ] && [ -f "$GUIDE/entry.png" ] \
  || fail "the user guide is missing from the bundle ($GUIDE)"
echo "smoke: the user guide is in the bundle"

# 1b. upgrades: the frozen build opens a database of the previous schema version,
# backs it up and migrates it (the committed fixture of the version before).
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$TMP/upgrade"
cp "$ROOT/tests/fixtures/schema_v2.db" "$TMP/upgrade/office.db"
(cd "$TMP" && "${clean_env[@]}" "$EXE" --lang en check --db "$TMP/upgrade/office.db") \
  >"$TMP/upgrade/check.txt" || fail "check of a version-2 database"
migrated="$(sed -n 's/^Schema version: \([0-9][0-9]*\)$/\1/p' "$TMP/upgrade/check.txt")"
[ -n "$migrated" ] && [ "$migrated" -gt 2 ] || fail "the old database was not migrated"
ls "$TMP/upgrade/backups/"office-*-before-migration-v2.db >/dev/null 2>&1 \
  || fail "no backup was taken before the migration"
echo "smoke: a version-2 database was backed up and migrated by the frozen build"

# 2. a real X server, when there is one to start
if command -v xvfb-run >/dev/null 2>&1; then
  (cd "$TMP" && "${clean_env[@]}" xvfb-run -a env QT_QPA_PLATFORM=xcb \
    "$EXE" --lang en self-test --strict) || fail "self-test under Xvfb (xcb)"
else
  echo "smoke: xvfb-run not installed; the X11 (xcb) run is skipped"
fi

# 3. shared libraries from the system
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "smoke: not a Debian system; the system library check is skipped"
  echo "smoke: passed"
  exit 0
fi

INTERNAL="$TMP/app/_internal"
declare -A needed=() missing=()
while IFS= read -r -d '' file; do
  head -c 4 "$file" | grep -q $'\x7fELF' || continue
  while read -r name arrow path _rest; do
    [ "$arrow" = "=>" ] || continue
    if [ "$path" = "not" ]; then
      missing["$name"]+=" ${file#"$INTERNAL"/}"
    elif [[ "$path" != "$INTERNAL"/* ]]; then
      needed["$path"]=1
    fi
  done < <(LD_LIBRARY_PATH="$INTERNAL" ldd "$file" 2>/dev/null || true)
done < <(find "$TMP/app" -type f -print0)

if [ "${#missing[@]}" -gt 0 ]; then
  for name in "${!missing[@]}"; do echo "smoke: $name not found (needed by${missing[$name]})"; done
  fail "shared libraries missing"
fi

package_of() {  # the Debian package that owns a library path (usrmerge-aware)
  local path="$1" real owner
  real="$(readlink -f "$path")"
  for candidate in "$path" "$real" "/usr$path" "/usr$real" "${path#/usr}" "${real#/usr}"; do
    owner="$(dpkg-query -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1)" || true
    [ -n "$owner" ] && { echo "$owner"; return; }
  done
  echo "?"
}

# What a bare machine with the README's packages has: the base system and the
# README's packages, with everything they depend on (installed packages only).
declare -A allowed=()
queue=()
while read -r pkg prio essential; do
  case "$prio/$essential" in required/* | important/* | */yes) queue+=("$pkg") ;; esac
done < <(dpkg-query -W -f='${Package} ${Priority} ${Essential}\n')
for pkg in "${README_PACKAGES[@]}"; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    queue+=("$pkg")
  elif dpkg-query -W -f='${Status}' "${pkg}t64" 2>/dev/null | grep -q "install ok installed"; then
    queue+=("${pkg}t64")  # Debian 13 / Ubuntu 24.04 renamed some libraries
  else
    echo "smoke: README package $pkg is not installed here"
  fi
done
while [ "${#queue[@]}" -gt 0 ]; do
  pkg="${queue[0]}"
  queue=("${queue[@]:1}")
  pkg="${pkg%%:*}"
  [ -n "$pkg" ] && [ -z "${allowed[$pkg]:-}" ] || continue
  allowed["$pkg"]=1
  deps="$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$pkg" 2>/dev/null || true)"
  for dep in $(echo "$deps" | tr ',|' '\n\n' | sed -e 's/(.*)//' -e 's/:any//' | tr -d ' '); do
    [ -n "$dep" ] && [ -z "${allowed[$dep]:-}" ] && queue+=("$dep")
  done
  # virtual packages and :arch qualifiers resolve through Provides; good enough here
done

outside=()
echo "smoke: libraries taken from the system:"
for path in $(printf '%s\n' "${!needed[@]}" | sort); do
  owner="$(package_of "$path")"
  echo "  $(basename "$path") ($owner)"
  [ -n "${allowed[$owner]:-}" ] || outside+=("$(basename "$path") from $owner")
done
if [ "${#outside[@]}" -gt 0 ]; then
  printf 'smoke: not provided by the README packages: %s\n' "${outside[@]}" >&2
  fail "the bundle needs system packages the README does not list"
fi
echo "smoke: passed"

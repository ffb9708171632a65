#!/usr/bin/env bash
# Follow the README on a bare machine: a minimal Debian 12 built with debootstrap.
#
#   build/bare_machine_check.sh              (as root; needs debootstrap and git)
#   STEPS="readme test run ci" build/bare_machine_check.sh     (a subset)
#   KEEP=1 build/bare_machine_check.sh       (leave the temporary folder for a look)
#
# 1. debootstrap --variant=minbase bookworm into a temporary folder, from this
#    machine's Debian mirror (/etc/apt/sources.list[.d]); services never start in it
#    (policy-rc.d), so nothing outlives the check; its pip reaches PyPI as this
#    machine's does (the same PIP_CERT bundle, if this machine sets one);
# 2. a fresh clone of this checkout's HEAD for a user `newcomer`, another for CI;
# 3. `make` on the bare system names every missing package (build/check_system.sh);
# 4. the README's own set-up lines (its root `apt-get` block, taken from README.md);
# 5. `make test` as the newcomer;
# 6. `.ci/run` as root from its own fresh clone (installs the rest, PostgreSQL, make
#    test, make dist, build/smoke_test.sh);
# 7. `make run` as the newcomer on Xvfb: waits until the window is mapped (xwininfo),
#    takes a screenshot (xwd, converted to PNG), then stops `make run`.
# Prints each step's result and time and the pytest summary lines; exits 1 if any
# step failed. Logs: $WORK/logs (kept when a step fails or KEEP=1).
set -uo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
STEPS="${STEPS:-bare readme test run ci}"
SUITE="${SUITE:-bookworm}"
[ "$(id -u)" = "0" ] || { echo "bare: run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "bare: apt-get install debootstrap" >&2; exit 2; }
SHA="$(git -C "$HERE" rev-parse HEAD)"

mirror() {  # this machine's Debian mirror (deb822 .sources or one-line sources.list)
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/{print $2}' | grep -v security | head -n1)"
  [ -n "$uri" ] || uri="$(grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    2>/dev/null | grep -v security | awk '{print $2}' | head -n1)"
  echo "${uri:-http://deb.debian.org/debian}"
}
MIRROR="$(mirror)"

WORK="$(mktemp -d /var/tmp/coverage-desk-bare.XXXXXX)"
R="$WORK/root"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
SHOTS="${SHOTS:-$WORK}"
failed=0

unmount_all() {
  local m
  for m in $(findmnt -rn -o TARGET | grep "^$R/" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}
cleanup() {
  unmount_all
  if findmnt -rn -o TARGET | grep -q "^$R/"; then
    echo "bare: something is still mounted under $R; not removing $WORK" >&2
    return
  fi
  if [ "$failed" = "0" ] && [ -z "${KEEP:-}" ]; then
    rm -rf "$WORK"
  else
    echo "bare: kept $WORK (logs in $LOGS)"
  fi
}
trap cleanup EXIT

# This machine's way out to PyPI: when pip here trusts an extra certificate bundle
# (PIP_CERT: a TLS-inspecting proxy), the new system's pip gets the same bundle.
NETWORK_ENV=()
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
  NETWORK_ENV+=("PIP_CERT=/etc/ssl/certs/host-pip-cert.pem")
fi

# in_root USER SCRIPT: run a bash script inside the new system with a clean environment
in_root() {
  local user="$1" script="$2" home=/root
  [ "$user" = root ] || home="/home/$user"
  chroot "$R" /usr/bin/env -i "HOME=$home" "USER=$user" "LANG=C.UTF-8" \
    "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "DEBIAN_FRONTEND=noninteractive" \
    "${NETWORK_ENV[@]}" \
    /usr/sbin/runuser -u "$user" -- /bin/bash -eo pipefail -c "$script"
}

# step NAME EXPECT COMMAND...: EXPECT is 0 (must succeed) or 1 (must fail)
step() {
  local name="$1" expect="$2" started rc verdict
  shift 2
  started=$(date +%s)
  "$@" >"$LOGS/$name.log" 2>&1
  rc=$?
  if { [ "$expect" = 0 ] && [ "$rc" = 0 ]; } || { [ "$expect" = 1 ] && [ "$rc" != 0 ]; }; then
    verdict=ok
  else
    verdict="FAILED (exit $rc)"
    failed=1
  fi
  printf 'bare: %-14s %-18s %5ss\n' "$name" "$verdict" "$(($(date +%s) - started))"
  grep -aE '^(=+ )?[0-9]+ (passed|failed|error).* in [0-9.]+s' "$LOGS/$name.log" \
    | sed 's/^/bare:     pytest: /'
  if [ "$verdict" != ok ]; then
    echo "bare:     last lines of $LOGS/$name.log:"
    tail -n 25 "$LOGS/$name.log" | sed 's/^/bare:     | /'
  fi
  [ "$verdict" = ok ]
}

wanted() { [[ " $STEPS " == *" $1 "* ]]; }

make_system() {
  debootstrap --variant=minbase "$SUITE" "$R" "$MIRROR" || return 1
  # a chroot's usual guard: package scripts never start services (PostgreSQL) here
  printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
  chmod +x "$R/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  if [ "${#NETWORK_ENV[@]}" -gt 0 ]; then
    mkdir -p "$R/etc/ssl/certs" && cp "$PIP_CERT" "$R/etc/ssl/certs/host-pip-cert.pem"
  fi
  mountpoint -q "$R/proc" || mount -t proc proc "$R/proc"
  mountpoint -q "$R/sys" || mount -t sysfs sysfs "$R/sys"
  mkdir -p "$R/dev/shm" "$R/dev/pts"
  mountpoint -q "$R/dev/shm" || mount -t tmpfs -o mode=1777 shm "$R/dev/shm"
  mountpoint -q "$R/dev/pts" || mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts"
  chmod 1777 "$R/tmp"
  chroot "$R" useradd --create-home --shell /bin/bash newcomer
  # fresh clones of HEAD: the newcomer's, and CI's own
  git clone --quiet --no-hardlinks "$HERE" "$R/home/newcomer/coverage-desk" &&
    git -C "$R/home/newcomer/coverage-desk" checkout --quiet --detach "$SHA" &&
    chroot "$R" chown -R newcomer:newcomer /home/newcomer/coverage-desk || return 1
  mkdir -p "$R/srv/ci"
  git clone --quiet --no-hardlinks "$HERE" "$R/srv/ci/coverage-desk" &&
    git -C "$R/srv/ci/coverage-desk" checkout --quiet --detach "$SHA" || return 1
  echo "debian $(cat "$R/etc/debian_version"), $(chroot "$R" dpkg-query -W | wc -l) packages,"\
    "clone of $SHA"
}

# What `make` says on the bare system: one line per missing package, exit non-zero.
bare_make() {
  # make itself is absent on a bare Debian: run the check script make would run
  in_root newcomer 'cd ~/coverage-desk && sh build/check_system.sh run'
}

# The README's own set-up lines: the first ```sh block holding "apt-get install" without sudo.
readme_lines() {
  awk '/^```sh$/{inblock=1; block=""; next}
       /^```$/{ if (inblock && block ~ /\napt-get install/) { printf "%s", block; exit } inblock=0; next}
       inblock{block = block "\n" $0}' "$HERE/README.md" | sed '1{/^$/d}'
}
readme() {
  local lines
  lines="$(readme_lines)"
  [ -n "$lines" ] || { echo "no root apt-get block in README.md"; return 1; }
  echo "README lines:"
  echo "$lines" | sed 's/^/  /'
  in_root root "set -x; $lines"
  echo "and make's own check afterwards:"
  in_root newcomer 'cd ~/coverage-desk && sh build/check_system.sh run && echo "  nothing missing"'
}

make_test() {
  in_root newcomer '
    cd ~/coverage-desk
    touch ~/.before-make-test
    make test
    # what the run left in the temporary folder (pytest keeps the tmp_path of failed tests only)
    left="$(find /tmp -mindepth 1 -maxdepth 1 -user newcomer -newer ~/.before-make-test)"
    if [ -n "$left" ]; then du -sh $left | sed "s/^/left in \/tmp: /"; else echo "left in /tmp: nothing"; fi
  '
}

make_run() {
  # The check's own tools (not the README's): an X server, xwininfo and xwd.
  in_root root 'apt-get install -y -qq --no-install-recommends xvfb x11-utils x11-apps' || return 1
  in_root newcomer '
    cd ~/coverage-desk
    Xvfb :77 -screen 0 1366x768x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &
    xvfb=$!
    export DISPLAY=:77
    setsid make run >/tmp/make-run.log 2>&1 &
    run=$!
    stop() { kill -- -"$run" 2>/dev/null || true; kill "$xvfb" 2>/dev/null || true; wait 2>/dev/null || true; }
    trap stop EXIT
    shown=""
    for _ in $(seq 1 600); do
      kill -0 "$run" 2>/dev/null || { echo "make run ended before a window was shown:"; cat /tmp/make-run.log; exit 1; }
      for id in $(xwininfo -root -children 2>/dev/null | awk "/^ +0x/{print \$1}"); do
        info="$(xwininfo -id "$id" 2>/dev/null)" || continue
        if echo "$info" | grep -q "Map State: IsViewable"; then
          w=$(echo "$info" | awk "/Width:/{print \$2}"); h=$(echo "$info" | awk "/Height:/{print \$2}")
          if [ "$w" -ge 200 ] && [ "$h" -ge 100 ]; then
            shown="$(echo "$info" | sed -n "s/^xwininfo: Window id: //p") ${w}x${h}"
          fi
        fi
      done
      [ -n "$shown" ] && break
      sleep 1
    done
    [ -n "$shown" ] || { echo "no window after 600 s"; cat /tmp/make-run.log; exit 1; }
    sleep 3   # let it paint
    echo "window shown: $shown"
    xwd -root -silent >/tmp/make-run.xwd
    echo "make run output:"; sed "s/^/  /" /tmp/make-run.log
    kill -0 "$run" && echo "make run still running after the window was up: stopping it (pid $run)"
  ' || return 1
  # the screenshot as PNG, by the newcomer's venv (the new system has no ImageMagick)
  in_root newcomer '~/coverage-desk/.venv/bin/python ~/coverage-desk/build/xwd_to_png.py \
    /tmp/make-run.xwd /tmp/make-run.png' || return 1
  cp "$R/tmp/make-run.png" "$SHOTS/make-run.png" && echo "screenshot: $SHOTS/make-run.png"
}

ci_run() { in_root root 'cd /srv/ci/coverage-desk && .ci/run'; }

# All in one function, so bash has read the whole script before the first step
# (an edit of this file during a run cannot change what the run does).
main() {
  echo "bare: $SUITE from $MIRROR in $WORK; HEAD $SHA; steps: $STEPS"
  total_started=$(date +%s)
  if step debootstrap 0 make_system; then
    sed -n '$p' "$LOGS/debootstrap.log" | sed 's/^/bare:     /'
    if wanted bare; then step bare-make 1 bare_make && sed 's/^/bare:     /' "$LOGS/bare-make.log"; fi
    if wanted readme; then step readme 0 readme; fi
    if wanted test; then
      step make-test 0 make_test && grep -a '^left in /tmp' "$LOGS/make-test.log" | sed 's/^/bare:     /'
    fi
    # CI before the window check: the latter installs tools (xwininfo, xwd) CI must not lean on
    if wanted ci; then
      step ci-run 0 ci_run && grep -aE '^(ci: installing|build time|self-test passed|smoke: (passed|a version-2))' \
        "$LOGS/ci-run.log" | sed 's/^/bare:     /'
    fi
    if wanted run; then
      step make-run 0 make_run && grep -aE '^(window shown|screenshot|make run still)' \
        "$LOGS/make-run.log" | sed 's/^/bare:     /'
    fi
  fi
  printf 'bare: %s in %ss\n' "$([ "$failed" = 0 ] && echo PASSED || echo FAILED)" "$(($(date +%s) - total_started))"
  return "$failed"
}

main "$@"; exit $?

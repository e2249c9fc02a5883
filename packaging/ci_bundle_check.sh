#!/usr/bin/env bash
# CI: build the Linux bundle, then prove it works by running it — not Python:
#   --version; demo DIR; info --home DIR on that fresh demo home; selfcheck
#   (offscreen window, QSQLITE driver, SVG icon, pyqtgraph+numpy, child
#   processes); the window itself on the demo home, and a second launch that
#   must hand over to it; --demo with its live writer child; then the size.
# Exits non-zero on the first failure.
#
# Python: $PYTHON, else the active venv, else the repo's .venv, else python3
# (the package must be installed in it: pip install -e .). PyInstaller is
# pip-installed into it if missing. As root on Debian/Ubuntu, missing system
# libraries are apt-get installed first: EGL/GL, xkbcommon, fontconfig (to
# run Qt at all), the xcb libraries the X11 plugin needs (so the build bundles
# them), Xvfb (to try the bundle on a real X server), procps, binutils, and the
# desktop-file/AppStream validators.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'BUNDLE CHECK FAILED: %s\n' "$*" >&2; exit 1; }

# --- Python and PyInstaller -------------------------------------------------
if [ -n "${PYTHON:-}" ]; then PY=$PYTHON
elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then PY=$VIRTUAL_ENV/bin/python
elif [ -x "$REPO/.venv/bin/python" ]; then PY=$REPO/.venv/bin/python
else PY=python3
fi
# Asked from / so that the source tree on sys.path cannot stand in for an install.
VERSION=$(cd / && "$PY" -c "import PySide6, lifeos_desk; from importlib.metadata import version; \
print(version('lifeos-desk'))" 2>/dev/null) || fail "lifeos-desk is not installed in $PY: activate its venv or set PYTHON"
say "building lifeos-desk $VERSION with $PY ($("$PY" -V 2>&1))"

# --- system packages (root on Debian/Ubuntu only) ----------------------------
need_libs=()
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0 \
           libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-cursor.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || need_libs+=("$lib")
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  pkgs=()
  [ ${#need_libs[@]} -gt 0 ] && pkgs+=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
                                       libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0)
  command -v xvfb-run >/dev/null 2>&1 || pkgs+=(xvfb xauth)
  command -v pgrep >/dev/null 2>&1 || pkgs+=(procps)
  command -v strip >/dev/null 2>&1 || pkgs+=(binutils)
  command -v desktop-file-validate >/dev/null 2>&1 || pkgs+=(desktop-file-utils)
  command -v appstreamcli >/dev/null 2>&1 || pkgs+=(appstream)
  if [ ${#pkgs[@]} -gt 0 ]; then
    say "apt-get install ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
elif [ ${#need_libs[@]} -gt 0 ]; then
  echo "warning: system libraries not found: ${need_libs[*]} (Qt may not start)" >&2
fi

# --- desktop entry and metainfo ----------------------------------------------
say "validating the desktop entry and AppStream metainfo"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate packaging/linux/io.github.lifeos_desk.LifeOSDesk.desktop || fail "desktop-file-validate"
  echo "desktop-file-validate: ok"
else echo "desktop-file-validate not installed: skipped"; fi
if command -v appstreamcli >/dev/null 2>&1; then
  appstreamcli validate --no-net packaging/linux/io.github.lifeos_desk.LifeOSDesk.metainfo.xml || fail "appstreamcli validate"
else echo "appstreamcli not installed: skipped"; fi

# --- build -------------------------------------------------------------------
say "building the bundle (packaging/build.py)"
"$PY" packaging/build.py --no-archive || fail "the build"
BUNDLE=$REPO/packaging/dist/lifeos-desk
APP=$BUNDLE/lifeos-desk
[ -x "$APP" ] || fail "no executable at $APP"

# --- run it, isolated from the real user's folders -----------------------------
T=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/user XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state XDG_CACHE_HOME=$T/cache
export QT_QPA_PLATFORM=offscreen TMPDIR=$T
unset LIFEOS_HOME LIFEOS_LOGS
mkdir -p "$HOME"
cd "$T"  # prove nothing is read from the source tree

say "lifeos-desk --version"
out=$("$APP" --version) || fail "--version exited with $?"
echo "$out"
[ "$out" = "lifeos-desk $VERSION" ] || fail "--version printed '$out', expected 'lifeos-desk $VERSION'"

say "lifeos-desk demo $T/home"
"$APP" demo "$T/home" | tee "$T/demo.txt" || fail "demo exited with $?"

say "lifeos-desk info --home $T/home"
"$APP" info --home "$T/home" | tee "$T/info.txt" || fail "info exited with $?"
grep -Eq '^quick_check +ok' "$T/info.txt" || fail "info did not report quick_check ok"
"$APP" info --home "$T/home" --json > "$T/info.json" || fail "info --json exited with $?"
"$PY" - "$T/info.json" <<'EOF' || fail "info --json did not describe the demo home"
import json, sys
info = json.load(open(sys.argv[1]))
assert info["schema"] != "unknown" and sum(info["tables"].values()) > 0, info
print(f"info --json: schema {info['schema']}, {sum(info['tables'].values())} rows in {len(info['tables'])} tables")
EOF

if "$APP" --help | grep -qE '^ +backup +'; then
  say "backup and verify, started the way the window starts them (python -m lifeos_desk ...)"
  "$APP" -m lifeos_desk --home "$T/home" backup --json-progress > "$T/backup.jsonl" \
    || { tail -5 "$T/backup.jsonl"; fail "backup exited with $?"; }
  archive=$(find "$T/home/backups" -name '*.tar.gz' | head -1)
  [ -n "$archive" ] || fail "backup wrote no archive"
  "$APP" --home "$T/home" verify "$archive" || fail "verify of $archive exited with $?"
fi

if "$APP" --help | grep -qE '^ +vault +'; then
  say "vault verify (cryptography and parallel key derivation, frozen)"
  passphrase=$(sed -n 's/^wallet passphrase: //p' "$T/demo.txt")
  [ -n "$passphrase" ] || fail "demo printed no passphrase"
  printf '%s\n' "$passphrase" | "$APP" --home "$T/home" vault verify --quiet || fail "vault verify exited with $?"
fi

say "lifeos-desk selfcheck"
"$APP" selfcheck || fail "selfcheck exited with $?"

wait_for() {  # wait_for SECONDS COMMAND...: poll until COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.5; done
}
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }
log_says() { grep -q "$1" "$XDG_STATE_HOME/lifeos-desk/log/lifeos-desk.log" 2>/dev/null; }

if command -v xvfb-run >/dev/null 2>&1; then
  say "lifeos-desk selfcheck on a real X server (Xvfb, the xcb platform plugin)"
  timeout 120 xvfb-run -a "$APP" selfcheck --platform xcb --no-children || fail "selfcheck under Xvfb exited with $?"
else echo "xvfb-run not installed: the xcb platform was not tried"; fi

say "the window on the demo home, and a second launch on the same home"
"$APP" --home "$T/home" > "$T/window.out" 2>&1 &
window=$!; pids+=("$window")
wait_for 60 log_says "window shown: .*$T/home" || { cat "$T/window.out"; fail "the window did not open"; }
wait_for 10 log_says "listening for $T/home" || fail "the window does not listen for later launches"
second=$(timeout 60 "$APP" --home "$T/home" 2>&1) || fail "the second launch exited with $?: $second"
echo "$second"
[[ "$second" == *"already open"* ]] || fail "the second launch did not hand over to the first: $second"
alive "$window" || { cat "$T/window.out"; fail "the first window died"; }
kill -TERM "$window"
wait_for 20 gone "$window" || fail "the window did not close on SIGTERM"
echo "window: opened, activated by a second launch, closed on SIGTERM"

say "lifeos-desk --demo (window + live writer child process)"
"$APP" --demo > "$T/demo-window.out" 2>&1 &
demo=$!; pids+=("$demo")
DEMO_HOME=$XDG_DATA_HOME/lifeos-desk/demo-home
wait_for 120 log_says "window shown: .*$DEMO_HOME" || { cat "$T/demo-window.out"; fail "--demo did not open"; }
rows() { "$APP" info --home "$DEMO_HOME" --json | "$PY" -c "import json,sys; print(sum(json.load(sys.stdin)['tables'].values()))"; }
before=$(rows)
grows() { [ "$(rows)" -gt "$before" ]; }
wait_for 30 grows || fail "the live writer (a child of the frozen window) did not write"
echo "live writer: $before rows, then $(rows)"
children_of() {  # pgrep -P, or /proc when procps is missing
  if command -v pgrep >/dev/null 2>&1; then pgrep -P "$1" || true
  else awk -v p="$1" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null || true; fi
}
writer=$(children_of "$demo")
[ -n "$writer" ] || fail "--demo started no live writer child"
kill -TERM "$demo"
wait_for 20 gone "$demo" || fail "--demo did not close on SIGTERM"
for pid in $writer; do
  wait_for 20 gone "$pid" || fail "the live writer $pid outlived the window"
done
echo "--demo: window, live writer and clean shutdown ok"

say "install.sh into a scratch prefix, run the installed command, uninstall"
PREFIX=$T/prefix "$BUNDLE/install.sh" || fail "install.sh exited with $?"
[ "$("$T/prefix/bin/lifeos-desk" --version)" = "lifeos-desk $VERSION" ] || fail "the installed command does not run"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$T/prefix/share/applications/io.github.lifeos_desk.LifeOSDesk.desktop" \
    || fail "the installed desktop entry does not validate"
fi
PREFIX=$T/prefix "$T/prefix/lib/lifeos-desk/install.sh" --uninstall || fail "install.sh --uninstall exited with $?"
[ ! -e "$T/prefix/bin/lifeos-desk" ] || fail "--uninstall left the command behind"

say "bundle size"
du -sh "$BUNDLE"
echo "BUNDLE CHECK PASSED"

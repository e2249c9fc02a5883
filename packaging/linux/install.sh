#!/bin/sh
# Install this LifeOS Desk bundle on Linux, with its menu entry and icons.
#
#   ./install.sh                 for the current user, under ~/.local
#   sudo ./install.sh --system   for everyone, under /usr/local
#   ./install.sh --uninstall     (add --system for a system-wide install)
#
# The bundle folder is copied to PREFIX/lib/lifeos-desk, the command is linked
# as PREFIX/bin/lifeos-desk, and the .desktop entry (with an absolute Exec
# path), the AppStream metainfo and the hicolor icons go under PREFIX/share.
set -eu

APP_ID=io.github.lifeos_desk.LifeOSDesk
here=$(cd "$(dirname "$0")" && pwd)
prefix="${PREFIX:-$HOME/.local}"
action=install
for arg in "$@"; do
  case "$arg" in
    --system) prefix="${PREFIX:-/usr/local}" ;;
    --uninstall) action=uninstall ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

appdir="$prefix/lib/lifeos-desk"
desktop="$prefix/share/applications/$APP_ID.desktop"
metainfo="$prefix/share/metainfo/$APP_ID.metainfo.xml"

refresh_caches() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$prefix/share/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
}

if [ "$action" = uninstall ]; then
  rm -rf "$appdir"
  rm -f "$prefix/bin/lifeos-desk" "$desktop" "$metainfo"
  find "$prefix/share/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
  refresh_caches
  echo "LifeOS Desk removed from $prefix"
  exit 0
fi

[ -x "$here/lifeos-desk" ] || { echo "install.sh: run me from the unpacked bundle folder" >&2; exit 1; }
if [ "$here" != "$appdir" ]; then
  rm -rf "$appdir"
  mkdir -p "$appdir"
  cp -a "$here/." "$appdir/"
fi
mkdir -p "$prefix/bin" "$prefix/share/applications" "$prefix/share/metainfo"
ln -sf "$appdir/lifeos-desk" "$prefix/bin/lifeos-desk"
sed -e "s|^Exec=lifeos-desk|Exec=$appdir/lifeos-desk|" -e "s|^TryExec=lifeos-desk|TryExec=$appdir/lifeos-desk|" \
  "$here/share/applications/$APP_ID.desktop" > "$desktop"
cp "$here/share/metainfo/$APP_ID.metainfo.xml" "$metainfo"
(cd "$here/share" && find icons -type f) | while read -r icon; do
  mkdir -p "$(dirname "$prefix/share/$icon")"
  cp "$here/share/$icon" "$prefix/share/$icon"
done
refresh_caches
echo "LifeOS Desk $("$appdir/lifeos-desk" --version | cut -d' ' -f2) installed in $appdir"
echo "command: $prefix/bin/lifeos-desk   menu entry: $desktop"

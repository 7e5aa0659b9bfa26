#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-install.sh BUILDDIR PREFIX SYSCONFDIR SECUREDIR SYSTEMUNITDIR
#     `meson install --destdir` this build into a temporary directory and
#     check that every installed file lands inside the prefix (or the
#     configured sysconfdir, which meson makes /etc only for prefix /usr):
#     a prefixed install must not write the machine's PAM module directory
#     or anything else outside its prefix.  Also checks that the module and
#     the unit land where the securedir and systemunitdir options say.
set -u
[ $# -eq 5 ] || { echo "usage: $0 BUILDDIR PREFIX SYSCONFDIR SECUREDIR SYSTEMUNITDIR" >&2; exit 2; }
build=$1 prefix=$2 sysconfdir=$3 securedir=$4 unitdir=$5
case $sysconfdir in /*) ;; *) sysconfdir=$prefix/$sysconfdir ;; esac

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
if ! meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	echo "FAIL: meson install failed"
	exit 1
fi

failures=0
count=0
for f in $(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\.||' | LC_ALL=C sort); do
	count=$((count + 1))
	case $f in
	"$prefix"/* | "$sysconfdir"/*) ;;
	*)
		echo "FAIL: $f is outside the prefix $prefix"
		failures=$((failures + 1))
		;;
	esac
done
[ "$count" -gt 0 ] || { echo "FAIL: nothing installed"; failures=$((failures + 1)); }
for f in "$securedir/pam_impersonate.so" "$unitdir/impersonate-fsd.service" \
	"$sysconfdir/pam.d/impersonate-fsd"; do
	[ -e "$dest$f" ] || { echo "FAIL: $f not installed"; failures=$((failures + 1)); }
done
# The unit names the installed daemon, not a path of the source tree.
grep -q "^ExecStart=$prefix/" "$dest$unitdir/impersonate-fsd.service" 2>/dev/null ||
	{ echo "FAIL: the unit's ExecStart is not under $prefix"; failures=$((failures + 1)); }

echo "$count file(s) installed under $dest"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all inside $prefix and $sysconfdir"

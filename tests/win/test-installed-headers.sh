#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-installed-headers.sh BUILDDIR PREFIX EXAMPLES CC WINLIBDIR CORELIBDIR
#     `meson install --destdir` this build into a temporary directory, then
#     compile Microsoft's Windows Sockets sample pair (examples/sspi-ws-*.c)
#     unchanged against the INSTALLED headers only, ANSI and UNICODE, with
#     -Wall -Wextra -Werror, and link them.
set -u
[ $# -eq 6 ] || { echo "usage: $0 BUILDDIR PREFIX EXAMPLES CC WINLIBDIR CORELIBDIR" >&2; exit 2; }
build=$1 prefix=$2 examples=$3 cc=$4 winlib=$5 corelib=$6
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/dest" >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	echo "FAIL: meson install failed"
	exit 1
fi
inc=$tmp/dest$prefix/include
[ -f "$inc/impersonate/sspi.h" ] || { echo "FAIL: no installed sspi.h under $inc"; exit 1; }
failures=0
for side in server client; do
	for width in a w; do
		defs=
		[ $width = w ] && defs="-DUNICODE -D_UNICODE"
		# shellcheck disable=SC2086
		if "$cc" -std=gnu11 -Wall -Wextra -Werror $defs -I"$inc" -o "$tmp/$side-$width" "$examples/sspi-ws-$side.c" \
			-L"$winlib" -L"$corelib" -limpersonate-win -limpersonate 2>"$tmp/cc.log"; then
			echo "ok: sspi-ws-$side ($width) against $inc"
		else
			cat "$tmp/cc.log"
			echo "FAIL: sspi-ws-$side ($width)"
			failures=$((failures + 1))
		fi
	done
done
[ "$failures" -eq 0 ]

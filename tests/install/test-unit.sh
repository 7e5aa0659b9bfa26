#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-unit.sh UNIT DAEMON
#     The generated impersonate-fsd.service passes `systemd-analyze verify`
#     (with ExecStart= pointed at the built DAEMON, since the unit names the
#     installed path) and `systemd-analyze security --offline` rates its
#     exposure at most 1.0.  Works without systemd as PID 1.  Exit 77 when
#     systemd-analyze is missing.
set -u
[ $# -eq 2 ] || { echo "usage: $0 UNIT DAEMON" >&2; exit 2; }
unit=$1 daemon=$2
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
copy=$tmp/impersonate-fsd.service
sed -E "s|^ExecStart=[^ ]*/impersonate-fsd |ExecStart=$daemon |" "$unit" >"$copy"
grep -q "^ExecStart=$daemon " "$copy" || { echo "FAIL: no ExecStart= naming impersonate-fsd in $unit"; exit 1; }
failures=0

if systemd-analyze verify --man=no "$copy" >"$tmp/verify" 2>&1 && [ ! -s "$tmp/verify" ]; then
	echo "ok: systemd-analyze verify"
else
	sed 's/^/    /' "$tmp/verify"
	echo "FAIL: systemd-analyze verify"
	failures=$((failures + 1))
fi

systemd-analyze security --offline=yes --no-pager "$copy" >"$tmp/security" 2>&1
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/security")
grep -E '^✗' "$tmp/security" | sed 's/[[:space:]]\+/ /g; s/^/    /'
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }'; then
	echo "ok: systemd-analyze security: exposure $score (at most 1.0)"
else
	tail -n 5 "$tmp/security"
	echo "FAIL: systemd-analyze security: exposure ${score:-unknown}, more than 1.0"
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]

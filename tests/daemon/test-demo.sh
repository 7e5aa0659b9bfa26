#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The README's first command ends in scripts/demo: run it on this build and
# check its table, and that it leaves nothing behind.  SPEC F1-F2 (a call
# frame per request on shared pool threads), T1 and T4 (every pool thread
# back to the daemon's own credentials, read from /proc), T10 (served as the
# client's fs uid), P3 (a wrong password refused).
#
#   test-demo.sh SCRIPTS_DEMO BUILD_DIR
set -u
demo=$1 build=$2

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 77
fi

out=$("$demo" "$build" 2>&1)
status=$?
n=0 failed=0
printf '%s\n' "$out" | sed 's/^/# /'

check() {
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - ${name}"
	else
		echo "not ok $n - ${name}"
		failed=$((failed + 1))
	fi
}
has() { grep -qE -- "$1" <<<"$out"; }
lacks() { ! has "$1"; }
# No process but this script has $1 in its command line (procps' pgrep is
# not on a minimal Debian).
nothing_runs_from() {
	local f
	for f in /proc/[0-9]*/cmdline; do
		[ "$f" = "/proc/$$/cmdline" ] && continue
		[[ "$({ tr '\0' ' ' <"$f"; } 2>/dev/null)" == *"$1"* ]] && return 1
	done
	return 0
}

name="the demo says OK and exits 0" check [ "$status" = 0 ]
name="demo: OK" check has '^demo: OK'
# The claims of the issue, one table row each (columns alice, bob, carol).
name="alice reads her own file, bob and carol are refused" \
	check has '^  read +alice/private\.txt +allowed +denied +denied *$'
name="bob reads his own file only" check has '^  read +bob/private\.txt +denied +allowed +denied *$'
name="the shared-group file is readable by both members, not by carol" \
	check has '^  read +shared/plan\.txt +allowed +allowed +denied *$'
name="members write in the shared directory" check has '^  write +shared/by-<user>\.txt +allowed +allowed +denied *$'
name="nobody changes root's file" check has '^  write +public\.txt +denied +denied +denied *$'
name="paths out of the tree are refused by the daemon" check has '^  read +\.\./passdb +refused +refused +refused *$'
name="each was served as their own uid" check has '^  served as fs uid +60001 +60002 +60003 *$'
name="a wrong password is refused by PAM" check has "^  bob with alice's password: refused by PAM"
name="the clients were connected at the same time" check has '^3 clients connected at once \(3 connections open'
name="the daemon saw them at once" check has 'peak_connections=3 '
# No pool thread kept anyone's identity: 4 worker rows, each "yes".
workers=$(grep -cE '^  fsd-worker-[0-9]+ .* yes$' <<<"$out")
name="4 pool threads, all back to their own credentials ($workers)" check [ "$workers" = 4 ]
name="no pool thread shows NO" check lacks '^  fsd-worker-.* NO$'
# Requests of different clients interleaved on the same threads.
name="some pool thread served two users" check has '^  fsd-worker-[0-9]+ +[a-z]+ [a-z]+'

# Nothing left behind: the sandbox is gone and nothing runs from it.
sandbox=$(sed -nE 's/^  sandbox +([^ ]+) .*/\1/p' <<<"$out")
name="the sandbox was named" check [ -n "$sandbox" ]
name="the sandbox is removed" check [ ! -e "$sandbox" ]
name="no process runs from the sandbox" check nothing_runs_from "${sandbox:-/nonexistent}"

echo "1..$n"
[ $failed = 0 ]

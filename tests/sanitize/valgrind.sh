#!/bin/bash
# meson test --wrapper for scripts/run-checks valgrind: runs the test's own
# executables, and every program of this build they start, under memcheck;
# test scripts run as they are (the programs they call are covered by the
# ASan build).  impersonate-fsd, started by tests/daemon/test-fsd, runs
# natively too: valgrind 3.19 (Debian 12) does not know openat2(2) and
# answers ENOSYS, and the daemon refuses to start without it (its clients,
# the test, stay under valgrind; the daemon is covered by ASan and TSan).
# Each process logs to $VG_LOG_DIR/vg.<pid>; scripts/run-checks
# fails on any error there.  Leaks are LeakSanitizer's job (ASan build).
set -euo pipefail
prog=$1
if ! head -c 4 "$prog" | grep -q 'ELF'; then
	exec "$@"
fi
# --vgdb=no: no gdbserver FIFOs in /tmp (a child that became a client
# could not remove them).
exec valgrind --tool=memcheck --quiet --error-exitcode=99 --leak-check=no --vgdb=no \
	--track-origins=yes --trace-children=yes \
	--trace-children-skip='/usr/*,/bin/*,/sbin/*,/lib/*,*/impersonate-fsd' \
	--suppressions="$(dirname "$0")/valgrind.supp" \
	--log-file="$VG_LOG_DIR/vg.%p" "$@"

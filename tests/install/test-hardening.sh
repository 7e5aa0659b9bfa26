#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-hardening.sh FORTIFY FILE...
#     Each built ELF FILE has full RELRO (GNU_RELRO and BIND_NOW); each
#     executable is PIE; with FORTIFY=yes at least one of them calls a
#     fortified libc function (__*_chk), which shows _FORTIFY_SOURCE reached
#     the compiler.
set -u
[ $# -ge 2 ] || { echo "usage: $0 yes|no FILE..." >&2; exit 2; }
fortify=$1
shift
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 77; }
failures=0
chk=0
for f in "$@"; do
	name=${f##*/}
	readelf -lW "$f" | grep -q GNU_RELRO || { echo "FAIL: $name: no GNU_RELRO"; failures=$((failures + 1)); }
	readelf -dW "$f" | grep -qE 'BIND_NOW|FLAGS.*NOW' || { echo "FAIL: $name: no BIND_NOW (-z now)"; failures=$((failures + 1)); }
	case $name in
	*.so | *.so.*) ;;
	*) readelf -hW "$f" | grep -q 'DYN (' || { echo "FAIL: $name: not PIE"; failures=$((failures + 1)); } ;;
	esac
	readelf -sW --dyn-syms "$f" | grep -qE ' __[a-z_]+_chk(@|$)' && chk=$((chk + 1))
	echo "checked $name"
done
if [ "$fortify" = yes ] && [ "$chk" -eq 0 ]; then
	echo "FAIL: no __*_chk call in any file: _FORTIFY_SOURCE is not in effect"
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "$# file(s): full RELRO, PIE executables, fortified calls in $chk"

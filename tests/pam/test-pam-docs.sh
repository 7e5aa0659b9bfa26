#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-pam-docs.sh MAN_PAGE MODULE_SOURCE PAM_INCLUDEDIR TEST_SOURCE PAM_D_DIR
#
# What an administrator reads matches what the module does:
#  - pam_impersonate(8) (mdoc) passes mandoc -Tlint with no warning (style
#    notes about manuals this machine lacks aside, as in tests/man/lint.sh)
#    and has the sections of a PAM module page, in order;
#  - its OPTIONS are exactly the options the module source parses;
#  - its RETURN VALUES are exactly the PAM return codes the module source
#    uses, and the libpam tests (TEST_SOURCE) name each of them;
#  - every line of the pam.d/ examples is under a comment, the demo file is
#    self-contained, the daemon example is in Debian's style.
# Prints one ok/not ok line per check; exit 1 on failure, 77 without mandoc.
set -uo pipefail
page=$1 source=$2 incdir=$3 tests=$4 pamd=$5
# pam.pc's includedir is /usr/include/security on Debian, /usr/include elsewhere.
types=$incdir/_pam_types.h
[ -f "$types" ] || types=$incdir/security/_pam_types.h
MANDOC=${MANDOC:-mandoc}
command -v "$MANDOC" >/dev/null || { echo "1..0 # SKIP mandoc not installed"; exit 77; }

n=0 failed=0
check() { # NAME COMMAND...
	local name=$1
	shift
	n=$((n + 1))
	local msg
	if msg=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		[ -n "$msg" ] && echo "$msg" | sed 's/^/# /'
	fi
}

lint() {
	local out
	out=$("$MANDOC" -Tlint -Wwarning "$page" 2>&1 | grep -v 'outdated mandoc.db')
	[ -z "$out" ] || { echo "$out"; return 1; }
}

# Section headings, in order.
sections() {
	local want got
	want=$'NAME\nSYNOPSIS\nDESCRIPTION\nOPTIONS\nMODULE TYPES PROVIDED\nRETURN VALUES\nFILES\nEXAMPLES\nNOTES\nSEE ALSO'
	got=$(sed -n 's/^\.Sh //p' "$page" | tr -d '"' | sed 's/\\~/ /g')
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); return 1; }
}

# The .It tags of one section's list: the option or code names.
tags() { # SECTION
	awk -v sec="$1" '
	/^\.Sh / { s = substr($0, 5); gsub(/"/, "", s); gsub(/\\~/, " ", s); insec = (s == sec); next }
	insec && /^\.It (Cm|Dv) / { print $3 }
	' "$page" | sort -u
}

# Option words the module parses: strcmp(arg, "x"), value_of(arg, "x") and
# the keys of word_options[].
source_options() {
	{
		grep -oE 'strcmp\(arg, "[a-z_]+"\)' "$source" | cut -d'"' -f2
		grep -oE 'value_of\(arg, "[a-z_]+"\)' "$source" | cut -d'"' -f2
		sed -n '/word_options\[\] = {/,/^};/p' "$source" | grep -oE '^[[:space:]]*\{"[a-z_]+"' | cut -d'"' -f2
	} | sort -u
}

options_match() {
	local doc src want
	want=$(printf '%s\n' allow_root debug groups keep_caps level min_uid mode never_groups quiet)
	doc=$(tags OPTIONS)
	src=$(source_options)
	[ "$doc" = "$want" ] || { echo "man page:"; diff <(echo "$want") <(echo "$doc"); return 1; }
	[ "$src" = "$want" ] || { echo "source:"; diff <(echo "$want") <(echo "$src"); return 1; }
}

# The PAM return codes (from _pam_types.h) the module source names.
source_codes() {
	local codes c
	codes=$(sed -n '/#define PAM_SUCCESS 0/,/#define _PAM_RETURN_VALUES/p' "$types" |
		grep -oE '^#define PAM_[A-Z_]+' | cut -d' ' -f2)
	for c in $codes; do
		grep -qE "\\b$c\\b" "$source" && echo "$c"
	done | sort -u
}

codes_match() {
	local doc src
	doc=$(tags "RETURN VALUES")
	src=$(source_codes)
	[ -n "$src" ] && [ "$doc" = "$src" ] || { diff <(echo "$src") <(echo "$doc"); return 1; }
}

codes_tested() {
	local c missing=
	for c in $(tags "RETURN VALUES"); do
		grep -qE "\b$c\b" "$tests" || missing+=" $c"
	done
	[ -z "$missing" ] || { echo "no libpam test expects:$missing"; return 1; }
}

# Every run of directive lines is directly under a comment line.
commented() { # FILE
	awk '
	/^[ \t]*#/ { prev = "comment"; next }
	/^[ \t]*$/ { prev = "blank"; next }
	{ if (prev == "blank" || prev == "") { print FILENAME ":" NR ": no comment above: " $0; bad = 1 }
	  prev = "directive" }
	END { exit bad }
	' "$1"
}

demo_self_contained() {
	local f=$pamd/impersonate-demo
	! grep -qE '^[[:space:]]*@include' "$f" || { echo "@include in $f"; return 1; }
	# Module basenames only: tests and the demo substitute absolute paths.
	! grep -vE '^[[:space:]]*(#|$)' "$f" | awk '$3 ~ /\//' | grep . || return 1
	grep -qE '^auth +required +pam_matrix\.so' "$f" &&
		grep -qE '^(auth|account|session) +required +pam_impersonate\.so' "$f" &&
		grep -q 'PAM_MATRIX_PASSWD' "$f"
}

daemon_debian_style() {
	local f=$pamd/example-daemon i
	for i in common-auth common-account common-session-noninteractive; do
		grep -qE "^@include $i\$" "$f" || { echo "no @include $i"; return 1; }
	done
	grep -qE '^account +required +pam_succeed_if\.so .*user ingroup ' "$f" &&
		[ "$(grep -cE '^(auth|account|session) +required +pam_impersonate\.so' "$f")" = 3 ]
}

check "mandoc -Tlint -Wwarning pam_impersonate.8" lint
check "sections of a PAM module page, in order" sections
check "OPTIONS are the options the module parses" options_match
check "RETURN VALUES are the codes the module returns" codes_match
check "every RETURN VALUE is named by the libpam tests" codes_tested
for f in "$pamd"/*; do
	check "every line of pam.d/${f##*/} is commented" commented "$f"
done
check "pam.d/impersonate-demo is self-contained" demo_self_contained
check "pam.d/example-daemon is in Debian's style" daemon_debian_style
echo "1..$n"
[ "$failed" = 0 ]

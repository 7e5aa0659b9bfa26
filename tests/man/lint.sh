#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lint.sh lint SRCROOT
#     Run `mandoc -Tlint -Wwarning` on every *.[1-8] file under SRCROOT and
#     fail on any message.  Every page is written in mdoc(7) (.Dd, .Dt, .Sh),
#     none in man(7) (.TH, .SH): one macro set for the whole project.  Build directories (any directory holding
#     meson-private), .git and subprojects are skipped.  A page that is only a
#     `.so` link is not given to mandoc, which calls .so fragile; its target
#     must be a page of the tree.
#
# lint.sh coverage SRCROOT
#     Every function declared in include/impersonate.h (each `imp_*(` outside
#     comments) must be named in the NAME section of a page under man/, and
#     appear in that page's SYNOPSIS; every imp_* name in those NAME sections
#     must be declared in a header under include/; man/meson.build must
#     install every page under man/ and an alias for every other name in its
#     NAME section.
#
# Exit status: 0 pass, 1 fail, 77 skip (no mandoc).
set -u

usage() {
	echo "usage: $0 lint|coverage SRCROOT" >&2
	exit 2
}
[ $# -eq 2 ] || usage
mode=$1
root=$2
[ -d "$root" ] || usage
MANDOC=${MANDOC:-mandoc}
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# Every *.[1-8] file of the source tree, one per line, sorted.
find_pages() {
	find "$1" \( -name .git -o -name subprojects -o \
		\( -type d -exec sh -c 'test -e "$1/meson-private"' sh {} \; \) \) -prune \
		-o \( -type f -o -type l \) -name '*.[1-8]' -print | LC_ALL=C sort
}

# Succeeds if the page is only a `.so` request (comments and blank lines
# aside); prints the target.
so_target() {
	awk '
	/^[.'"'"'][ \t]*\\"/ { next }
	/^[ \t]*$/ { next }
	{ n++; if ($1 == ".so" && NF == 2) target = $2; else bad = 1 }
	END { if (n == 1 && !bad) { print target; exit 0 } exit 1 }
	' "$1"
}

# The names in a page's NAME section: .Nm arguments (mdoc) or the words
# before \- (man).  Only imp_* names are printed.
name_section() {
	awk '
	/^\.S[Hh]([ \t]|$)/ {
		sec = $0
		sub(/^\.S[Hh][ \t]*/, "", sec)
		gsub(/"/, "", sec)
		inname = (sec == "NAME")
		next
	}
	inname && /^\.Nd([ \t]|$)/ { next }
	inname {
		line = $0
		sub(/\\-.*/, "", line)
		n = split(line, w, /[^A-Za-z0-9_]+/)
		for (k = 1; k <= n; k++)
			if (w[k] ~ /^imp_/)
				print w[k]
	}
	' "$1"
}

# C source without comments.
strip_comments() {
	awk '
	{
		line = $0
		out = ""
		while (line != "") {
			if (incomment) {
				i = index(line, "*/")
				if (i == 0)
					break
				line = substr(line, i + 2)
				incomment = 0
				continue
			}
			i = index(line, "/*")
			j = index(line, "//")
			if (j && (!i || j < i)) {
				out = out substr(line, 1, j - 1)
				break
			}
			if (i == 0) {
				out = out line
				break
			}
			out = out substr(line, 1, i - 1) " "
			line = substr(line, i + 2)
			incomment = 1
		}
		print out
	}
	' "$@"
}

# Functions declared in the given headers: every imp_* identifier followed by
# "(" outside comments and preprocessor lines.
declared_functions() {
	strip_comments "$@" | grep -v '^[[:space:]]*#' | tr '\n' ' ' |
		grep -oE '(^|[^A-Za-z0-9_])imp_[A-Za-z0-9_]*[[:space:]]*\(' |
		sed -E 's/^[^i]*//; s/[[:space:]]*\($//' | LC_ALL=C sort -u
}

lint() {
	if ! command -v "$MANDOC" >/dev/null 2>&1; then
		echo "SKIP: $MANDOC not found"
		exit 77
	fi
	pages=$(find_pages "$root")
	if [ -z "$pages" ]; then
		fail "no manual page found under $root"
		return
	fi
	basenames=$(printf '%s\n' "$pages" | sed 's|.*/||')
	count=0
	while IFS= read -r page; do
		count=$((count + 1))
		rel=${page#"$root"/}
		if target=$(so_target "$page"); then
			dir=$(dirname "$page")
			if [ -e "$dir/$target" ] || [ -e "$dir/../$target" ] ||
			   printf '%s\n' "$basenames" | grep -qxF "${target##*/}"; then
				echo "ok   $rel (.so link to $target)"
			else
				fail "$rel: .so target $target is not a page of the tree"
			fi
			continue
		fi
		if grep -qE '^\.(TH|SH)([[:space:]]|$)' "$page" || ! head -n 40 "$page" | grep -q '^\.Dd'; then
			fail "$rel: not an mdoc(7) page (.TH/.SH, or no .Dd): the project's pages are all mdoc"
			continue
		fi
		out=$("$MANDOC" -Tlint -Wwarning "$page" 2>&1)
		rc=$?
		# Machine-dependent notes about the installed mandoc.db are not
		# about the page.
		out=$(printf '%s\n' "$out" | grep -v 'outdated mandoc.db' | sed '/^$/d')
		if [ $rc -ne 0 ] || [ -n "$out" ]; then
			fail "$rel (mandoc exit status $rc)"
			printf '%s\n' "$out" | sed 's/^/    /'
		else
			echo "ok   $rel"
		fi
	done <<EOF
$pages
EOF
	echo "$count page(s) checked"
}

coverage() {
	header=$root/include/impersonate.h
	mandir=$root/man
	build=$mandir/meson.build
	[ -f "$header" ] || { fail "$header missing"; return; }
	[ -f "$build" ] || { fail "$build missing"; return; }

	decls=$(declared_functions "$header")
	ndecls=$(printf '%s\n' "$decls" | grep -c .)
	if [ "$ndecls" -eq 0 ]; then
		fail "no imp_* function found in $header"
		return
	fi
	all_decls=$(find "$root/include" -name '*.h' -exec cat {} + |
		strip_comments | grep -v '^[[:space:]]*#' | tr '\n' ' ' |
		grep -oE '(^|[^A-Za-z0-9_])imp_[A-Za-z0-9_]*' |
		sed -E 's/^[^i]*//' | LC_ALL=C sort -u)

	pages=$(find "$mandir" \( -type f -o -type l \) -name '*.[1-8]' | LC_ALL=C sort)
	documented=
	while IFS= read -r page; do
		[ -n "$page" ] || continue
		file=${page##*/}
		stem=${file%.*}
		grep -qF "'$file'" "$build" || fail "man/$file is not installed by man/meson.build"
		so_target "$page" >/dev/null && continue
		names=$(name_section "$page")
		for name in $names; do
			documented="$documented $name"
			printf '%s\n' "$all_decls" | grep -qxF "$name" ||
				fail "man/$file names $name, which no header under include/ declares"
			if head -n 40 "$page" | grep -q '^\.Dd'; then
				grep -qE "^\.F[no][[:space:]]+$name([[:space:]]|\$)" "$page" ||
					fail "man/$file: $name is in NAME but not in the SYNOPSIS (.Fn/.Fo)"
			else
				grep -qE "$name[[:space:]]*\(" "$page" ||
					fail "man/$file: $name is in NAME but never shown as $name("
			fi
			[ "$name" = "$stem" ] && continue
			grep -qF "'$name'" "$build" || [ -e "$mandir/$name.3" ] ||
				fail "man/$file: no alias $name.3 installed by man/meson.build"
		done
	done <<EOF
$pages
EOF

	missing=0
	for fn in $decls; do
		case " $documented " in
		*" $fn "*) ;;
		*)
			fail "$fn (include/impersonate.h) is in no NAME section under man/"
			missing=$((missing + 1))
			;;
		esac
	done
	echo "$ndecls function(s) declared in include/impersonate.h, $missing undocumented"
}

case $mode in
lint) lint ;;
coverage) coverage ;;
*) usage ;;
esac

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
exit 0

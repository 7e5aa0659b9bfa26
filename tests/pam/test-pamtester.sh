#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-pamtester.sh MODULE MATRIX DEMO_SERVICE FIXTURES GROUP_FILE
#
# A real third-party PAM application drives pam_impersonate.so: pamtester(1)
# under pam_wrapper (a private service directory, never /etc/pam.d), with
# nss_wrapper users and pam_matrix checking passwords.  The service is
# pam.d/impersonate-demo with absolute module paths substituted, as its
# header tells users of the file to do.  pam_wrapper sends the modules'
# pam_syslog lines to stderr as "SYSLOG(<priority>): <message>".
# pam_wrapper 1.1.4 copies the service directory to /tmp/pam.? for each run
# and removes the copy when pamtester exits.
# SPEC P2 P3 P4 K4.  Prints one ok/not ok line per case; exit 1 on failure.
set -uo pipefail

module=$1 matrix=$2 demo=$3 fixtures=$4 group=$5
for f in "$module" "$matrix" "$demo" "$fixtures/passwd" "$fixtures/passdb" "$group"; do
	[ -e "$f" ] || { echo "missing $f"; exit 1; }
done
command -v pamtester >/dev/null || { echo "1..0 # SKIP pamtester not installed"; exit 77; }

work=$(mktemp -d /tmp/impersonate-pamtester.XXXXXX)
trap 'rm -rf "$work"' EXIT
# service DIR [OPTIONS]: $work/DIR/impersonate-demo, the demo file with
# absolute paths and OPTIONS appended to every pam_impersonate line.  Always
# named impersonate-demo: pam_matrix's account check wants the service name
# of the password file.
service() {
	local dir=$work/$1 options=${2:-}
	mkdir -p "$dir"
	# libpam also reads "other"; a private one denies everything.
	printf '%s required pam_deny.so\n' auth account password session >"$dir/other"
	sed -E -e '/^[[:space:]]*#/!s#pam_matrix\.so#'"$matrix"'#' \
		-e '/^[[:space:]]*#/!s#pam_impersonate\.so(.*)$#'"$module"'\1'"${options:+ $options}"'#' \
		"$demo" >"$dir/impersonate-demo"
}

# run DIR USER PASSWORD OPS...: pamtester's exit status; its output and the
# module's log lines in $out.
out=
run() {
	local dir=$work/$1 user=$2 password=$3
	shift 3
	out=$(echo "$password" | env \
		LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" \
		PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$dir" \
		PAM_WRAPPER_DEBUGLEVEL=2 \
		NSS_WRAPPER_PASSWD="$fixtures/passwd" \
		NSS_WRAPPER_GROUP="$group" \
		PAM_MATRIX_PASSWD="$fixtures/passdb" \
		pamtester -v impersonate-demo "$user" "$@" 2>&1)
}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	echo "$out" | sed 's/^/# /'
}
# expect NAME STATUS PATTERN... ; patterns starting with ! must be absent.
expect() {
	local name=$1 want=$2 got=$3
	shift 3
	if [ "$want" = 0 ] && [ "$got" != 0 ] || [ "$want" != 0 ] && [ "$got" = 0 ]; then
		not_ok "$name (exit $got)"
		return
	fi
	local p
	for p in "$@"; do
		if [ "${p:0:1}" = '!' ]; then
			if grep -qF -- "${p:1}" <<<"$out"; then
				not_ok "$name (unexpected: ${p:1})"
				return
			fi
		elif ! grep -qF -- "$p" <<<"$out"; then
			not_ok "$name (missing: $p)"
			return
		fi
	done
	ok "$name"
}

service demo

# SPEC P2 K4: the whole life of a session; the token is made by setcred and
# revoked by close_session, and nothing is refused or broken.
run demo alice alice-secret authenticate acct_mgmt setcred open_session close_session
expect "alice: authenticate acct_mgmt setcred open_session close_session" 0 $? \
	"successfully authenticated" "account management done" \
	"credential info has successfully been set" "successfully opened a session" \
	"session has successfully been closed" \
	"SYSLOG(6): token for user alice (uid 60001, gid 60001, 4 groups, mode fs, level impersonate)" \
	"SYSLOG(6): revoked the token of user alice (uid 60001): session closed" \
	"!(setcred)" "!SYSLOG(3)" "!SYSLOG(5)"

# SPEC P2: open_session makes the token when setcred was not called.
run demo bob bob-secret authenticate acct_mgmt open_session close_session
expect "bob: open_session makes the token" 0 $? \
	"SYSLOG(6): token for user bob (uid 60002" \
	"SYSLOG(6): revoked the token of user bob (uid 60002): session closed"

# SPEC P2: pam_impersonate authenticates no one: a wrong password fails at
# pam_matrix and no token is made.
run demo alice wrong-password authenticate
expect "alice: wrong password" 1 $? "Authentication failure" "!token for user"

# SPEC P3: root passes pam_matrix, not pam_impersonate's account check.
run demo root root-secret authenticate acct_mgmt
expect "root: refused by default" 1 $? "successfully authenticated" "Permission denied" \
	"SYSLOG(5): refusing user root: uid 0 without allow_root"

# SPEC P3: a system account (uid 200) is refused by default.
run demo sysuser sysuser-secret authenticate acct_mgmt
expect "sysuser: refused by default" 1 $? "Permission denied" \
	"SYSLOG(5): refusing user sysuser: uid 200 is below min_uid"

# PAM_USER_UNKNOWN: pam_matrix knows ghost, NSS does not.
run demo ghost ghost-secret authenticate acct_mgmt
expect "ghost: unknown to NSS" 1 $? "successfully authenticated" \
	"User not known to the underlying authentication module" \
	"SYSLOG(5): user ghost is not known to NSS"

# SPEC P3: allow_root.
service allow-root "allow_root"
run allow-root root root-secret acct_mgmt open_session close_session
expect "allow_root: root allowed" 0 $? "successfully opened a session" \
	"SYSLOG(6): token for user root (uid 0, gid 0"

# SPEC P3: min_uid.
service min-uid "min_uid=60002"
run min-uid alice x acct_mgmt
expect "min_uid=60002: alice refused" 1 $? "Permission denied" "uid 60001 is below min_uid 60002"
run min-uid bob x acct_mgmt open_session close_session
expect "min_uid=60002: bob allowed" 0 $? "successfully opened a session"

# The token options, seen in the module's log line.
service token-options "mode=full level=identify groups=primary keep_caps=cap_kill,cap_chown"
run token-options alice x open_session close_session
expect "mode=full level=identify groups=primary keep_caps" 0 $? \
	"token for user alice (uid 60001, gid 60001, 1 groups, mode full, level identify)"

# SPEC P4: debug and quiet.
service debug "debug"
run debug alice x acct_mgmt open_session close_session
expect "debug: LOG_DEBUG lines" 0 $? "SYSLOG(7): options: mode=fs level=impersonate groups=all" \
	"SYSLOG(7): user alice may be impersonated"
service quiet "quiet"
run quiet alice x open_session close_session
expect "quiet: tokens still logged" 0 $? "successfully opened a session" \
	"SYSLOG(6): token for user alice" "SYSLOG(6): revoked the token of user alice"
run quiet root x acct_mgmt
expect "quiet: no line for a user not served" 1 $? "Permission denied" "!SYSLOG(5)" "!refusing"

# SPEC P4: PAM_SILENT silences messages to the user, not the log.
run demo alice x 'open_session(PAM_SILENT)' 'close_session(PAM_SILENT)'
expect "PAM_SILENT on open_session and close_session" 0 $? "SYSLOG(6): token for user alice" \
	"SYSLOG(6): revoked the token of user alice (uid 60001): session closed"

# SPEC P3 P4: primary group 0 and the default never_groups refuse, logged.
run demo gzero x acct_mgmt
expect "gzero: primary group 0 refused" 1 $? "Permission denied" \
	"SYSLOG(5): refusing user gzero: group 0 without allow_root"
run demo shadowy x acct_mgmt
expect "shadowy: member of shadow refused" 1 $? "Permission denied" \
	"SYSLOG(5): refusing user shadowy: member of group shadow (gid 42) of never_groups"

# SPEC P3: malformed options fail closed, logged at LOG_ERR.
for bad in "min_uid=abc" "mode=bogus" "frobnicate" "min_uid=" "keep_caps=cap_bogus"; do
	service bad "$bad"
	run bad alice alice-secret authenticate
	expect "bad option $bad: auth fails closed" 1 $? "Error in service module" \
		"SYSLOG(3): " "refusing to run with a bad option list"
	run bad alice x acct_mgmt
	expect "bad option $bad: account fails closed" 1 $? "Error in service module"
	run bad alice x open_session
	expect "bad option $bad: session fails closed" 1 $? "Error in service module" "!token for user"
done

echo "1..$n"
[ "$failed" = 0 ]

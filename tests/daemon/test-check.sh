#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# impersonate-check(8) against the project's pam.d/impersonate-demo with the
# test users: every exit status the man page documents, produced for real.
#
#   test-check.sh CHECK PAM_MODULE PAM_MATRIX SERVICE_FILE TAMPER_SHIM
#
# Users and passwords come from the environment (nss_wrapper, pam_matrix's
# PAM_MATRIX_PASSWD) set by meson.  Exit 77 when not root.
set -u
check=$1 module=$2 matrix=$3 service=$4 shim=$5

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 77
fi

tmp=$(mktemp -d /tmp/impersonate-check-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp" # the test users must reach the files below
n=0 failed=0

# The service file with absolute module paths, as its own comment says;
# $2 is appended to the pam_impersonate lines; $3=notoken puts pam_matrix in
# their place (a stack that accepts the user but makes no token).
confdir() {
	local dir=$tmp/$1 opts=${2:-} impersonate=$module
	[ "${3:-}" = notoken ] && impersonate=$matrix opts=
	mkdir -p "$dir"
	sed -E -e "/^[[:space:]]*#/!s#pam_matrix\.so#$matrix#" \
		-e "/^[[:space:]]*#/!s#pam_impersonate\.so(.*)\$#$impersonate\1 $opts#" \
		"$service" >"$dir/impersonate-demo"
	echo "$dir"
}

demo=$(confdir demo)
identify=$(confdir identify level=identify)
notoken=$(confdir notoken "" notoken)

# A few files: alice's private one, a shared-group one, a directory bob
# cannot write into.
files=$tmp/files
mkdir -p "$files/alice" "$files/shared"
echo secret >"$files/alice/private.txt"
chown -R 60001:60001 "$files/alice"
chmod 0700 "$files/alice"
chmod 0600 "$files/alice/private.txt"
echo plan >"$files/shared/plan.txt"
chown -R 60001:60100 "$files/shared"
chmod 2770 "$files/shared"
chmod 0640 "$files/shared/plan.txt"
chmod 0755 "$files"

# expect NAME STATUS PATTERN -- COMMAND...: COMMAND exits with STATUS and its
# standard output (and error) matches the extended regex PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	n=$((n + 1))
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" = "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $got, expected $want; pattern: $pattern)"
		sed 's/^/# /' <<<"$out"
		failed=$((failed + 1))
	fi
}

# with_password PW COMMAND...: COMMAND with the line PW as standard input,
# which is where impersonate-check reads answers when it is not a terminal.
with_password() {
	local pw=$1
	shift
	printf '%s\n' "$pw" | "$@"
}

# 0: every step worked, every path allowed; the token was revoked by
# close_session (SPEC K4) and the thread got its credentials back.
expect status_0_all_allowed 0 'own credentials +back, same as before' -- \
	with_password alice-secret "$check" --confdir "$demo" impersonate-demo alice \
	--open "$files/alice/private.txt" --open "$files/shared/plan.txt" \
	--write "$files/shared/plan.txt" --write "$files/alice/new.txt"
n=$((n + 1))
if [ -e "$files/alice/new.txt" ]; then
	echo "not ok $n - write_creates_nothing"
	failed=$((failed + 1))
else
	echo "ok $n - write_creates_nothing"
fi
expect token_shows_groups_by_name 0 'groups +60001 \(alice\), 60100 \(shared\), 60101 \(finance\)' -- \
	with_password alice-secret "$check" -c "$demo" impersonate-demo alice
expect token_revoked_by_close_session 0 'token revoked +yes' -- \
	with_password alice-secret "$check" -c "$demo" impersonate-demo alice
expect no_auth_skips_the_password 0 'acct_mgmt +ok' -- \
	"$check" --no-auth -c "$demo" impersonate-demo alice </dev/null

# 1: the kernel refused a path to bob (SPEC T10: fs mode checks as bob).
expect status_1_access_refused 1 'open +.*/alice/private.txt +refused: EACCES' -- \
	with_password bob-secret "$check" -c "$demo" impersonate-demo bob \
	--open "$files/alice/private.txt" --open "$files/shared/plan.txt"
expect status_1_write_refused 1 'write +.*/shared/plan.txt +refused: EACCES' -- \
	"$check" -n -c "$demo" impersonate-demo carol --write "$files/shared/plan.txt"

# JSON for scripts: valid, and saying the same.
n=$((n + 1))
json=$(printf 'bob-secret\n' | "$check" --json -c "$demo" impersonate-demo bob --open "$files/alice/private.txt" --open "$files/shared/plan.txt")
got=$?
if [ $got = 1 ] && python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["exit_status"] == 1
assert r["token"]["uid"] == 60002 and r["token"]["mode"] == "fs" and r["token"]["level"] == "impersonate"
assert [g["name"] for g in r["token"]["groups"]] == ["bob", "shared"]
a = r["access"]
assert a[0]["allowed"] is False and a[0]["error"] == "EACCES"
assert a[1]["allowed"] is True and a[1]["kind"] == "file"
i = r["impersonation"]
assert i["during"]["uid"][3] == 60002 and i["during"]["cap_eff"] == "0000000000000000"
assert i["restored"] is True and i["before"] == i["after"]
assert [s["step"] for s in r["pam"]] == ["start", "authenticate", "acct_mgmt", "setcred", "open_session", "close_session", "setcred_delete"]
' <<<"$json"; then
	echo "ok $n - json_report"
else
	echo "not ok $n - json_report (exit $got)"
	sed 's/^/# /' <<<"$json"
	failed=$((failed + 1))
fi

# On a terminal: the password is asked there, without echo.
n=$((n + 1))
if python3 - "$check" "$demo" <<'PY'; then
import os, pty, sys, time
check, confdir = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(check, [check, "-c", confdir, "impersonate-demo", "alice"])
seen, out, deadline = b"", b"", time.time() + 30
while b"Password: " not in seen and time.time() < deadline:
    seen += os.read(fd, 1024)
os.write(fd, b"alice-secret\n")
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(st) == 0, out
assert b"alice-secret" not in out, "the password was echoed"
assert b"authenticate     ok" in out, out
PY
	echo "ok $n - terminal_prompt_without_echo"
else
	echo "not ok $n - terminal_prompt_without_echo"
	failed=$((failed + 1))
fi

# 2: usage.
expect status_2_no_arguments 2 'usage' -- "$check"
expect status_2_unknown_option 2 'usage' -- "$check" --bogus impersonate-demo alice

# 3: PAM refused a step.
expect status_3_wrong_password 3 'authenticate +FAILED: .*PAM_AUTH_ERR' -- \
	with_password wrong "$check" -c "$demo" impersonate-demo alice
expect status_3_system_account 3 'acct_mgmt +FAILED: .*PAM_PERM_DENIED' -- \
	"$check" -n -c "$demo" impersonate-demo sysuser
expect status_3_unknown_user 3 'FAILED' -- \
	"$check" -n -c "$demo" impersonate-demo nobody-at-all
expect status_3_no_such_service 3 'start +FAILED' -- \
	"$check" -n -c "$demo" no-such-service alice
expect status_3_no_password_on_stdin 3 'authenticate +FAILED' -- \
	"$check" -c "$demo" impersonate-demo alice </dev/null

# 4: the stack accepted alice but no module made a token.
expect status_4_no_token 4 'none: no module registered a token' -- \
	"$check" -n -c "$notoken" impersonate-demo alice --open "$files/alice/private.txt"

# 5: impersonation refused (SPEC K3: identify level).
expect status_5_identify_level 5 'impersonate +REFUSED: .*EACCES' -- \
	"$check" -n -c "$identify" impersonate-demo alice --open "$files/alice/private.txt"
expect status_5_level_shown 5 'level +identify' -- \
	"$check" -n -c "$identify" impersonate-demo alice

# 6: the thread's credentials were changed behind the library's back while
# impersonating (SPEC T9), or could not be restored at all (T8).
expect status_6_tampered 6 'changed behind the library' -- \
	env LD_PRELOAD="${LD_PRELOAD:-} $shim" \
	"$check" -n -c "$demo" impersonate-demo alice --open "$tmp/TAMPER-FSUID"
expect status_6_cannot_restore 6 'revert failed' -- \
	env LD_PRELOAD="${LD_PRELOAD:-} $shim" \
	"$check" -n -c "$demo" impersonate-demo alice --open "$tmp/TAMPER-CAPS"

echo "1..$n"
[ $failed = 0 ]

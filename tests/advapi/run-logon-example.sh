#!/bin/bash
# Run examples/logon-user.c unchanged (it uses the default PAM service
# "impersonate-logon"): pam_wrapper points libpam at a private service
# directory holding pam.d/impersonate-logon with the test modules
# substituted (pam_matrix for the passwords), nss_wrapper gives the users.
# Files owned by alice, bob and root show the access the client gets and
# the server gets back after RevertToSelf; wrong passwords give 1326.
set -euo pipefail
example=$(realpath "$1") module=$(realpath "$2") matrix=$3 service=$4 fixtures=$5
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }

dir=$(mktemp -d /tmp/impersonate-logon-example.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir "$dir/pam.d"
# The shipped service file, with the system's stacks swapped for the test's.
sed -E -e 's#^@include common-auth#auth required '"$matrix"' passdb='"$fixtures"'/passdb#' \
	-e 's#^@include common-account#account required '"$matrix"' passdb='"$fixtures"'/passdb#' \
	-e '/^@include/d' \
	-e '/^[[:space:]]*#/!s#pam_impersonate\.so#'"$module"'#' \
	"$service" > "$dir/pam.d/impersonate-logon"
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' \
	> "$dir/pam.d/other"

make_file() { # name uid mode content
	printf '%s\n' "$4" > "$dir/$1"
	chown "$2:$2" "$dir/$1"
	chmod "$3" "$dir/$1"
}
make_file alice.txt 60001 600 "alice's notes"
make_file bob.txt 60002 600 "bob's notes"
make_file root.txt 0 600 "root's notes"

run() {
	env LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$dir/pam.d" \
		NSS_WRAPPER_PASSWD="$fixtures/passwd" NSS_WRAPPER_GROUP="$fixtures/group" \
		"$example" "$@"
}

out=$(run alice . alice-secret "$dir/alice.txt" "$dir/bob.txt" "$dir/root.txt")
echo "$out"
expect() {
	grep -qxF -- "$1" <<<"$out" || { echo "missing line: $1"; exit 1; }
}
expect "impersonating: alice"
expect "as client $dir/alice.txt: alice's notes"
expect "as client $dir/bob.txt: Permission denied"
expect "as client $dir/root.txt: Permission denied"
expect "reverted: root"
expect "as server $dir/bob.txt: bob's notes"
expect "as server $dir/root.txt: root's notes"

if out=$(run alice . wrong-password); then
	echo "a wrong password was accepted"; exit 1
fi
echo "$out"
expect "LogonUser failed with error 1326"
if out=$(run root . root-secret); then
	echo "root was accepted"; exit 1
fi
echo "$out"
expect "LogonUser failed with error 1327"
echo "ok: the Windows-shaped example logged alice on through PAM, served her as alice and reverted"

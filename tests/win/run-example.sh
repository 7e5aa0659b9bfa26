#!/bin/bash
# Build-tree run of examples/sspi-server.c (the SSPI server written as on
# Windows): a private PAM service (pam_permit + pam_impersonate, by absolute
# path, read through pam_start_confdir), files owned by alice, bob and root
# in a private directory, and the checks that the client got exactly the
# client's access and the server its own after the revert.  Nothing outside
# the temporary directory is touched.
set -euo pipefail
example=$(realpath "$1") module=$(realpath "$2") permit=/lib/x86_64-linux-gnu/security/pam_permit.so
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
echo "# PAM module: $module"

dir=$(mktemp -d /tmp/impersonate-example.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir "$dir/pam.d"
cat > "$dir/pam.d/sspi-example" <<PAM
auth     required  $permit
auth     optional  $module
account  required  $module
session  required  $module
PAM
make_file() { # name uid mode content
	printf '%s\n' "$4" > "$dir/$1"
	chown "$2:$2" "$dir/$1"
	chmod "$3" "$dir/$1"
}
make_file alice.txt 60001 600 "alice's notes"
make_file bob.txt 60002 600 "bob's notes"
make_file root.txt 0 600 "root's notes"
make_file shared.txt 0 640 "for the shared group"
chgrp 60100 "$dir/shared.txt"

out=$("$example" -c "$dir/pam.d" -s sspi-example alice \
	"$dir/alice.txt" "$dir/bob.txt" "$dir/root.txt" "$dir/shared.txt")
echo "$out"

expect() {
	grep -qxF -- "$1" <<<"$out" || { echo "missing line: $1"; exit 1; }
}
expect "package Impersonate: impersonation supported"
expect "client: alice"
expect "as client $dir/alice.txt: alice's notes"
expect "as client $dir/bob.txt: Permission denied"
expect "as client $dir/root.txt: Permission denied"
expect "as client $dir/shared.txt: for the shared group"
expect "as server $dir/bob.txt: bob's notes"
expect "as server $dir/root.txt: root's notes"
echo "ok: the example served alice as alice and reverted to itself"

#!/bin/bash
# with-kdc.sh PAM_MODULE COMMAND [ARGS...]: run COMMAND beside a real MIT KDC
# (Debian's krb5-kdc) in a private realm, and remove everything afterwards,
# also when COMMAND fails or the script is interrupted.
#
# Nothing under /etc is read or changed: krb5.conf and kdc.conf live in a
# private directory (KRB5_CONFIG, KRB5_KDC_PROFILE), the KDC listens on a free
# loopback port, the database, stash, keytabs, ticket cache and replay cache
# are in the directory too.  COMMAND gets:
#   IMP_KDC_DIR, IMP_REALM, IMP_KDC_PORT
#   KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME (alice's tickets, kinit'd),
#   KRB5_KTNAME (host/localhost only), KRB5RCACHEDIR, GSS_MECH_CONFIG (empty:
#   no machine-wide extra mechanisms)
#   IMPERSONATE_PAM_CONFDIR, IMPERSONATE_PAM_SERVICE: the service "sspi-test"
#   (account + session pam_impersonate.so) and "sspi-refuse" (account
#   pam_deny.so).
# Principals (password: NAME-pw): alice, bob, root, sysuser (uid 500), ghost
# (no local user), asmith (auth_to_local maps it to alice), carol/admin (two
# components: no mapping), brief (tickets live 4 seconds), HTTP/localhost (not
# in the keytab).
set -euo pipefail
module=$(realpath "$1")
shift
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
for p in /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local /usr/bin/kinit; do
	[ -x "$p" ] || { echo "missing $p (krb5-kdc, krb5-admin-server, krb5-user)"; exit 77; }
done

dir=$(mktemp -d /tmp/impersonate-kdc.XXXXXX)
kdc_pid=
cleanup() {
	if [ -n "$kdc_pid" ]; then
		kill "$kdc_pid" 2>/dev/null || true
		wait "$kdc_pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$dir"
realm=IMPTEST.LOCAL

# A free loopback port: bind port 0 and read what the kernel gave.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat > "$dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $realm
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
[realms]
	$realm = {
		kdc = 127.0.0.1:$port
		primary_kdc = 127.0.0.1:$port
		master_kdc = 127.0.0.1:$port
		auth_to_local = RULE:[1:\$1@\$0](^asmith@IMPTEST\\.LOCAL\$)s/.*/alice/
		auth_to_local = DEFAULT
	}
[domain_realm]
	localhost = $realm
EOF
cat > "$dir/kdc.conf" <<EOF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$port
	kdc_tcp_listen = 127.0.0.1:$port
[realms]
	$realm = {
		database_name = $dir/principal
		key_stash_file = $dir/stash
		acl_file = $dir/kadm5.acl
		max_life = 10h
	}
[logging]
	kdc = FILE:$dir/kdc.log
EOF
: > "$dir/kadm5.acl"
: > "$dir/mech.conf"
mkdir "$dir/rcache" "$dir/pam.d"
cat > "$dir/pam.d/sspi-test" <<EOF
account  required  $module
session  required  $module
EOF
cat > "$dir/pam.d/sspi-refuse" <<EOF
account  required  /lib/x86_64-linux-gnu/security/pam_deny.so
session  required  $module
EOF

export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf
export KRB5CCNAME=FILE:$dir/ccache KRB5_KTNAME=FILE:$dir/service.keytab
export KRB5RCACHEDIR=$dir/rcache GSS_MECH_CONFIG=$dir/mech.conf
export IMP_KDC_DIR=$dir IMP_REALM=$realm IMP_KDC_PORT=$port
export IMPERSONATE_PAM_CONFDIR=$dir/pam.d IMPERSONATE_PAM_SERVICE=sspi-test
# The KDC tools must not see the test's fake users.
kenv=(env -u LD_PRELOAD)

"${kenv[@]}" kdb5_util create -s -r "$realm" -P "master-$$-pw" > "$dir/kdb5_util.log" 2>&1
# A malformed kdc.conf makes kdb5_util fall back to /etc/krb5kdc and
# /var/lib/krb5kdc silently: go on only if the stash is ours.
[ -f "$dir/stash" ] || { echo "the stash is not in $dir: refusing to go on"; cat "$dir/kdb5_util.log"; exit 1; }

{
	for u in alice bob root sysuser ghost asmith carol/admin; do
		echo "addprinc -pw ${u%%/*}-pw $u"
	done
	echo "addprinc -pw brief-pw -maxlife \"4 seconds\" brief"
	echo "addprinc -randkey host/localhost"
	echo "addprinc -randkey HTTP/localhost"
	echo "ktadd -k $dir/service.keytab host/localhost"
	echo "ktadd -norandkey -k $dir/alice.keytab alice"
} | "${kenv[@]}" kadmin.local -r "$realm" > "$dir/kadmin.log" 2>&1

"${kenv[@]}" krb5kdc -n -r "$realm" > "$dir/krb5kdc.out" 2>&1 &
kdc_pid=$!
# Ready when it says so (about 50 ms here); bounded.
for _ in $(seq 1 200); do
	grep -q "starting" "$dir/krb5kdc.out" "$dir/kdc.log" 2>/dev/null && break
	kill -0 "$kdc_pid" 2>/dev/null || { echo "krb5kdc died"; cat "$dir/krb5kdc.out"; exit 1; }
	sleep 0.05
done
grep -q "starting" "$dir/krb5kdc.out" "$dir/kdc.log" || { echo "krb5kdc did not start"; exit 1; }

"${kenv[@]}" kinit -k -t "$dir/alice.keytab" "alice@$realm"
echo "# realm $realm on 127.0.0.1:$port in $dir"

set +e
"$@"
rc=$?
set -e
exit $rc

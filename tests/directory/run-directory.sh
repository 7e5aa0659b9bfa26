#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Identities from a real directory (SPEC K2, A4; issue 12): Debian's slapd
# on a private ldapi socket with its own config and data, nslcd
# (libnss-ldapd) pointing at it, and the lookups routed there only for this
# test: a private mount namespace (propagation private) gets its own
# nsswitch.conf, nslcd.conf, passwd, group and an empty /run bind-mounted
# over the machine's, which never change.  A private PID namespace whose
# init is this script holds slapd and nslcd: when it ends, however it ends,
# the kernel kills everything started in it.
#
#   run-directory.sh TEST_DIRECTORY PAM_MODULE PAM_MATRIX CHECK FSD FS NSS_IMPTEST
#
# Users: dirthree (3 groups), dirmany (1,200 groups), both in LDAP;
# dirlocal in the private /etc/passwd with its groups in LDAP; group crowd
# has 5,000 members.  Exit 77 when not root or a tool is missing.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 77
fi
for tool in slapd slapadd nslcd unshare ldapsearch; do
	if ! PATH=$PATH:/usr/sbin command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 77
	fi
done
export PATH=$PATH:/usr/sbin

if [ -z "${IMP_DIR_TMP:-}" ]; then
	tmp=$(mktemp -d /tmp/impersonate-directory.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM # so that EXIT cleans up
	chmod 0755 "$tmp" # the test users must reach files/
	IMP_DIR_TMP=$tmp unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
		"$0" "$@"
	exit $?
fi

# ---- Inside: PID 1 of a private PID namespace, private mounts -------------
test_directory=$1 module=$2 matrix=$3 check=$4 fsd=$5 fs=$6 imptest=$7
# glibc's NSS (id) and the library load libnss_imptest.so.2 from there.
export LD_LIBRARY_PATH=$(dirname "$imptest")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
tmp=$IMP_DIR_TMP
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
die() {
	echo "Bail out! $*"
	for f in "$tmp"/*.log; do [ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" | tail -20; done
	exit 1
}
t0=$(now)

# ---- The directory's data ----------------------------------------------------
base=dc=imp,dc=test
gen_ldif() {
	awk -v base="$base" 'BEGIN {
	printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: imp\ndc: imp\n\n", base
	printf "dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n", base
	printf "dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n", base
	user("dirthree", 71003); user("dirmany", 71200)
	group("dirusers", 71000, "")
	# dirthree: dirusers (primary), dirg0001, crowd.  dirmany: dirusers,
	# dirg0001..dirg1198, crowd.  dirg1199: no one.
	for (i = 1; i <= 1199; i++)
		group(sprintf("dirg%04d", i), 72000 + i, i == 1 ? "dirthree dirmany" : (i <= 1198 ? "dirmany" : ""))
	crowd = "dirthree dirmany"
	for (i = 1; i <= 4998; i++)
		crowd = crowd sprintf(" crowd%04d", i)
	group("crowd", 79000, crowd)
	group("dirsecret", 79001, "dirlocal")
	}
	function user(name, id) {
		printf "dn: uid=%s,ou=people,%s\nobjectClass: account\nobjectClass: posixAccount\n", name, base
		printf "uid: %s\ncn: %s\nuidNumber: %d\ngidNumber: 71000\nhomeDirectory: /nonexistent\n\n", name, name, id
	}
	function group(name, gid, members,    n, m, i) {
		printf "dn: cn=%s,ou=groups,%s\nobjectClass: posixGroup\ncn: %s\ngidNumber: %d\n", name, base, name, gid
		n = split(members, m, " ")
		for (i = 1; i <= n; i++)
			printf "memberUid: %s\n", m[i]
		printf "\n"
	}'
}

mkdir -p "$tmp/db" "$tmp/run" "$tmp/etc"
cat >"$tmp/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $tmp/slapd.pid
# slapd's default answers at most 500 entries per search: nslcd then fails
# the 1,200-group lookup (which glibc's getgrouplist and id turn into 500
# groups, silently; the library refuses it: -EHOSTDOWN).
sizelimit unlimited
database mdb
suffix "$base"
rootdn "cn=admin,$base"
directory $tmp/db
maxsize 67108864
index objectClass eq
index uid,memberUid,cn eq
index uidNumber,gidNumber eq
EOF
gen_ldif >"$tmp/data.ldif"
slapadd -q -f "$tmp/slapd.conf" -l "$tmp/data.ldif" >"$tmp/slapadd.log" 2>&1 || die "slapadd failed"

sockpath=$tmp/ldapi
uri="ldapi://$(printf %s "$sockpath" | sed 's|/|%2F|g')"
# slapd-ctl.sh start [SIZELIMIT] | hang | stop: the test program runs it too.
# A slapd started by it is a child of this namespace's init (this script).
cat >"$tmp/slapd-ctl.sh" <<EOF
#!/bin/sh
pid=\$(cat $tmp/slapd.pid 2>/dev/null)
case \$1 in
start)
	sed "s/^sizelimit .*/sizelimit \${2:-unlimited}/" $tmp/slapd.conf >$tmp/slapd-run.conf
	slapd -d 0 -f $tmp/slapd-run.conf -h "$uri" >>$tmp/slapd.log 2>&1 &
	for _ in \$(seq 200); do
		ldapsearch -LLL -x -H "$uri" -b "$base" -s base dn >/dev/null 2>&1 && break
		kill -0 \$! 2>/dev/null || exit 1
		sleep 0.05
	done
	# and nslcd, if running, past its reconnect_sleeptime
	[ -S /run/nslcd/socket ] || exit 0
	for _ in \$(seq 100); do getent passwd dirthree >/dev/null && exit 0; sleep 0.1; done
	exit 1 ;;
hang) kill -STOP \$pid ;;
stop)
	kill -CONT \$pid && kill \$pid || exit 1
	while [ -e $tmp/slapd.pid ]; do sleep 0.02; done ;;
esac
EOF
chmod +x "$tmp/slapd-ctl.sh"
"$tmp/slapd-ctl.sh" start || die "slapd did not start"

# ---- Lookups routed there, in this mount namespace only --------------------
# nslcd reads only /etc/nslcd.conf and listens only on /run/nslcd/socket.
# Timeouts: give up on an unreachable server within about a second instead
# of nslcd's 10-20 s defaults.
cat >"$tmp/etc/nslcd.conf" <<EOF
uri $uri
base $base
bind_timelimit 1
timelimit 1
reconnect_sleeptime 1
reconnect_retrytime 1
# One connection to the server: after slapd-ctl.sh restarts it, a lookup
# that works proves the next ones will (each thread reconnects on its own).
threads 1
EOF
cat >"$tmp/etc/nsswitch.conf" <<EOF
passwd: files ldap
group:  files ldap
shadow: files
EOF
cp /etc/passwd /etc/group "$tmp/etc/"
echo "dirlocal:x:71500:71500:directory test:/nonexistent:/usr/sbin/nologin" >>"$tmp/etc/passwd"
echo "dirlocal:x:71500:" >>"$tmp/etc/group"
for f in nsswitch.conf nslcd.conf passwd group; do
	mount --bind "$tmp/etc/$f" "/etc/$f" || die "cannot bind $f"
done
mount --bind "$tmp/run" /run || die "cannot bind /run"
mkdir -p /run/nslcd
nslcd -n >"$tmp/nslcd.log" 2>&1 &
nslcd_pid=$!
for _ in $(seq 200); do
	getent passwd dirthree >/dev/null && break
	kill -0 $nslcd_pid 2>/dev/null || die "nslcd did not start"
	sleep 0.05
done
getent passwd dirthree >/dev/null || die "dirthree is not visible through NSS"
t1=$(now)
echo "# timing: directory setup (data, slapadd, slapd, nslcd) $(ms "$t0" "$t1") ms"

# ---- Files whose access depends on directory groups -------------------------
files=$tmp/files
mkdir -p "$files"
put() { echo "$1" >"$files/$1" && chown "$2" "$files/$1" && chmod "$3" "$files/$1"; }
put g0001.txt 0:72001 0640  # dirthree, dirmany
put g1198.txt 0:73198 0640  # dirmany only
put crowd.txt 0:79000 0640  # dirthree, dirmany
put secret.txt 0:79001 0604 # everyone but dirsecret's members (dirlocal)
chmod 0755 "$files"

# ---- PAM services ------------------------------------------------------------
mkdir -p "$tmp/pam.d"
cat >"$tmp/pam.d/directory" <<EOF
auth     required $matrix
account  required $module
session  required $module
EOF
printf 'dirthree:three-secret:directory\ndirmany:many-secret:directory\n' >"$tmp/passdb"
export PAM_MATRIX_PASSWD=$tmp/passdb

# ---- The library and pam_impersonate.so, with the directory up, then down ---
export IMP_DIR_FILES=$files IMP_DIR_PAM=$tmp/pam.d IMP_DIR_NSSWITCH=$tmp/etc/nsswitch.conf
export IMP_NSS_TEST_GROUPS=$tmp/imptest.groups
export IMP_DIR_HANG_SLAPD="$tmp/slapd-ctl.sh hang"
export IMP_DIR_STOP_SLAPD="$tmp/slapd-ctl.sh stop"
export IMP_DIR_LIMIT_SLAPD="$tmp/slapd-ctl.sh stop && $tmp/slapd-ctl.sh start 500"
export IMP_DIR_STOP_NSLCD="kill $nslcd_pid; while [ -e /run/nslcd/socket ]; do sleep 0.02; done"
failed=0

# impersonate-check and the daemon first: they need the directory up.
n=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
id_groups() { id -G "$1" | tr ' ' '\n' | sort -n | tr '\n' ' '; }

for u in dirthree dirmany; do
	t=$(now)
	id -G $u >/dev/null
	echo "# timing: id -G $u (a process, getpwnam + getgrouplist) $(ms "$t" "$(now)") ms"
done

# impersonate-check: the token's groups (JSON) are id's; files by group.
for u in dirthree dirmany; do
	want=$(id_groups $u)
	t=$(now)
	"$check" -c "$tmp/pam.d" -n -j directory $u --open "$files/g0001.txt" --open "$files/g1198.txt" \
		>"$tmp/check-$u.json" 2>"$tmp/check-$u.log"
	st=$?
	echo "# timing: impersonate-check $u $(ms "$t" "$(now)") ms (exit $st)"
	# The token's groups and the kernel's while impersonating.
	got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
tok = sorted(set(g["gid"] for g in r["token"]["groups"]))
kernel = sorted(set(r["impersonation"]["during"]["groups"]))
print(" ".join(map(str, tok)) + " " if tok == kernel else "kernel differs: %s" % kernel)' \
		"$tmp/check-$u.json" 2>&1)
	[ "$got" = "$want" ]; ok $? "impersonate-check $u has the groups id shows ($(echo $want | wc -w))"
	case $u:$st in dirthree:1 | dirmany:0) true ;; *) false ;; esac
	ok $? "impersonate-check $u: files opened or refused by directory groups (exit $st)"
done

# The daemon: authenticated clients are served with their directory groups.
sock=$tmp/fsd.socket
"$fsd" --socket "$sock" --root "$files" --service directory --pam-confdir "$tmp/pam.d" \
	--threads 2 --timeout 120 >"$tmp/fsd.log" 2>&1 &
fsd_pid=$!
for _ in $(seq 200); do [ -S "$sock" ] && break; kill -0 $fsd_pid 2>/dev/null || break; sleep 0.05; done
[ -S "$sock" ] || die "impersonate-fsd did not start"
fs_as() { local u=$1 pw=$2; shift 2; "$fs" -q -s "$sock" -u "$u" -p 3 "$@" 3<<<"$pw"; }
for u in dirthree:three-secret dirmany:many-secret; do
	name=${u%%:*} pw=${u#*:}
	want=$(id_groups "$name")
	t=$(now)
	who=$(fs_as "$name" "$pw" whoami 2>&1)
	echo "# timing: impersonate-fsd login and whoami as $name $(ms "$t" "$(now)") ms"
	got=$(printf '%s\n' "$who" | sed -n 's/.* groups \([0-9,]*\) .*/\1/p' | tr ',' '\n' | sort -n -u | tr '\n' ' ')
	[ "$got" = "$want" ]; ok $? "impersonate-fsd serves $name with the groups id shows"
	[ "$got" = "$want" ] || printf '# whoami said: %s\n' "$(printf '%s' "$who" | head -c 300)"
done
fs_as dirthree three-secret read g0001.txt >/dev/null 2>&1; ok $? "impersonate-fsd: dirthree reads a file of its directory group"
! fs_as dirthree three-secret read g1198.txt >/dev/null 2>&1; ok $? "impersonate-fsd: dirthree is refused a file of a group it is not in"
fs_as dirmany many-secret read g1198.txt >/dev/null 2>&1; ok $? "impersonate-fsd: dirmany reads a file of its 1,198th group"

# A client that logs in now and sends its requests after the outage below:
# its session's token keeps working with the directory gone.
mkfifo "$tmp/batch.in"
"$fs" -s "$sock" -u dirthree -p 3 batch "$tmp/batch.in" 3<<<three-secret >"$tmp/batch.out" 2>"$tmp/batch.log" &
batch_pid=$!
exec 7>"$tmp/batch.in"
for _ in $(seq 200); do grep -q "authenticated as dirthree" "$tmp/batch.log" && break; sleep 0.05; done
grep -q "authenticated as dirthree" "$tmp/batch.log"; ok $? "impersonate-fsd: a client logged in before the outage"
echo "# $n shell checks; the library's follow (they stop the directory)"

"$test_directory" || failed=1

# The directory is down now (slapd and nslcd stopped).
printf 'read g0001.txt\nread g1198.txt\nwhoami\n' >&7
exec 7>&-
wait $batch_pid; st=$?
sed 's/^/# batch: /' "$tmp/batch.out"
[ $st = 0 ] && grep -q "^read	g0001.txt	ok" "$tmp/batch.out" && grep -q "^read	g1198.txt	EACCES" "$tmp/batch.out" &&
	grep -q "groups 71000,72001,79000 " "$tmp/batch.out"
ok $? "impersonate-fsd: the session made before the outage still reads by its groups, and only by them"

t=$(now)
out=$("$fs" -q -s "$sock" -u dirthree -p 3 whoami 3<<<three-secret 2>&1); st=$?
echo "# timing: impersonate-fsd login, directory down: exit $st after $(ms "$t" "$(now)") ms: $out"
[ $st = 3 ] && grep -q "cannot retrieve authentication info" <<<"$out"
ok $? "impersonate-fsd: a new login with the directory down is refused with a clear error"
t=$(now)
out=$("$check" -c "$tmp/pam.d" -n directory dirthree 2>&1); st=$?
echo "# timing: impersonate-check, directory down: exit $st after $(ms "$t" "$(now)") ms"
[ $st = 3 ] && grep -q "cannot retrieve authentication info" <<<"$out"
ok $? "impersonate-check with the directory down: PAM refused, no token"
[ $st = 3 ] || printf '%s\n' "$out" | sed 's/^/# /'
kill $fsd_pid
wait $fsd_pid 2>/dev/null
t2=$(now)
echo "# timing: whole test $(ms "$t0" "$t2") ms"
exit $failed

#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# in-root.sh: run inside a fresh Debian 12 root where the project's packages
# were just installed (scripts/test-packages, through mmdebstrap).  As an
# administrator would on the first day:
#   1. a user made there (useradd, chpasswd), in the group impersonate-users;
#   2. impersonate-check against the packaged /etc/pam.d/impersonate-fsd;
#   3. impersonate-fsd started with the packaged unit's ExecStart=, User=,
#      Group=, SupplementaryGroups= and capabilities (no systemd runs here:
#      setpriv applies them as systemd would);
#   4. impersonate-fs served as that user, refused someone else's file.
# Prints one ok/not ok line per check; exit 1 on any failure.
set -u
unit=/lib/systemd/system/impersonate-fsd.service
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -z "${2:-}" ] || sed 's/^/# /' "$2"; }
check() { # NAME COMMAND...: ok when the command succeeds
	name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then ok "$name"; else not_ok "$name" /tmp/check.out; fi
}
# The value of KEY= in the unit (the last one wins, as in systemd).
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }

echo "# $(. /etc/os-release && echo "$PRETTY_NAME"), $(dpkg-query -W -f '${Version}' impersonate-fsd)"
check "the packages made the service user" getent passwd impersonate-fsd
check "the packages made the group impersonate-users" getent group impersonate-users
check "/etc/pam.d/impersonate-fsd is a conffile" \
	sh -c 'dpkg-query -W -f "\${Conffiles}" impersonate-fsd | grep -q "/etc/pam.d/impersonate-fsd "'
# libpam's module directory is the one pam_unix.so is in.
check "pam_impersonate.so is where libpam looks" \
	sh -c 'test -f "$(dirname "$(dpkg -L libpam-modules | grep "/pam_unix.so$" | head -n 1)")/pam_impersonate.so"'

# 1. A user and the served tree.
useradd --create-home --shell /bin/sh alice
useradd --create-home --shell /bin/sh bob
echo 'alice:alice-Secret-1' | chpasswd
echo 'bob:bob-Secret-1' | chpasswd
adduser --quiet alice impersonate-users
mkdir -p /srv/files
echo "alice's text" >/srv/files/alice.txt
echo "bob's text" >/srv/files/bob.txt
chown alice:alice /srv/files/alice.txt
chown bob:bob /srv/files/bob.txt
chmod 600 /srv/files/alice.txt /srv/files/bob.txt

# 2. impersonate-check through the packaged service (pam_unix, the real
# /etc/shadow), as root.
echo 'alice-Secret-1' | impersonate-check impersonate-fsd alice --open /srv/files/alice.txt >/tmp/c1 2>&1
[ $? -eq 0 ] && grep -q 'uid  *[0-9]' /tmp/c1 && ok "impersonate-check: alice authenticated, opened her file" ||
	not_ok "impersonate-check: alice authenticated, opened her file" /tmp/c1
echo 'alice-Secret-1' | impersonate-check impersonate-fsd alice --open /srv/files/bob.txt >/tmp/c2 2>&1
[ $? -eq 1 ] && ok "impersonate-check: alice refused bob's file (status 1)" ||
	not_ok "impersonate-check: alice refused bob's file (status 1)" /tmp/c2
echo 'wrong' | impersonate-check impersonate-fsd alice >/tmp/c3 2>&1
[ $? -eq 3 ] && ok "impersonate-check: a wrong password is refused (status 3)" ||
	not_ok "impersonate-check: a wrong password is refused (status 3)" /tmp/c3
echo 'bob-Secret-1' | impersonate-check impersonate-fsd bob >/tmp/c4 2>&1
[ $? -eq 3 ] && ok "impersonate-check: bob is not in impersonate-users (status 3)" ||
	not_ok "impersonate-check: bob is not in impersonate-users (status 3)" /tmp/c4
echo 'x' | impersonate-check impersonate-fsd root >/tmp/c5 2>&1
[ $? -ne 0 ] && ok "impersonate-check: root is refused" || not_ok "impersonate-check: root is refused" /tmp/c5

# 3. The daemon as the unit starts it.
exec_start=$(unit_value ExecStart)
user=$(unit_value User)
group=$(unit_value Group)
supp=$(unit_value SupplementaryGroups | tr ' ' ',')
caps=$(unit_value AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g; s/^/+/')
runtime=$(unit_value RuntimeDirectory)
socket=/run/$runtime/socket
echo "# ExecStart=$exec_start User=$user Group=$group SupplementaryGroups=$supp caps=$caps"
# RuntimeDirectory=, RuntimeDirectoryMode=0755.
install -d -m 0755 -o "$user" -g "$group" "/run/$runtime"
if [ -n "$supp" ]; then groups="--groups=$supp"; else groups=--clear-groups; fi
# shellcheck disable=SC2086 # ExecStart= is a command line
setpriv --reuid="$user" --regid="$group" "$groups" \
	--inh-caps="$caps" --ambient-caps="$caps" --bounding-set="-all,$caps" \
	--securebits=+noroot,+noroot_locked --no-new-privs \
	$exec_start >/tmp/fsd.log 2>&1 &
fsd=$!
i=0
while [ ! -S "$socket" ] && [ $i -lt 100 ] && kill -0 $fsd 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if [ -S "$socket" ]; then ok "impersonate-fsd listens on $socket as $user"; else not_ok "impersonate-fsd listens on $socket" /tmp/fsd.log; fi
check "the daemon runs as $user, not root" sh -c "grep -q '^Uid:.*$(id -u "$user")' /proc/$fsd/status"

# 4. A client served as alice, refused bob's file, refused a wrong password.
echo 'alice-Secret-1' >/tmp/pw
su -s /bin/sh alice -c "impersonate-fs -s $socket -u alice -p 3 read alice.txt 3</tmp/pw" >/tmp/r1 2>&1
grep -q "alice's text" /tmp/r1 && ok "impersonate-fs: alice reads her file through the daemon" ||
	not_ok "impersonate-fs: alice reads her file through the daemon" /tmp/r1
impersonate-fs -s "$socket" -u alice -p 3 read bob.txt 3</tmp/pw >/tmp/r2 2>&1
[ $? -ne 0 ] && grep -q "authenticated as alice" /tmp/r2 && grep -q "EACCES" /tmp/r2 &&
	ok "impersonate-fs: alice is refused bob's file (EACCES)" ||
	not_ok "impersonate-fs: alice is refused bob's file (EACCES)" /tmp/r2
impersonate-fs -s "$socket" -u alice -p 3 whoami 3</tmp/pw >/tmp/r3 2>&1
grep -q "$(id -u alice)" /tmp/r3 && ok "impersonate-fs: whoami is alice's uid" ||
	not_ok "impersonate-fs: whoami is alice's uid" /tmp/r3
echo wrong >/tmp/pw
impersonate-fs -s "$socket" -u alice -p 3 read alice.txt 3</tmp/pw >/tmp/r4 2>&1
[ $? -ne 0 ] && grep -q "authentication failed at" /tmp/r4 && ok "impersonate-fs: a wrong password is refused" ||
	not_ok "impersonate-fs: a wrong password is refused" /tmp/r4

kill -TERM $fsd 2>/dev/null
wait $fsd
rc=$?
[ $rc -eq 0 ] && ok "impersonate-fsd stops cleanly on SIGTERM" || not_ok "impersonate-fsd stops cleanly on SIGTERM (status $rc)" /tmp/fsd.log
sed 's/^/# fsd: /' /tmp/fsd.log

# The shadow question, the control: without SupplementaryGroups=shadow the
# same daemon cannot check any password with pam_unix (impersonate-fsd(8)).
# shellcheck disable=SC2086
setpriv --reuid="$user" --regid="$group" --clear-groups \
	--inh-caps="$caps" --ambient-caps="$caps" --bounding-set="-all,$caps" \
	--securebits=+noroot,+noroot_locked --no-new-privs \
	$exec_start >/tmp/fsd2.log 2>&1 &
fsd=$!
i=0
while [ ! -S "$socket" ] && [ $i -lt 100 ] && kill -0 $fsd 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
echo 'alice-Secret-1' >/tmp/pw
impersonate-fs -s "$socket" -u alice -p 3 read alice.txt 3</tmp/pw >/tmp/r5 2>&1
[ $? -ne 0 ] && grep -q "authentication failed at authenticate" /tmp/r5 &&
	ok "without the group shadow, pam_unix refuses alice's right password" ||
	not_ok "without the group shadow, pam_unix refuses alice's right password" /tmp/r5
kill -TERM $fsd 2>/dev/null
wait $fsd
echo "1..$n"
[ $failed -eq 0 ]

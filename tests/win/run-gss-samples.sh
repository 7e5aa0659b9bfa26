#!/bin/bash
# Interop with MIT's own programs (Debian's krb5-gss-samples), run beside the
# KDC of with-kdc.sh, for Kerberos (krb5 mechanism) and Negotiate (-spnego):
#   our InitializeSecurityContext (gss-sample-peer client) -> MIT gss-server
#   MIT gss-client -> our AcceptSecurityContext (gss-sample-peer server),
#     which impersonates alice with kernel-visible effect.
# Each side seals, unwraps, signs and verifies the other's message.  SPEC A2.
set -euo pipefail
peer=$1
for p in gss-server gss-client; do
	command -v "$p" >/dev/null || { echo "no $p (krb5-gss-samples)"; exit 77; }
done
dir=$(mktemp -d /tmp/impersonate-gss.XXXXXX)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	[ -z "$pid" ] || wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir"
echo "alice's" > "$dir/alice.txt"; chown 60001:60001 "$dir/alice.txt"; chmod 600 "$dir/alice.txt"
echo "root's" > "$dir/root.txt"; chmod 600 "$dir/root.txt"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # file pattern
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
expect() { grep -qF -- "$2" "$1" || { echo "missing in $1: $2"; cat "$1"; exit 1; }; }

for package in Kerberos Negotiate; do
	flag=; [ $package = Negotiate ] && flag=-spnego

	# Our client, MIT's server.
	port=$(free_port)
	env -u LD_PRELOAD gss-server -port "$port" -once host@localhost > "$dir/mit-server.out" 2>&1 &
	pid=$!
	sleep 0.3 # gss-server prints nothing when ready: the client retries below
	ok=
	for _ in $(seq 1 50); do
		if "$peer" client localhost "$port" host/localhost $package "hello from SSPI" > "$dir/our-client.out" 2>&1; then
			ok=1; break
		fi
		grep -q "connect" "$dir/our-client.out" || break
		sleep 0.1
	done
	[ -n "$ok" ] || { cat "$dir/our-client.out" "$dir/mit-server.out"; exit 1; }
	wait "$pid" || true
	pid=
	echo "--- $package: our client -> MIT gss-server"
	cat "$dir/our-client.out" "$dir/mit-server.out"
	expect "$dir/our-client.out" "client: the server's signature over the message verified"
	expect "$dir/mit-server.out" 'Accepted connection: "alice@IMPTEST.LOCAL"'

	# MIT's client, our server.
	port=$(free_port)
	"$peer" server "$port" $package "$dir/alice.txt" "$dir/root.txt" > "$dir/our-server.out" 2>&1 &
	pid=$!
	wait_for "$dir/our-server.out" "^listening" || { cat "$dir/our-server.out"; exit 1; }
	env -u LD_PRELOAD gss-client -port "$port" $flag localhost host@localhost "hello from MIT" \
		> "$dir/mit-client.out" 2>&1 || { cat "$dir/mit-client.out" "$dir/our-server.out"; exit 1; }
	wait "$pid" || { cat "$dir/our-server.out"; exit 1; }
	pid=
	echo "--- $package: MIT gss-client -> our server"
	cat "$dir/mit-client.out" "$dir/our-server.out"
	expect "$dir/mit-client.out" "Signature verified"
	expect "$dir/our-server.out" "server: accepted alice"
	grep -qE "^server: impersonating: Uid:.*	60001$" "$dir/our-server.out" || { echo "fsuid not alice's"; exit 1; }
	expect "$dir/our-server.out" "server: impersonating: open $dir/alice.txt: ok"
	expect "$dir/our-server.out" "server: impersonating: open $dir/root.txt: Permission denied"
	expect "$dir/our-server.out" 'server: received "hello from MIT"'
done
echo "ok: MIT's gss-client and gss-server interoperate with our SSPI both ways, Kerberos and Negotiate"

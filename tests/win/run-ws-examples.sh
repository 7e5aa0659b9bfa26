#!/bin/bash
# The Windows Sockets sample pair (examples/sspi-ws-{server,client}.c) against
# each other through Negotiate beside the KDC of with-kdc.sh: the ANSI server
# with the UNICODE client, then the UNICODE server with the ANSI client.
# The client is alice (with-kdc.sh's ticket cache); the server must
# authenticate her, impersonate her with kernel-visible effect (fsuid 60001,
# her file opens, root's does not), revert, and send a signed, sealed message
# the client opens.  SPEC A2, S1, S3.
set -euo pipefail
server_a=$1 server_w=$2 client_a=$3 client_w=$4
dir=$(mktemp -d /tmp/impersonate-ws.XXXXXX)
server_pid=
cleanup() {
	[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
	[ -z "$server_pid" ] || wait "$server_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir"
echo "alice's notes" > "$dir/alice.txt"; chown 60001:60001 "$dir/alice.txt"; chmod 600 "$dir/alice.txt"
echo "root's notes" > "$dir/root.txt"; chmod 600 "$dir/root.txt"

run_pair() { # server client
	local port out
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$1" "$port" Negotiate "$dir/alice.txt" "$dir/root.txt" > "$dir/server.out" 2>&1 &
	server_pid=$!
	for _ in $(seq 1 200); do
		grep -q "^listening" "$dir/server.out" && break
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.05
	done
	out=$("$2" localhost "$port" host/localhost Negotiate 2>&1) || { echo "$out"; cat "$dir/server.out"; exit 1; }
	wait "$server_pid" || { echo "server failed:"; cat "$dir/server.out"; exit 1; }
	server_pid=
	echo "--- $(basename "$1") <- $(basename "$2")"
	cat "$dir/server.out"
	echo "$out"
	expect() { grep -qF -- "$2" <<<"$1" || { echo "missing: $2"; exit 1; }; }
	local srv
	srv=$(cat "$dir/server.out")
	expect "$srv" "Server: authentication succeeded"
	expect "$srv" "Client user: alice"
	grep -qE "^impersonating: Uid:.*	60001$" <<<"$srv" || { echo "fsuid is not alice's"; exit 1; }
	expect "$srv" "impersonating: open $dir/alice.txt: ok"
	expect "$srv" "impersonating: open $dir/root.txt: Permission denied"
	expect "$srv" "Server: reverted to itself"
	expect "$srv" "Server ran to completion without error."
	expect "$out" "Client: authentication succeeded"
	expect "$out" "Verify Signature succeeded."
	expect "$out" "The message from the server is: This is your server speaking"
	expect "$out" "Client ran to completion without error."
}
run_pair "$server_a" "$client_w"
run_pair "$server_w" "$client_a"
echo "ok: the A and W samples authenticated each other through Negotiate, impersonated and reverted"

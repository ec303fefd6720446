#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Integration check of the l2tpctl policy commands: exit statuses and output
# on the example files. Usage: cli_test.sh L2TPCTL EXAMPLES_DIR
set -u
L2TPCTL=$1
EX=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

expect() {	# expect NAME STATUS PATTERN -- command...
	name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$TMP/out" 2>&1
	got=$?
	if [ "$got" != "$want" ] || ! grep -q -- "$pattern" "$TMP/out"; then
		echo "FAIL $name: status $got (want $want), output:"; cat "$TMP/out"
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

expect check-ok 0 "office.conf: OK: 6 users, 3 groups, 2 pools, 4 policies" -- \
	"$L2TPCTL" policy check "$EX/office.conf"
printf 'users {\n  alice {\n    dial_in = sometimes\n  }\n}\n' >"$TMP/bad.conf"
expect check-bad 1 "bad.conf:3:15: expected allow, deny or policy for 'dial_in', got 'sometimes'" -- \
	"$L2TPCTL" policy check "$TMP/bad.conf"
expect test-grant 0 "decision: GRANT by policy '2-contractors'" -- \
	"$L2TPCTL" policy test "$EX/office.conf" user=carol group=contractors \
	peer=203.0.113.5 time=2026-11-25T10:00
expect test-catch-all-deny 3 "only the time window failed" -- \
	"$L2TPCTL" policy test "$EX/office.conf" user=carol peer=203.0.113.5 \
	time=2026-11-28T10:00
expect test-outside-hours 3 "decision: DENY outside-hours.*E=646" -- \
	"$L2TPCTL" policy test "$EX/certificates.conf" user=nina server=198.51.100.1 \
	ike_identity=nb-1.laptops.example.com \
	"cert_subject=CN=nb-1.laptops.example.com, O=Example" \
	"cert_issuer=CN=Example Root CA, O=Example" time=2026-11-28T12:00
expect test-night-shift 0 "decision: GRANT by policy 'night-shift'" -- \
	"$L2TPCTL" policy test "$EX/certificates.conf" user=nina server=198.51.100.1 \
	ike_identity=nb-1.laptops.example.com \
	"cert_subject=CN=nb-1.laptops.example.com, O=Example" \
	"cert_issuer=CN=Example Root CA, O=Example" time=2026-11-27T23:00
expect test-time-option 3 "decision: DENY outside-hours.*E=646" -- \
	"$L2TPCTL" policy test --time 2026-11-28T12:00 "$EX/certificates.conf" user=nina \
	server=198.51.100.1 ike_identity=nb-1.laptops.example.com \
	"cert_subject=CN=nb-1.laptops.example.com, O=Example" \
	"cert_issuer=CN=Example Root CA, O=Example"
expect test-time-option-after-file 0 "decision: GRANT by policy 'night-shift'" -- \
	"$L2TPCTL" policy test "$EX/certificates.conf" --time 2026-11-27T23:00 user=nina \
	server=198.51.100.1 ike_identity=nb-1.laptops.example.com \
	"cert_subject=CN=nb-1.laptops.example.com, O=Example" \
	"cert_issuer=CN=Example Root CA, O=Example"
expect test-time-twice 2 "time given twice" -- \
	"$L2TPCTL" policy test --time 2026-11-27T23:00 "$EX/minimal.conf" time=2026-11-27T23:00
printf 'server { auth_methods = mschapv2 }\npolicies {\n  a {\n    permission = grant\n    profile { auth = pap }\n  }\n}\n' >"$TMP/warn.conf"
expect check-warning 0 "warning: $TMP/warn.conf:5: policy 'a': the profile allows only pap, all disabled on the server" -- \
	"$L2TPCTL" policy check "$TMP/warn.conf"
expect check-warning-count 0 "warn.conf: OK: 0 users, 0 groups, 0 pools, 1 policies, 1 warning$" -- \
	"$L2TPCTL" policy check "$TMP/warn.conf"
printf 'include loop2.conf\n' >"$TMP/loop1.conf"
printf 'include loop1.conf\n' >"$TMP/loop2.conf"
expect check-include-loop 1 "include loop: '$TMP/loop1.conf' is already being read" -- \
	"$L2TPCTL" policy check "$TMP/loop1.conf"
expect test-dial-in-deny 3 "decision: DENY user-dial-in-deny" -- \
	"$L2TPCTL" policy test "$EX/office.conf" user=frank time=2026-11-25T10:00
expect test-json 0 '"granted":true' -- \
	"$L2TPCTL" policy test --time 2026-12-06T03:00Z --json "$EX/minimal.conf" user=alice
"$L2TPCTL" policy test --json "$EX/office.conf" user=bob time=2026-11-25T10:00 >"$TMP/j" 2>&1
if command -v python3 >/dev/null && ! python3 -m json.tool "$TMP/j" >/dev/null; then
	echo "FAIL test-json-valid"; cat "$TMP/j"; fails=$((fails + 1))
else
	echo "ok   test-json-valid"
fi
expect test-bad-key 2 "unknown key 'colour'" -- \
	"$L2TPCTL" policy test "$EX/minimal.conf" colour=red
# server.pool and --leased (docs/addresses.md, "Server-wide address assignment")
cat >"$TMP/srv.conf" <<'EOF'
server {
    pool = office, spare
}
pools {
    office { ipv4 = 192.0.2.10-192.0.2.13 }
    spare { ipv4 = 198.51.100.0/30 }
    lan { dhcp_interface = eth1 }
}
users {
    alice {
        dial_in = allow
    }
}
policies {
    default { permission = grant }
}
EOF
expect test-server-pool 0 "profile names no pool: 192.0.2.10 from server pool 'office' (0 of 4 leased)" -- \
	"$L2TPCTL" policy test "$TMP/srv.conf" user=alice time=2026-11-25T10:00
expect test-server-pool-source 0 "ipv4 source:     server pool office" -- \
	"$L2TPCTL" policy test "$TMP/srv.conf" user=alice time=2026-11-25T10:00
expect test-leased-next 0 "192.0.2.13 from server pool 'office' (3 of 4 leased)" -- \
	"$L2TPCTL" policy test --leased office=3 "$TMP/srv.conf" user=alice time=2026-11-25T10:00
expect test-leased-after-file 0 "198.51.100.0 from server pool 'spare' (0 of 4 leased)" -- \
	"$L2TPCTL" policy test "$TMP/srv.conf" --leased office=4 user=alice time=2026-11-25T10:00
expect test-leased-all 3 "every server pool is exhausted" -- \
	"$L2TPCTL" policy test --leased office=4 --leased spare=4 "$TMP/srv.conf" user=alice \
	time=2026-11-25T10:00
expect test-leased-too-many 2 "pool 'office' has 4 IPv4 addresses free, not 5" -- \
	"$L2TPCTL" policy test --leased office=5 "$TMP/srv.conf" user=alice
expect test-leased-unknown 2 "no pool 'nowhere' in the file" -- \
	"$L2TPCTL" policy test --leased nowhere=1 "$TMP/srv.conf" user=alice
expect test-leased-dhcp 2 "pool 'lan' is a DHCP pool" -- \
	"$L2TPCTL" policy test --leased lan=1 "$TMP/srv.conf" user=alice
expect test-leased-malformed 2 "expected POOL=N or daemon after --leased, got 'office'" -- \
	"$L2TPCTL" policy test "$TMP/srv.conf" --leased office user=alice
expect test-leased-no-daemon 1 "no lease counts from l2tpd" -- \
	env L2TPCTL_SOCKET="$TMP/none.sock" "$L2TPCTL" policy test --leased daemon "$TMP/srv.conf" \
	user=alice
expect hash-stdin 0 "nt_hash = 8846f7eaee8fb117ad06bdd830b7586c" -- \
	sh -c "printf 'password\n' | '$L2TPCTL' policy hash --iterations 1000"
expect hash-empty 1 "empty password" -- \
	sh -c "printf '\n' | '$L2TPCTL' policy hash"
expect unknown-command 2 "l2tpctl: unknown command 'frobnicate' (try 'l2tpctl help')" -- \
	"$L2TPCTL" frobnicate
expect unknown-subcommand 2 "l2tpctl policy: unknown subcommand 'frob'" -- \
	"$L2TPCTL" policy frob
expect help 0 "policy" -- "$L2TPCTL" help

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"

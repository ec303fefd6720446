# SPDX-License-Identifier: GPL-2.0-or-later
"""Server-wide address assignment (issue 15 item 1; docs/addresses.md,
"Server-wide address assignment"): l2tpd with our LAC + PPP client in
network namespaces, on the userspace data plane (the choice of address is
the daemon's and the policy's, the same on both planes).

A login granted by the catch-all policy, or by a user's dial_in = allow
over a deny policy, names no pool: it gets its address from server.pool,
the next pool when the first is full, and is refused with pool-exhausted
when all are; `l2tpctl policy test --leased daemon` sees the daemon's
counts; a reload that changes server.pool applies to new sessions while
the sessions up keep their addresses."""
import json
import os
import re
import subprocess

import pytest

from lib.netns import wait_for
from lib.l2tpd import L2tpd, PASSWORDS, build_dir
from lib.client import run_client, by_event, client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"

# The example users' hashes (docs/examples/l2tpd/policy.conf). Alice and
# Erin are granted by the catch-all policy; Bob's own dial_in = allow
# overrides the deny policy written for him. No profile names a pool.
POLICY = """\
server {
    pool = %(pools)s
}
pools {
    first { ipv4 = 198.51.100.10 }
    second { ipv4 = 198.51.100.20 }
    third { ipv4 = 198.51.100.40-198.51.100.49 }
}
users {
    alice {
        nt_hash = 9796a0639fdf788beb0e767b1f6f226a
        dial_in = policy
    }
    bob {
        nt_hash = eb302372ac4ecc593ba32559cc09ce1b
        dial_in = allow
    }
    erin {
        nt_hash = 15c5ffc601cf71efef58296f81a4593d
        dial_in = policy
    }
}
policies {
    no-bob {
        conditions {
            user = bob
        }
        permission = deny
    }
    default {
        permission = grant
        profile {
            dns = 192.0.2.53
        }
    }
}
"""


@pytest.fixture
def net(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


def start(stack, srv, pools):
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace",
              policy_text=POLICY % {"pools": pools})
    d.start()
    return d


def held_client(stack, cli, name, user):
    return stack.spawn(name, [client_path(), "--server", SERVER, "--user", user,
                              "--password", PASSWORDS[user], "--hold-forever", "--json"], ns=cli)


def client_events(proc, event):
    return [r for r in (json.loads(l) for l in proc.log().splitlines() if l.startswith("{"))
            if r.get("event") == event]


def addresses(d):
    ok, text = d.ctl("json sessions")
    assert ok, text
    return {s["user"]: s["address"] for s in json.loads(text)}


def pool_counts(d):
    """The daemon's `pools` control request: {name: (in_use, size)}."""
    ok, text = d.ctl("pools")
    assert ok, text
    out = {}
    for line in text.splitlines():
        in_use, size, _reserved, name = line.split(" ", 3)
        out[name] = (int(in_use), int(size))
    return out


def policy_test(d, *args):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "--socket", d.sock, "policy", "test"] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20)
    return res.returncode, res.stdout + res.stderr


@pytest.mark.netns
def test_default_policy_and_user_allow_get_server_pool_addresses_in_order(stack, net):
    srv, cli = net
    d = start(stack, srv, "first, second")

    # Alice, granted by the catch-all policy, whose profile names no pool:
    # the first server pool. Traffic crosses.
    alice = held_client(stack, cli, "client-alice", "alice")
    wait_for("alice up", lambda: client_events(alice, "up"), timeout=60)
    up = client_events(alice, "up")[0]
    assert up["addr"] == "198.51.100.10" and up["peer_addr"] == LOCAL, up
    assert up["dns"] == ["192.0.2.53"], up
    assert re.search(r"session \d+/\d+ up: user 'alice' .*address 198\.51\.100\.10 .*"
                     r"policy 'default'", d.log()), d.log()
    # Erin, while Alice holds the first pool's one address: the second's.
    rc, recs, out = run_client(cli, SERVER, "erin", PASSWORDS["erin"], "--ping", LOCAL)
    assert rc == 0, out
    erin = by_event(recs, "up")[0]
    assert erin["addr"] == "198.51.100.20", out
    assert erin["ping_recv"] == 3, erin
    wait_for("erin gone", lambda: "erin" not in addresses(d))
    assert pool_counts(d) == {"first": (1, 1), "second": (0, 1), "third": (0, 10)}

    # The daemon's counts, seen by a dry run of the same file: the first
    # pool is full, the next login would get the second's address.
    assert pool_counts(d)["first"] == (1, 1)
    rc, text = policy_test(d, "--leased", "daemon", d.policy, "user=erin")
    assert rc == 0, text
    assert "profile names no pool: server pool 'first' is exhausted (1 of 1 leased): " \
           "the next one is tried" in text, text
    assert "profile names no pool: 198.51.100.20 from server pool 'second' (0 of 1 leased)" \
           in text, text
    assert "ipv4 source:     server pool second" in text, text

    # Bob: his own dial_in = allow overrides the deny policy written for
    # him; its profile names no pool either: the second server pool.
    bob = held_client(stack, cli, "client-bob", "bob")
    wait_for("bob up", lambda: client_events(bob, "up"), timeout=60)
    assert client_events(bob, "up")[0]["addr"] == "198.51.100.20"
    assert re.search(r"session \d+/\d+ up: user 'bob' .*policy 'no-bob'", d.log()), d.log()

    # Both server pools full: refused as a temporary lack of addresses.
    rc, recs, out = run_client(cli, SERVER, "erin", PASSWORDS["erin"])
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth_code"] == 649, out
    assert re.search(r"user 'erin' .*pool-exhausted \(E=649\)", d.log()), d.log()
    rc, text = policy_test(d, "--leased", "daemon", d.policy, "user=erin")
    assert rc == 3 and "every server pool is exhausted" in text, text

    # Alice leaves: her address is the next login's.
    alice.stop()
    wait_for("alice gone", lambda: "alice" not in addresses(d))
    rc, recs, out = run_client(cli, SERVER, "erin", PASSWORDS["erin"])
    assert rc == 0 and by_event(recs, "up")[0]["addr"] == "198.51.100.10", out


@pytest.mark.netns
def test_reload_changes_the_server_pool_for_new_sessions_only(stack, net):
    srv, cli = net
    d = start(stack, srv, "second")
    alice = held_client(stack, cli, "client-alice", "alice")
    wait_for("alice up", lambda: client_events(alice, "up"), timeout=60)
    assert client_events(alice, "up")[0]["addr"] == "198.51.100.20"

    with open(d.policy, "w") as f:
        f.write(POLICY % {"pools": "third"})
    ok, text = d.ctl("reload")
    assert ok, text

    # The session up keeps its address (its lease is carried, in 'second'
    # still); the next login gets the new server pool's.
    assert addresses(d) == {"alice": "198.51.100.20"}
    assert client_events(alice, "down") == []
    assert pool_counts(d)["second"] == (1, 1)
    bob = held_client(stack, cli, "client-bob", "bob")
    wait_for("bob up", lambda: client_events(bob, "up"), timeout=60)
    assert client_events(bob, "up")[0]["addr"] == "198.51.100.40"
    assert addresses(d) == {"alice": "198.51.100.20", "bob": "198.51.100.40"}

    # Alice's address goes back to its pool when she leaves.
    alice.stop()
    wait_for("alice's address back in 'second'", lambda: pool_counts(d)["second"] == (0, 1))
    assert pool_counts(d)["third"] == (1, 10)

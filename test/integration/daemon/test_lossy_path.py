# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpd and our test client across a bad path: a relay that loses 20 % of
the datagrams each way, duplicates 5 % and reorders 5 %
(test/tools/lossy-relay, seeded; this kernel has no netem).  Every session
must come up: the L2TP control channel retransmits (RFC 2661 5.8), LCP and
IPCP restart (RFC 1661 4.6), CHAP and MS-CHAPv2 answer a repeated Challenge
with the same Response and repeat it when the Success is lost (RFC 1994 4.1,
4.2).  Only the retransmission timers decide how long that takes: the bounds
here catch a hang, nothing else.

LOSSY_SESSIONS (default 40) and LOSSY_SEED (default 1) change the load; the
figure in docs/performance.md is LOSSY_SESSIONS=100.
"""
import json
import os
import signal
import subprocess
import textwrap

import pytest

from lib.netns import wait_for
from lib.l2tpd import build_dir
from lib.client import client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"
DNS = "192.0.2.53"
PASSWORD = "Lossy-Secret-1"
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RELAY = os.path.join(TOP, "test", "tools", "lossy-relay", "lossy_relay.py")
SESSIONS = int(os.environ.get("LOSSY_SESSIONS", "40"))
SEED = int(os.environ.get("LOSSY_SEED", "1"))
TUNNELS = max(1, SESSIONS // 10)


def policy(n, nt_hash):
    users = "".join("    user%d { nt_hash = %s\n dial_in = policy\n groups = lossy }\n"
                    % (i, nt_hash) for i in range(1, n + 1))
    return textwrap.dedent("""\
        server {
            auth_methods = mschapv2
            default_dial_in = deny
        }
        groups {
            lossy { }
        }
        pools {
            lossy { ipv4 = 198.18.0.0/16 }
        }
        policies {
            lossy {
                conditions {
                    group = lossy
                    tunnel_type = l2tp
                }
                permission = grant
                profile {
                    auth = mschapv2
                    pool = lossy
                    dns = %s
                    max_sessions = 1
                }
            }
        }
        users {
        """) % DNS + users + "}\n"


def nt_hash(password):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "policy", "hash"], input=password, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=20, check=True)
    return [l.split()[-1] for l in res.stdout.splitlines() if l.startswith("nt_hash")][0]


def start_l2tpd(stack, ns, n):
    d = os.path.join(stack.workdir, "l2tpd")
    os.makedirs(d, exist_ok=True)
    conf, pol = os.path.join(d, "l2tpd.conf"), os.path.join(d, "policy.conf")
    sock = os.path.join(stack.sockdir, "l2tpd.sock")
    with open(pol, "w") as f:
        f.write(policy(n, nt_hash(PASSWORD)))
    with open(conf, "w") as f:
        f.write(textwrap.dedent("""\
            l2tpd {
                listen = %s
                dataplane = userspace
                control_socket = %s
                log_level = debug
                require_ipsec = no
                local_address = %s
                limits {
                    tunnels = %d
                    sessions = %d
                    sessions_per_tunnel = %d
                    new_tunnel_rate = 100000
                    new_tunnel_burst = 100000
                    # every session logs in at once, on purpose: all ports
                    # may be logins in progress (the default is half)
                    preauth_sessions = %d
                    preauth_sessions_per_tunnel = %d
                }
                timers {
                    # The 30 s default is a guard against idle logins; on
                    # this path a login can take longer than that by bad
                    # luck alone (CI saw 31 s), and only the retransmission
                    # timers are under test here.
                    auth_timeout = 3600
                }
            }
            """) % (SERVER, sock, LOCAL, n + 16, n + 16, n + 16, n + 16, n + 16))
    exe = os.path.join(build_dir(), "l2tpd", "daemon", "l2tpd")
    proc = stack.spawn("l2tpd", [exe, "--config", conf, "--policy", pol], ns=ns)
    wait_for("l2tpd ready", lambda: "ready: control socket" in proc.log() or not proc.alive(),
             timeout=60)
    assert proc.alive(), proc.log()
    return proc


def start_relay(stack, ns, seed):
    proc = stack.spawn("relay", ["/usr/bin/python3", RELAY, "--listen", "127.0.0.1:1701",
                                 "--upstream", "%s:1701" % SERVER, "--bind", CLIENT,
                                 "--loss", "0.2", "--dup", "0.05", "--reorder", "0.05",
                                 "--seed", str(seed)], ns=ns)
    wait_for("relay listening", lambda: "listening" in proc.log() or not proc.alive(), timeout=30)
    assert proc.alive(), proc.log()
    return proc


@pytest.fixture
def lossy(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


@pytest.mark.netns
def test_every_session_comes_up_through_loss_duplication_and_reordering(stack, lossy, workdir):
    srv, cli = lossy
    daemon = start_l2tpd(stack, srv, SESSIONS)
    relay = start_relay(stack, cli, SEED)
    # The client's own deadline only bounds a hang; the retransmission
    # timers (L2TP 1-8 s, PPP 3 s) decide how long the set-up takes.
    cmd = ["ip", "netns", "exec", cli, client_path(), "--server", "127.0.0.1",
           "--user", "user{n}", "--password", PASSWORD, "--sessions", str(SESSIONS),
           "--tunnels", str(TUNNELS), "--separate-ports", "--json", "--timeout", "240",
           "--close-timeout", "60"]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=400)
    with open(os.path.join(workdir, "l2tp-client.out"), "w") as f:
        f.write(res.stdout + res.stderr)
    relay.stop(signal.SIGTERM)
    records = [json.loads(l) for l in res.stdout.splitlines() if l.startswith("{")]
    summary = [r for r in records if r["event"] == "summary"]
    failed = [r for r in records if r["event"] == "failed"]
    assert len(summary) == 1, res.stdout + res.stderr
    relay_stats = [json.loads(l) for l in relay.log().splitlines() if l.startswith("{")]
    # The path really was bad: datagrams lost, duplicated and reordered
    # both ways.
    assert relay_stats, relay.log()
    rs = relay_stats[-1]
    for d in ("up", "down"):
        assert rs[d + "_lost"] > 0 and rs[d + "_duplicated"] > 0 and rs[d + "_reordered"] > 0, rs
    assert failed == [], "\n".join(json.dumps(r) for r in failed) + "\n" + json.dumps(summary[0])
    assert summary[0]["up"] == SESSIONS and summary[0]["failed"] == 0, summary[0]
    # ... and it took retransmissions at both layers to get there.
    assert summary[0]["retransmits"] > 0 and summary[0]["lcp_confreq_retransmits"] > 0, summary[0]
    assert res.returncode == 0, res.stdout + res.stderr
    assert daemon.alive(), daemon.log()[-3000:]

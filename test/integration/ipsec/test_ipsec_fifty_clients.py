# SPDX-License-Identifier: GPL-2.0-or-later
"""Fifty L2TP/IPsec clients connected at once from one client namespace:
fifty addresses, one charon with fifty Windows-like connections (one IKE
SA and one transport-mode CHILD_SA each, dialled ten at a time), and an l2tp-client per address
(from port 1701, as Windows) on top. Every session comes up over its own
SA, is bound to its own IKE identity in l2tpd, and pings; no L2TP
datagram crosses the wire in clear.
"""
import os
import re
import signal

import pytest

from lib import peers
from lib.netns import run, wait_for
from lib.ipsec_bed import Bed, PASSWORDS, PSK, LOCAL, SERVER, example_policy, json_lines

N = 50
BATCH = 10
ADDRS = ["192.0.2.%d" % (100 + i) for i in range(N)]


@pytest.mark.vm
def test_fifty_ipsec_clients_at_once_each_over_its_own_sa_and_pinging(stack):
    # alice may hold 50 sessions here (the example allows her 2)
    policy = example_policy([("max_sessions = 2", "max_sessions = 0")])
    bed = Bed(stack, policy_text=policy)
    run(["ip", "-batch", "-"], ns=bed.cli,
        input="".join("addr add %s/24 dev cli0\n" % a for a in ADDRS))
    bed.charon_cli.load(peers.client_swanctl_many(SERVER, PSK, ADDRS))
    # IPsec in batches of ten: DH under qemu TCG is slow, and fifty main
    # modes at once would outlast charon's retransmits; the L2TP sessions
    # below then all come up together.
    for first in range(0, N, BATCH):
        for i in range(first, min(first + BATCH, N)):
            # returns after a second; charon carries on in the background
            bed.charon_cli.swanctl("--initiate", "--child", "l2tp%d" % (i + 1),
                                   "--timeout", "1", check=False, timeout=60)
        bed.wait_child_sas(min(first + BATCH, N), timeout=600)

    clients = []
    for i, a in enumerate(ADDRS):
        clients.append(bed.l2tp_client("l2tp-client-%02d" % i, [
            "--bind", a, "--local-port", "1701", "--user", "alice",
            "--password", PASSWORDS["alice"], "--ping", LOCAL, "--ping-wait", "60000",
            "--timeout", "400", "--hold-forever"]))

    def settled():
        return [e for c in clients for e in json_lines(c.log())
                if e.get("event") in ("up", "failed")]
    wait_for("all 50 clients settled", lambda: len(settled()) == N, timeout=500)
    for e in settled():
        assert e["event"] == "up" and e["ok"] and e["ping_recv"] >= 3, e
        assert e["addr"].startswith("198.51.100."), e
    # all 50 up at the same time, each over its own client's IKE SA
    sessions = bed.sessions()
    assert len(sessions) == N and all(s["state"] == "up" for s in sessions), sessions
    assert sorted(s["ipsec_identity"] for s in sessions) == sorted(ADDRS), sessions
    assert sorted(s["peer"] for s in sessions) == sorted(a + ":1701" for a in ADDRS), sessions

    # the clients hang up (LCP terminate, CDN, StopCCN): nothing left
    for c in clients:
        os.kill(c.popen.pid, signal.SIGTERM)
    wait_for("every l2tp-client to finish", lambda: not any(c.alive() for c in clients),
             timeout=300)
    wait_for("no session left on the server", lambda: bed.sessions() == [], timeout=120)
    tunnels = re.findall(r"tunnel \d+: over IPsec IKE_SA #(\d+) ", bed.l2tpd.log())
    assert len(set(tunnels)) == N, tunnels
    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()[:10]
    # one ESP SA per direction per client, nothing more
    states = bed.charon_srv.xfrm_states()
    assert states.count("proto esp") == 2 * N, states

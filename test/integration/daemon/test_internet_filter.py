# SPDX-License-Identifier: GPL-2.0-or-later
"""The Internet-side filter (`internet_filter { interfaces = ... }`, docs/
operations.md): on the named interface only IKE, NAT-T, ESP and L2TP reach
the host, ping only when `icmp = yes`; other interfaces are untouched; the
table goes with the daemon. Real nftables in namespaces: the server has an
Internet side (inet0, 203.0.113.0/24) and a LAN side (lan0, 192.0.2.0/24).
What the filter drops is counted; the tests wait for the counter (an event),
never for a duration."""
import json
import os
import signal
import subprocess
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, build_dir
from lib.client import run_client, by_event

SERVER_WAN, WAN = "203.0.113.1", "203.0.113.2"
SERVER_LAN, LAN = "192.0.2.1", "192.0.2.2"

SEND_UDP = ("import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); "
            "s.sendto(b'probe', (sys.argv[1], int(sys.argv[2])))")
RECV_UDP = ("import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); "
            "s.bind((sys.argv[1], int(sys.argv[2]))); print('bound', flush=True); "
            "d,a=s.recvfrom(100); print('got', d.decode(), flush=True)")


@pytest.fixture
def nets(stack):
    srv, wan, lan = stack.netns("srv"), stack.netns("wan"), stack.netns("lan")
    stack.veth(srv, "inet0", SERVER_WAN + "/24", wan, "wan0", WAN + "/24")
    stack.veth(srv, "lan0", SERVER_LAN + "/24", lan, "eth0", LAN + "/24")
    return srv, wan, lan


def start(stack, srv, icmp="no", require_ipsec=False):
    d = L2tpd(stack, srv, listen="0.0.0.0", dataplane="userspace", require_ipsec=require_ipsec,
              extra="internet_filter {\n        interfaces = inet0\n        icmp = %s\n    }" % icmp)
    d.start()
    return d


def status(d):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    out = subprocess.run([exe, "--json", "--socket", d.sock, "status"], capture_output=True,
                         text=True, timeout=20, check=True).stdout
    return json.loads(out)["internet_filter"]


def dropped(d):
    return status(d)["dropped"]


def send_udp(ns, addr, port):
    run([sys.executable, "-c", SEND_UDP, addr, str(port)], ns=ns)


def ping_once(ns, addr):
    return subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", addr],
                          capture_output=True).returncode == 0


@pytest.mark.netns
def test_only_vpn_traffic_reaches_the_host_from_the_internet_side(stack, nets):
    srv, wan, lan = nets
    d = start(stack, srv)
    st = status(d)
    assert st["active"] and st["interfaces"] == ["inet0"] and st["icmp"] is False
    assert "internet filter: on inet0 (IKE, NAT-T, ESP, L2TP; ping blocked)" in run(
        [os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl"), "--socket", d.sock, "status"])

    # a UDP port that is not IKE, NAT-T or L2TP: dropped and counted
    before = dropped(d)
    send_udp(wan, SERVER_WAN, 9)
    wait_for("the probe to port 9 counted as dropped", lambda: dropped(d) == before + 1)

    # ping is blocked on the Internet side, answered on the LAN side
    before = dropped(d)
    assert not ping_once(wan, SERVER_WAN)
    wait_for("the echo request counted as dropped", lambda: dropped(d) == before + 1)
    assert ping_once(lan, SERVER_LAN)

    # IKE reaches a listener on the host (charon's port)
    rx = stack.spawn("ike-listener", [sys.executable, "-c", RECV_UDP, SERVER_WAN, "500"], ns=srv)
    wait_for("listener bound", lambda: "bound" in rx.log())
    send_udp(wan, SERVER_WAN, 500)
    wait_for("the IKE datagram received", lambda: "got probe" in rx.log())

    # L2TP (require_ipsec = no here) logs in through the filter
    before = dropped(d)
    rc, recs, out = run_client(wan, SERVER_WAN, "alice", PASSWORDS["alice"])
    assert rc == 0 and len(by_event(recs, "up")) == 1, out
    assert dropped(d) == before


@pytest.mark.netns
def test_icmp_yes_answers_ping(stack, nets):
    srv, wan, lan = nets
    d = start(stack, srv, icmp="yes")
    before = dropped(d)
    assert ping_once(wan, SERVER_WAN)
    assert dropped(d) == before


@pytest.mark.netns
def test_with_require_ipsec_cleartext_l2tp_is_dropped_at_the_edge(stack, nets):
    srv, wan, lan = nets
    d = start(stack, srv, require_ipsec=True)
    before = dropped(d)
    send_udp(wan, SERVER_WAN, 1701)   # an L2TP port datagram that came without ESP
    wait_for("cleartext L2TP counted as dropped", lambda: dropped(d) == before + 1)


@pytest.mark.netns
def test_the_table_goes_with_the_daemon_and_a_stale_one_is_replaced(stack, nets):
    srv, wan, lan = nets
    d = start(stack, srv)
    assert "l2tpd_edge" in run(["nft", "list", "tables"], ns=srv)
    d.proc.stop(signal.SIGKILL)
    # a killed daemon leaves its table; the next start replaces it
    assert "l2tpd_edge" in run(["nft", "list", "tables"], ns=srv)
    d = start(stack, srv)
    assert run(["nft", "list", "tables"], ns=srv).count("l2tpd_edge") == 1
    d.proc.stop(signal.SIGTERM, timeout=120)   # an orderly stop, however slow the machine
    assert not d.proc.alive()
    assert "l2tpd_edge" not in run(["nft", "list", "tables"], ns=srv)

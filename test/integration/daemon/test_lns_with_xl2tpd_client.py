# SPDX-License-Identifier: GPL-2.0-or-later
"""Our LNS (l2tpd) with the Linux desktop's L2TP client, xl2tpd + pppd, as
the peer: MS-CHAPv2 logins, IPCP with DNS/WINS, a ping across, refusals with
the MS-CHAPv2 codes the client shows, and an administrator's disconnect.
No IPsec here (the plugin issue adds it): require_ipsec = no.

Runs in the test VM: the client side needs the kernel's PPP and L2TP, and
the server side uses the kernel data path there.
"""
import json
import os
import re

import pytest

from lib.netns import run, wait_for
from lib import peers
from lib.l2tpd import L2tpd, PASSWORDS

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"


@pytest.fixture(params=["kernel", "userspace"])
def lns(request, stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    # A capture of the wire, kept with the logs for when a test fails.
    stack.spawn("tcpdump", ["tcpdump", "-i", "srv0", "-n", "-U", "-w",
                            os.path.join(stack.workdir, "wire.pcap"), "udp"], ns=srv)
    d = L2tpd(stack, srv, listen=SERVER, dataplane=request.param)
    d.start()
    peers.write_chap_secrets(sorted(PASSWORDS.items()))
    return d, srv, cli


def start_client(stack, cli, user, password=None, name="xl2tpd-lac"):
    log = os.path.join(stack.workdir, "pppd-%s.log" % name)
    lac = peers.Xl2tpd(stack, cli, name)
    lac.configure_lac(CLIENT, SERVER, peers.pppd_lac_options(user, log, password))
    lac.start()
    return lac, log


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


@pytest.mark.vm
def test_windows_like_login_gets_address_dns_and_ping(stack, lns):
    d, srv, cli = lns
    lac, log = start_client(stack, cli, "alice")
    addr = wait_for("ppp0 up in the client", lambda: peers.ppp_addresses(cli), timeout=60)
    assert addr[1] == LOCAL
    assert addr[0].startswith("198.51.100.")
    # pppd logs the DNS servers once its ip-pre-up script has run.
    text = wait_for("pppd to log the DNS servers",
                    lambda: "secondary DNS address" in read(log) and read(log), timeout=30)
    assert "primary   DNS address 192.0.2.53" in text, text
    assert "secondary DNS address 192.0.2.54" in text, text
    # pppd lets IP through only after its ip-pre-up script: ping until
    # three replies came back, within a deadline.
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "20", LOCAL], ns=cli)
    assert "3 received" in out, out

    ok, status = d.ctl("json status")
    assert ok, status
    st = json.loads(status)
    assert st["sessions_up"] == 1 and st["tunnels"] == 1, st
    ok, sessions = d.ctl("json sessions")
    s = json.loads(sessions)
    assert len(s) == 1 and s[0]["user"] == "alice" and s[0]["address"] == addr[0], s
    assert s[0]["policy"] == "staff" and s[0]["state"] == "up", s
    assert s[0]["rx_packets"] >= 3 and s[0]["tx_packets"] >= 3, s
    assert re.search(r"session \d+/\d+ up: user 'alice' peer 192\.0\.2\.2:1701 address %s"
                     % re.escape(addr[0]), d.log()), d.log()

    # The administrator disconnects her: the client's PPP link goes away.
    ok, text = d.ctl("disconnect user alice")
    assert ok, text
    wait_for("ppp0 gone in the client", lambda: peers.ppp_addresses(cli) is None, timeout=30)
    wait_for("no session left", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0,
             timeout=30)


@pytest.mark.vm
@pytest.mark.parametrize("user,password,code", [
    ("alice", "Not-Her-Password", 691),
    ("mallory", "Whatever-1", 691),
    ("bob", None, 649),
    ("carol", None, 647),
    ("dave", None, 648),
])
def test_refusal_reaches_the_client_with_its_code(stack, lns, user, password, code):
    d, srv, cli = lns
    lac, log = start_client(stack, cli, user, password)
    wait_for("pppd to give up", lambda: "CHAP authentication failed" in read(log), timeout=60)
    # pppd shows the MS-CHAPv2 Failure packet with its code (RFC 2759 6).
    assert re.search(r'rcvd \[CHAP Failure id=0x[0-9a-f]+ "E=%d R=0 C=[0-9A-F]{32} V=3 M=' % code,
                     read(log)), read(log)
    assert peers.ppp_addresses(cli) is None
    assert re.search(r"user '?%s'? .*E=%d" % (user, code), d.log()), d.log()

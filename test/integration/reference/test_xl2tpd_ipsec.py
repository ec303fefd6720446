# SPDX-License-Identifier: GPL-2.0-or-later
"""The reference L2TP/IPsec scenario, with real unmodified peers only.

Two charons (IKEv1 main mode, PSK, ESP transport mode for UDP 1701, the
proposals Windows 10/11 offer) and xl2tpd + pppd on both sides (LNS and LAC)
bring up a session with MS-CHAPv2. This is the baseline our own LNS must
match, and is benchmarked against later. It needs the real kernel (L2TP,
PPP, ESP), so it runs inside the test VM.
"""
import os
import signal
import subprocess

import pytest

from lib.netns import run, wait_for
from lib import peers

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LNS_LOCAL, POOL = "198.51.100.1", "198.51.100.10-198.51.100.20"
PSK = "reference-psk-7f3a"


@pytest.mark.vm
def test_reference_l2tp_ipsec_session_with_real_peers(stack, workdir):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")

    capture = os.path.join(workdir, "wire.pcap")
    tcpdump = stack.spawn("tcpdump", ["tcpdump", "-i", "srv0", "-n", "-U", "-w", capture], ns=srv)
    wait_for("tcpdump to listen", lambda: "listening" in tcpdump.log(), timeout=20)

    charon_srv = peers.Charon(stack, srv, "charon-srv")
    charon_cli = peers.Charon(stack, cli, "charon-cli")
    charon_srv.start()
    charon_cli.start()
    charon_srv.load(peers.server_swanctl_psk(SERVER, PSK))
    charon_cli.load(peers.client_swanctl_psk(SERVER, PSK))
    charon_cli.initiate("l2tp")

    # Transport-mode ESP SAs in both directions on both sides.
    for charon in (charon_srv, charon_cli):
        text = charon.xfrm_states()
        assert text.count("proto esp ") == 2, text
        assert text.count("mode transport") == 2, text

    peers.write_chap_secrets([("alice", "Alice-Secret-1")])
    lns = peers.Xl2tpd(stack, srv, "xl2tpd-lns")
    lns.configure_lns(SERVER, LNS_LOCAL, POOL, peers.pppd_lns_options(os.path.join(workdir, "pppd-lns.log")))
    lac = peers.Xl2tpd(stack, cli, "xl2tpd-lac")
    lac.configure_lac(CLIENT, SERVER, peers.pppd_lac_options("alice", os.path.join(workdir, "pppd-lac.log"), maxfail=None))
    lns.start()
    lac.start()

    lac_addr = wait_for("ppp0 up in the client namespace", lambda: peers.ppp_addresses(cli), timeout=60)
    lns_addr = wait_for("ppp0 up in the server namespace", lambda: peers.ppp_addresses(srv), timeout=30)
    assert lns_addr[0] == LNS_LOCAL
    assert lac_addr[1] == LNS_LOCAL
    assert lac_addr[0] == lns_addr[1]
    assert lac_addr[0].startswith("198.51.100.")
    assert "Using l2tp kernel support" in lns.proc.log(), lns.proc.log()

    # MS-CHAPv2 was the method, and DNS was handed out in IPCP.
    # pppd logs the DNS servers once its ip-pre-up script has run.
    lac_log = wait_for("pppd to log the DNS servers", lambda: (lambda t: "DNS address" in t and t)(
        open(os.path.join(workdir, "pppd-lac.log")).read()), timeout=30)
    assert "CHAP authentication succeeded" in lac_log, lac_log
    assert "primary   DNS address 192.0.2.53" in lac_log, lac_log

    # pppd lets IP through only after ip-pre-up: three replies within a deadline.
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "20", LNS_LOCAL], ns=cli)
    assert "3 received" in out, out

    tcpdump.stop(signal.SIGINT)
    # Only ESP (and IKE) on the wire: no cleartext L2TP.
    def count(filter_):
        r = subprocess.run(["tcpdump", "-n", "-r", capture, filter_],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return len([l for l in r.stdout.splitlines() if l.strip()])
    esp = count("esp")
    cleartext_l2tp = count("udp port 1701")
    assert esp >= 6, "expected ESP packets on the wire, saw %d" % esp
    assert cleartext_l2tp == 0, "cleartext L2TP on the wire: %d packets" % cleartext_l2tp

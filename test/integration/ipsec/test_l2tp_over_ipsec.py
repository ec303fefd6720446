# SPDX-License-Identifier: GPL-2.0-or-later
"""L2TP/IPsec end to end, real peers on both sides: a client namespace with
charon configured as the Windows built-in client plus xl2tpd + pppd (the
Linux desktop's L2TP client), against our l2tpd with require_ipsec = yes and
a server charon that loads our plugin (docs/ipsec.md).

IKE under qemu TCG costs seconds per exchange, so each test covers several
behaviours in sequence; each assertion names what it checks.
"""
import re

import pytest

from lib.netns import run, wait_for
from lib import peers
from lib.ipsec_bed import Bed, SERVER, CLIENT, LOCAL, read, session_up

PLAIN = "203.0.113.3"


@pytest.mark.vm
def test_session_over_ipsec_and_administrator_disconnect_deletes_the_ike_sa(stack):
    bed = Bed(stack)
    bed.charon_cli.initiate("l2tp")
    wait_for("l2tpd to learn the client's CHILD_SA",
             lambda: "L2TP CHILD_SA" in bed.charon_log() and
             "1 L2TP CHILD_SA" in bed.l2tpd.ctl("status")[1], timeout=30)

    lac, log = bed.lac(bed.cli, CLIENT)
    session_up(bed.cli)
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "20", LOCAL], ns=bed.cli)
    assert "3 received" in out, out

    # the tunnel is bound to the client's IKE SA; its identity is shown
    assert re.search(r"tunnel \d+: over IPsec IKE_SA #\d+ \(IKEv1, peer %s:500, id '%s'\)"
                     % (re.escape(CLIENT), re.escape(CLIENT)), bed.l2tpd.log()), bed.l2tpd.log()
    s = bed.sessions()
    assert len(s) == 1 and s[0]["user"] == "alice", s
    assert s[0]["ipsec_identity"] == CLIENT, s
    ok, text = bed.l2tpd.ctl("sessions")
    assert ok and re.search(r"alice .* %s\s*$" % re.escape(CLIENT), text, re.M), text

    # ESP only on the wire: no L2TP in cleartext
    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()
    assert bed.esp_packets() >= 6, bed.esp_packets()

    # the administrator disconnects alice: her session, her tunnel, and
    # her IKE SA on the client are gone. The IKE SA is deleted only after
    # the tunnel's control connection closed (our StopCCN acknowledged and
    # held a retransmission cycle, RFC 2661 5.7): the StopCCN and the
    # client's ZLB travel in ESP, and l2tpd's nftables rule never had to
    # drop anything.
    ok, text = bed.l2tpd.ctl("disconnect user alice")
    assert ok, text
    wait_for("ppp0 gone in the client", lambda: peers.ppp_addresses(bed.cli) is None,
             timeout=60)
    wait_for("l2tpd to ask charon to delete the IKE SA",
             lambda: "asked charon to delete IKE_SA" in bed.l2tpd.log(), timeout=180)
    wait_for("the client's IKE SA gone", lambda: "vpn:" not in bed.client_ike_sas(),
             timeout=60)
    assert "l2tpd asks to delete IKE_SA" in bed.charon_log()
    wait_for("no session left on the server", lambda: bed.sessions() == [], timeout=30)
    log = bed.l2tpd.log()
    down = re.search(r"tunnel (\d+) down: peer %s:\d+, " % re.escape(CLIENT), log)
    assert down, log
    closed = log.find("tunnel %s: control connection closed" % down.group(1))
    assert down.start() < closed < log.find("asked charon to delete IKE_SA"), log
    bed.wire_synced()
    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()
    assert bed.cleartext_dropped() == 0


@pytest.mark.vm
@pytest.mark.parametrize("dataplane,marks", [("kernel", False), ("userspace", False),
                                             ("userspace", True)],
                         ids=["kernel", "userspace", "userspace-marks"])
def test_sa_gone_under_a_live_session_nothing_leaves_in_clear(stack, dataplane, marks):
    """The bad order forced: the server's kernel loses the client's SAs
    and policies while l2tpd still holds the session (as when charon
    deletes an SA before l2tpd hears of it). Whatever l2tpd then sends
    from port 1701, a data frame on either data path, the CDN, the
    StopCCN and its retransmissions, is dropped by its nftables rule and
    counted; nothing crosses the wire in clear (docs/security.md)."""
    bed = Bed(stack, dataplane=dataplane, marks=marks)
    bed.charon_cli.initiate("l2tp")
    bed.wait_child_sas(1)
    lac, log = bed.lac(bed.cli, CLIENT)
    addr = session_up(bed.cli)
    out = run(["ping", "-c", "2", "-i", "0.3", "-w", "20", LOCAL], ns=bed.cli)
    assert "2 received" in out, out
    assert "dataplane: %s" % dataplane in bed.l2tpd.ctl("status")[1]
    # With marks the client's first SCCRQ may reach l2tpd before its mark
    # does (l2tp-mark-updown runs after the SA is up): refused as
    # cleartext, and that StopCCN, unmarked, is dropped and counted here.
    before = bed.cleartext_dropped()

    run(["ip", "xfrm", "policy", "flush"], ns=bed.srv)
    run(["ip", "xfrm", "state", "flush"], ns=bed.srv)
    # the data path: a ping from the server to the client's PPP address
    # leaves as an L2TP data frame from port 1701, now without an SA
    run(["ping", "-c", "1", "-W", "5", addr[0]], ns=bed.srv, check=False)
    wait_for("the data frame dropped and counted",
             lambda: bed.cleartext_dropped() >= before + 1, timeout=30)
    # the control connection: the disconnect's CDN and StopCCN
    before = bed.cleartext_dropped()
    ok, text = bed.l2tpd.ctl("disconnect user alice")
    assert ok, text
    wait_for("the CDN and StopCCN dropped and counted",
             lambda: bed.cleartext_dropped() >= before + 2, timeout=30)
    wait_for("the tunnel down on the server",
             lambda: re.search(r"tunnel \d+ down: peer %s:\d+, " % re.escape(CLIENT),
                               bed.l2tpd.log()), timeout=30)
    bed.wire_synced()
    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()
    assert bed.wire("ip proto 50 and src host %s" % SERVER), "no ESP from the server at all?"


@pytest.mark.vm
def test_plain_l2tp_refused_l2tpd_restart_replays_and_ike_down_ends_the_session(stack):
    bed = Bed(stack)

    # 1. a client without IPsec: refused, and l2tpd says why
    plain = stack.netns("plain")
    stack.veth(bed.srv, "srv1", "203.0.113.1/24", plain, "plain0", PLAIN + "/24")
    run(["ip", "route", "add", SERVER + "/32", "dev", "plain0"], ns=plain)
    bed.lac(plain, PLAIN, user="bob")
    wait_for("the plain client refused",
             lambda: re.search(r"tunnel from %s:1701 refused: no IPsec SA \(require_ipsec = yes\)"
                               % re.escape(PLAIN), bed.l2tpd.log()), timeout=30)
    assert bed.sessions() == []

    # 2. an IPsec client; then l2tpd restarts while charon runs: the plugin
    # reconnects and replays, and a new L2TP session works without new IKE
    bed.charon_cli.initiate("l2tp")
    wait_for("l2tpd to learn the client's CHILD_SA",
             lambda: "1 L2TP CHILD_SA" in bed.l2tpd.ctl("status")[1], timeout=30)
    bed.l2tpd.proc.stop()
    bed.l2tpd.start()
    wait_for("the plugin to reconnect and replay",
             lambda: re.search(r"charon plugin: 1 IKE SA\(s\), 1 L2TP CHILD_SA\(s\) replayed",
                               bed.l2tpd.log()), timeout=30)
    lac, log = bed.lac(bed.cli, CLIENT)
    session_up(bed.cli)
    out = run(["ping", "-c", "2", "-i", "0.3", "-w", "20", LOCAL], ns=bed.cli)
    assert "2 received" in out, out
    ike_inits = re.findall(r"initiating Main Mode", read(bed.charon_cli.log))
    assert len(ike_inits) == 1, ike_inits

    # 3. the client deletes its IKE SA: the server's session ends
    bed.charon_cli.swanctl("--terminate", "--ike", "vpn", "--timeout", "30", timeout=60)
    wait_for("no session left on the server", lambda: bed.sessions() == [], timeout=30)
    assert re.search(r"tunnel \d+: closed: IPsec (IKE SA down|SA for L2TP down) \(IKE_SA #\d+",
                     bed.l2tpd.log()), bed.l2tpd.log()
    assert "asked charon to delete" not in bed.l2tpd.log()

"""L2TP/IPsec end to end, real peers on both sides: a client namespace with
charon configured as the Windows built-in client plus xl2tpd + pppd (the
Linux desktop's L2TP client), against our l2tpd with require_ipsec = yes and
a server charon that loads our plugin (docs/ipsec.md).

IKE under qemu TCG costs seconds per exchange, so each test covers several
behaviours in sequence; each assertion names what it checks.
"""
import json
import os
import re

import pytest

from lib.netns import run, wait_for
from lib import peers
from lib.l2tpd import L2tpd, PASSWORDS

SERVER, CLIENT, PLAIN = "192.0.2.1", "192.0.2.2", "203.0.113.3"
LOCAL = "198.51.100.1"
PSK = "l2tp-ipsec-test-psk-7e1f"

LAC_PPP = """
    user {user}
    noauth
    refuse-pap
    refuse-chap
    refuse-mschap
    refuse-eap
    mtu 1400
    mru 1400
    noccp
    nodefaultroute
    usepeerdns
    ipcp-accept-local
    ipcp-accept-remote
    maxfail 1
    debug
    logfile {log}
"""


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


class Bed:
    """Server (l2tpd + charon with our plugin) and an IPsec client."""

    def __init__(self, stack):
        build = os.environ.get("L2TP_BUILD_DIR")
        if not build:
            pytest.fail("L2TP_BUILD_DIR is not set: run through ./run test")
        peers.install_our_charon_plugin(build)
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        self.pcap = os.path.join(stack.workdir, "wire.pcap")
        stack.spawn("tcpdump", ["tcpdump", "-i", "srv0", "-n", "-U", "-w", self.pcap],
                    ns=self.srv)
        self.l2tpd = L2tpd(stack, self.srv, listen=SERVER, dataplane="kernel",
                           require_ipsec=True)
        self.l2tpd.start()
        self.charon_srv = peers.Charon(
            stack, self.srv, "charon-srv", extra_plugins=["l2tp"],
            plugin_conf="l2tp {\n socket = %s\n }" % self.l2tpd.ipsec_sock)
        self.charon_cli = peers.Charon(stack, self.cli, "charon-cli")
        self.charon_srv.start()
        self.charon_cli.start()
        self.charon_srv.load(peers.server_swanctl_psk(SERVER, PSK))
        self.charon_cli.load(peers.client_swanctl_psk(SERVER, PSK))
        peers.write_chap_secrets(sorted(PASSWORDS.items()))
        wait_for("the plugin to connect and replay",
                 lambda: "IKE SA(s)" in self.l2tpd.log(), timeout=30)
        self.lacs = 0

    def lac(self, ns, listen, user="alice"):
        self.lacs += 1
        name = "xl2tpd-lac%d" % self.lacs
        log = os.path.join(self.stack.workdir, "pppd-%s.log" % name)
        lac = peers.Xl2tpd(self.stack, ns, name)
        lac.configure_lac(listen, SERVER, LAC_PPP.format(user=user, log=log))
        lac.start()
        return lac, log

    def sessions(self):
        ok, text = self.l2tpd.ctl("json sessions")
        assert ok, text
        return json.loads(text)

    def client_ike_sas(self):
        return self.charon_cli.swanctl("--list-sas")

    def charon_log(self):
        return read(self.charon_srv.log)

    def udp_1701_in_clear(self):
        out = run(["tcpdump", "-r", self.pcap, "-n", "udp port 1701"], check=False)
        return [line for line in out.split("\n") if line.strip()]


def session_up(bed, ns):
    addr = wait_for("ppp0 up in the client", lambda: peers.ppp_addresses(ns), timeout=60)
    assert addr[1] == LOCAL, addr
    return addr


@pytest.mark.vm
def test_session_over_ipsec_and_administrator_disconnect_deletes_the_ike_sa(stack):
    bed = Bed(stack)
    bed.charon_cli.initiate("l2tp")
    wait_for("l2tpd to learn the client's CHILD_SA",
             lambda: "L2TP CHILD_SA" in bed.charon_log() and
             "1 L2TP CHILD_SA" in bed.l2tpd.ctl("status")[1], timeout=30)

    lac, log = bed.lac(bed.cli, CLIENT)
    session_up(bed, bed.cli)
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
    esp = run(["tcpdump", "-r", bed.pcap, "-n", "esp"], check=False)
    assert esp.count("ESP(spi=") >= 6, esp

    # the administrator disconnects alice: her session, her tunnel, and
    # her IKE SA on the client are gone
    ok, text = bed.l2tpd.ctl("disconnect user alice")
    assert ok, text
    wait_for("ppp0 gone in the client", lambda: peers.ppp_addresses(bed.cli) is None,
             timeout=30)
    wait_for("l2tpd to ask charon to delete the IKE SA",
             lambda: "asked charon to delete IKE_SA" in bed.l2tpd.log(), timeout=30)
    wait_for("the client's IKE SA gone", lambda: "vpn:" not in bed.client_ike_sas(),
             timeout=30)
    assert "l2tpd asks to delete IKE_SA" in bed.charon_log()
    wait_for("no session left on the server", lambda: bed.sessions() == [], timeout=30)
    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()


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
    session_up(bed, bed.cli)
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

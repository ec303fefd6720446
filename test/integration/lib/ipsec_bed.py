# SPDX-License-Identifier: GPL-2.0-or-later
"""The L2TP/IPsec test bed shared by test/integration/ipsec/ and the demo
(test/vm/demo.py): a server namespace with l2tpd (require_ipsec = yes) and
a charon that loads our plugin, and a client namespace with a charon
configured as the Windows built-in client, plus xl2tpd + pppd LACs or our
l2tp-client on top. Only inside the test VM (it installs our plugin under
/usr/lib/ipsec/plugins of the VM's throw-away overlay).
"""
import json
import os
import re

from .netns import run, wait_for
from . import peers
from .l2tpd import L2tpd, PASSWORDS, TOP, build_dir

SERVER, CLIENT, LOCAL = "192.0.2.1", "192.0.2.2", "198.51.100.1"
PSK = "l2tp-ipsec-test-psk-7e1f"
EXAMPLES = os.path.join(TOP, "docs", "examples", "ipsec")
EXAMPLE_POLICY = os.path.join(TOP, "docs", "examples", "l2tpd", "policy.conf")
# a mark per CHILD_SA (docs/ipsec-nat.md): the nftables map and charon's updown
MARK_NFT = os.path.join(EXAMPLES, "l2tp-nat.nft")
MARK_UPDOWN = os.path.join(EXAMPLES, "l2tp-mark-updown")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def example_policy(replace=()):
    """docs/examples/l2tpd/policy.conf with (old, new) text replacements;
    each old text must be there (the example changed otherwise)."""
    text = read(EXAMPLE_POLICY)
    for old, new in replace:
        assert old in text, "%r not in %s" % (old, EXAMPLE_POLICY)
        text = text.replace(old, new)
    return text


class ShippedL2tpd(L2tpd):
    """l2tpd with docs/examples/ipsec/l2tpd.conf, only the paths and the
    listen address changed (sockets never on 9p; /run of the VM is shared by
    every namespace)."""

    def __init__(self, stack, ns, listen, policy_text=None):
        super().__init__(stack, ns, listen=listen, policy_text=policy_text, require_ipsec=True)
        text = read(os.path.join(EXAMPLES, "l2tpd.conf"))
        for key, value in (("listen", listen), ("control_socket", self.sock),
                           ("ipsec_socket", self.ipsec_sock)):
            text, n = re.subn(r"(?m)^(\s*%s\s*=\s*)\S+" % key, r"\g<1>" + value, text)
            assert n == 1, "%s not in the shipped l2tpd.conf" % key
        with open(self.conf, "w") as f:
            f.write(text)


def shipped_server_swanctl(psk):
    """docs/examples/ipsec/swanctl.conf with the test's PSK. Its l2tp-cert
    connection needs server.crt and ca.crt in the swanctl folder
    (make_pki)."""
    text = read(os.path.join(EXAMPLES, "swanctl.conf"))
    assert "CHANGE-ME-long-random-pre-shared-key" in text
    return text.replace("CHANGE-ME-long-random-pre-shared-key", psk)


def shipped_client_swanctl(server_addr, psk):
    """docs/examples/ipsec/client-swanctl.conf, dialling server_addr."""
    text = read(os.path.join(EXAMPLES, "client-swanctl.conf"))
    for old, new in (("vpn.example.com", server_addr),
                     ("CHANGE-ME-long-random-pre-shared-key", psk)):
        assert old in text
        text = text.replace(old, new)
    return text


class Bed:
    """Server (l2tpd + charon with our plugin) and one IPsec client namespace.

    policy_text: the policy file (default: the shipped example).
    shipped: the server runs the shipped configurations of docs/examples/
    (l2tpd.conf, swanctl.conf with both connections; needs certificates,
    made here); otherwise the tests' own (PSK only, kernel data path, debug
    log).
    server_swanctl, client_swanctl: swanctl.conf texts, default PSK.
    client_cert: with shipped, the client gets this machine certificate
    (made by make_pki) as client.crt, the name client_swanctl_cert uses.
    dataplane: l2tpd's data path (not with shipped, which says auto).
    marks: a mark per CHILD_SA on the server (mark_in/mark_out = %unique,
    l2tp-nat.nft and l2tp-mark-updown, docs/ipsec-nat.md), default PSK only.
    """

    def __init__(self, stack, policy_text=None, shipped=False, server_swanctl=None,
                 client_swanctl=None, client_cert=None, capture=True, dataplane="kernel",
                 marks=False):
        peers.install_our_charon_plugin(build_dir())
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        self.pcap = os.path.join(stack.workdir, "wire.pcap")
        if capture:
            stack.spawn("tcpdump", ["tcpdump", "-i", "srv0", "-n", "-U", "-w", self.pcap],
                        ns=self.srv)
        if marks:
            run(["nft", "-f", MARK_NFT], ns=self.srv)
        if shipped:
            self.l2tpd = ShippedL2tpd(stack, self.srv, SERVER, policy_text=policy_text)
        else:
            self.l2tpd = L2tpd(stack, self.srv, listen=SERVER, dataplane=dataplane,
                               require_ipsec=True, policy_text=policy_text)
        self.l2tpd.start()
        self.charon_srv = peers.Charon(
            stack, self.srv, "charon-srv", extra_plugins=["l2tp"] + (["updown"] if marks else []),
            plugin_conf="l2tp {\n socket = %s\n }" % self.l2tpd.ipsec_sock)
        self.charon_cli = peers.Charon(stack, self.cli, "charon-cli")
        self.charon_srv.start()
        self.charon_cli.start()
        self.pki = None
        if shipped:
            # The shipped swanctl.conf's l2tp-cert names server.crt/ca.crt.
            self.pki = peers.make_pki(os.path.join(stack.workdir, "pki"), "vpn.example.com",
                                      SERVER, [client_cert] if client_cert else [])
            self.pki.install_server(self.charon_srv.dir)
            if client_cert:
                # the .p12 of docs/ipsec.md in a Windows computer store; PEM here
                self.pki.install(self.charon_cli.dir, client_cert, "client")
            server_swanctl = server_swanctl or shipped_server_swanctl(PSK)
            client_swanctl = client_swanctl or shipped_client_swanctl(SERVER, PSK)
        self.charon_srv.load(server_swanctl or peers.server_swanctl_psk(
            SERVER, PSK, marks=marks, updown=MARK_UPDOWN if marks else None))
        self.charon_cli.load(client_swanctl or peers.client_swanctl_psk(SERVER, PSK))
        peers.write_chap_secrets(sorted(PASSWORDS.items()))
        wait_for("the plugin to connect and replay",
                 lambda: "IKE SA(s)" in self.l2tpd.log(), timeout=60)
        self.lacs = 0

    def child_sas(self):
        """How many L2TP CHILD_SAs l2tpd knows (status line `ipsec: ...`)."""
        m = re.search(r"\b(\d+) L2TP CHILD_SAs?\b", self.l2tpd.ctl("status")[1])
        return int(m.group(1)) if m else 0

    def wait_child_sas(self, n, timeout=60):
        """Until l2tpd knows at least n L2TP CHILD_SAs."""
        return wait_for("l2tpd to learn %d L2TP CHILD_SA(s)" % n,
                        lambda: self.child_sas() >= n, timeout=timeout)

    def lac(self, ns, listen, user="alice", password=None):
        """An xl2tpd LAC dialling the server at once; (Xl2tpd, pppd log)."""
        self.lacs += 1
        name = "xl2tpd-lac%d" % self.lacs
        log = os.path.join(self.stack.workdir, "pppd-%s.log" % name)
        lac = peers.Xl2tpd(self.stack, ns, name)
        lac.configure_lac(listen, SERVER, peers.pppd_lac_options(user, log, password))
        lac.start()
        return lac, log

    def l2tp_client(self, name, args, ns=None):
        """Our l2tp-client (docs/test-client.md) in the client namespace,
        --json output; returns the Process (output in WORKDIR/NAME.out)."""
        exe = os.path.join(build_dir(), "test", "tools", "l2tp-client", "l2tp-client")
        # a sanitizer build: keep ASan's quarantine small, many may run at once
        env = {"ASAN_OPTIONS": "quarantine_size_mb=8:malloc_context_size=8"}
        return self.stack.spawn(name, [exe, "--server", SERVER, "--json"] + list(args),
                                ns=ns or self.cli, env=env)

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

    def wire_synced(self):
        """Wait until the capture holds everything sent so far: a marker
        datagram (UDP port 9, discard) sent now shows up in the file after
        every earlier packet (tcpdump -U writes each packet in order)."""
        self.syncs = getattr(self, "syncs", 0) + 1
        run(["/usr/bin/python3", "-c", MARKER_SEND, SERVER, CLIENT], ns=self.srv)
        wait_for("the capture to catch up",
                 lambda: len(self.wire("udp dst port 9")) >= self.syncs, timeout=30)

    def wire(self, expr):
        out = run(["tcpdump", "-r", self.pcap, "-n", expr], check=False)
        return [line for line in out.split("\n") if line.strip()]

    def cleartext_dropped(self):
        """l2tpd's count of L2TP datagrams its nftables rule kept from
        leaving without IPsec (`l2tpctl status`, and the same in --json)."""
        ok, text = self.l2tpd.ctl("status")
        assert ok, text
        m = re.search(r"^cleartext L2TP dropped: (\d+)$", text, re.M)
        assert m, text
        ok, js = self.l2tpd.ctl("json status")
        assert ok, js
        assert json.loads(js)["cleartext_l2tp_dropped"] >= int(m.group(1)), (text, js)
        return int(m.group(1))

    def esp_packets(self):
        out = run(["tcpdump", "-r", self.pcap, "-n", "esp"], check=False)
        return out.count("ESP(spi=")


MARKER_SEND = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(b"capture marker", (sys.argv[2], 9))
"""


def session_up(ns, timeout=60):
    """ppp0's (local, peer) addresses in ns once it is up."""
    addr = wait_for("ppp0 up in the client", lambda: peers.ppp_addresses(ns), timeout=timeout)
    assert addr[1] == LOCAL, addr
    # pppd addresses ppp0 before it sets it up: until then a ping to LOCAL
    # finds no route ("Network is unreachable"; seen in the VM)
    wait_for("the route to %s through ppp0" % LOCAL,
             lambda: "dev ppp0" in run(["ip", "route", "get", LOCAL], ns=ns, check=False),
             timeout=timeout)
    return addr


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out

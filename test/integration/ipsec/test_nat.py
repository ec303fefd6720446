# SPDX-License-Identifier: GPL-2.0-or-later
"""L2TP/IPsec clients behind a NAT (docs/ipsec-nat.md), real peers on both
sides: each client namespace runs charon configured as the Windows built-in
client plus xl2tpd + pppd; a router namespace between clients and server
masquerades them (nftables) behind one address, so the server sees only
the NAT's address, and ESP travels in UDP 4500 (NAT-T, RFC 3947/3948).

1. One client behind the NAT: session up, only UDP 500/4500 on the
   server's wire, ping across; on both data paths.
2. Two clients behind the same NAT at the same time, both from source port
   1701 as Windows does: the server sees two L2TP tunnels from the same
   address and port. With a mark per CHILD_SA (mark_in/mark_out = %unique,
   l2tp-nat.nft and l2tp-mark-updown from docs/examples/ipsec) both
   sessions come up and ping at the same time on the userspace data path.
   On Linux 6.1's kernel data path the second tunnel is refused a data
   plane, with a log line that says why.
"""
import os
import re
import subprocess

import pytest

from lib.netns import run, wait_for
from lib import peers
from lib.l2tpd import L2tpd, PASSWORDS

SERVER = "192.0.2.1"
NAT_OUT = "192.0.2.100"          # the NAT's public address: all the server sees
LOCAL = "198.51.100.1"           # l2tpd's end of every PPP link
PSK = "l2tp-nat-test-psk-31c9"
EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                        "docs", "examples", "ipsec"))
NFT_TABLE = os.path.join(EXAMPLES, "l2tp-nat.nft")
UPDOWN = os.path.join(EXAMPLES, "l2tp-mark-updown")

# Two users the policy admits at any time (the example policy refuses all
# but alice on purpose); hashes of Alice-Secret-1 and Dave-Secret-4.
POLICY = """
    server {
        auth_methods = mschapv2
        default_dial_in = deny
    }
    groups {
        staff { }
    }
    pools {
        clients {
            ipv4 = 198.51.100.10-198.51.100.250
        }
    }
    users {
        alice {
            nt_hash = 9796a0639fdf788beb0e767b1f6f226a
            dial_in = policy
            groups = staff
        }
        dave {
            nt_hash = 38edfd11edaee2af93cc83f48b2c0e3c
            dial_in = policy
            groups = staff
        }
    }
    policies {
        staff {
            conditions {
                group = staff
            }
            permission = grant
            profile {
                auth = mschapv2
                pool = clients
            }
        }
    }
"""

# From the server's address and port 1701, like l2tpd but without SO_MARK.
UNMARKED_SEND = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 1701))
s.sendto(b"\\xc8\\x02" + bytes(10), (sys.argv[2], 1701))
print("sent")
"""


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


class NatBed:
    """srv (l2tpd + charon with our plugin) -- nat (masquerade) -- clients."""

    def __init__(self, stack, dataplane, marks):
        build = os.environ.get("L2TP_BUILD_DIR")
        if not build:
            pytest.fail("L2TP_BUILD_DIR is not set: run through ./run test")
        peers.install_our_charon_plugin(build)
        self.stack = stack
        self.srv = stack.netns("srv")
        self.nat = stack.netns("nat")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.nat, "wan0", NAT_OUT + "/24")
        run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=self.nat)
        # the NAT: one masquerade rule, as a home router or a hotel's
        run(["nft", "add table ip nat; "
             "add chain ip nat post { type nat hook postrouting priority srcnat; }; "
             "add rule ip nat post oifname wan0 masquerade"], ns=self.nat)
        self.pcap = os.path.join(stack.workdir, "wire.pcap")
        stack.spawn("tcpdump", ["tcpdump", "-i", "srv0", "-n", "-U", "-w", self.pcap],
                    ns=self.srv)
        if marks:
            run(["nft", "-f", NFT_TABLE], ns=self.srv)
        self.l2tpd = L2tpd(stack, self.srv, listen=SERVER, dataplane=dataplane,
                           require_ipsec=True, policy_text=POLICY)
        self.l2tpd.start()
        self.charon_srv = peers.Charon(
            stack, self.srv, "charon-srv", extra_plugins=["l2tp", "updown"],
            plugin_conf="l2tp {\n socket = %s\n }" % self.l2tpd.ipsec_sock)
        self.charon_srv.start()
        self.charon_srv.load(peers.server_swanctl_psk(
            SERVER, PSK, marks=marks, updown=UPDOWN if marks else None))
        peers.write_chap_secrets(sorted(PASSWORDS.items()))
        wait_for("the plugin to connect and replay",
                 lambda: "IKE SA(s)" in self.l2tpd.log(), timeout=30)
        self.clients = []

    def client(self, user):
        """A client namespace behind the NAT, its charon, and its xl2tpd
        (source port 1701, as Windows)."""
        n = len(self.clients) + 1
        inside, addr = "203.0.113.%d" % (4 * n - 3), "203.0.113.%d" % (4 * n - 2)
        ns = self.stack.netns("c%d" % n)
        self.stack.veth(self.nat, "lan%d" % n, inside + "/30", ns, "eth0", addr + "/30")
        run(["ip", "route", "add", "default", "via", inside], ns=ns)
        charon = peers.Charon(self.stack, ns, "charon-c%d" % n)
        charon.start()
        charon.load(peers.client_swanctl_psk(SERVER, PSK))
        c = {"ns": ns, "addr": addr, "charon": charon, "user": user}
        self.clients.append(c)
        return c

    def initiate(self, c):
        c["charon"].initiate("l2tp")

    def dial(self, c):
        name = "xl2tpd-%s" % c["user"]
        log = os.path.join(self.stack.workdir, "pppd-%s.log" % c["user"])
        lac = peers.Xl2tpd(self.stack, c["ns"], name)
        lac.configure_lac(c["addr"], SERVER, peers.pppd_lac_options(c["user"], log, mtu=1380))
        lac.start()
        c["pppd_log"] = log

    def wire(self, expr):
        out = run(["tcpdump", "-r", self.pcap, "-n", expr], check=False)
        return [line for line in out.split("\n") if line.strip()]


def ppp_up(ns):
    addr = wait_for("ppp0 up in %s" % ns, lambda: peers.ppp_addresses(ns), timeout=90)
    assert addr[1] == LOCAL, addr
    # pppd addresses ppp0 before it sets it up: until then the peer route
    # is not used and packets to LOCAL take the default route to the NAT
    wait_for("the route to %s through ppp0 in %s" % (LOCAL, ns),
             lambda: "dev ppp0" in run(["ip", "route", "get", LOCAL], ns=ns, check=False),
             timeout=30)
    return addr


def cleartext_dropped(bed):
    """l2tpd's count of L2TP kept from leaving without IPsec (docs/ipsec.md)."""
    m = re.search(r"^cleartext L2TP dropped: (\d+)$", bed.l2tpd.ctl("status")[1], re.M)
    assert m, bed.l2tpd.ctl("status")[1]
    return int(m.group(1))


def start_ping(c, count):
    return subprocess.Popen(["ip", "netns", "exec", c["ns"], "ping", "-c", str(count),
                             "-i", "0.3", "-w", "60", LOCAL],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.vm
@pytest.mark.parametrize("dataplane", ["kernel", "userspace"])
def test_one_client_behind_nat_uses_nat_t_and_its_session_carries_ping(stack, dataplane):
    bed = NatBed(stack, dataplane, marks=False)
    c = bed.client("alice")
    bed.initiate(c)
    wait_for("l2tpd to learn the client's CHILD_SA",
             lambda: "1 L2TP CHILD_SA" in bed.l2tpd.ctl("status")[1], timeout=60)
    # charon found the NAT: ESP in UDP, from the NAT's address
    states = run(["ip", "xfrm", "state"], ns=bed.srv)
    assert "encap type espinudp" in states and NAT_OUT in states, states
    bed.dial(c)
    ppp_up(c["ns"])
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "30", LOCAL], ns=c["ns"])
    assert "3 received" in out, out
    # the tunnel knows its peer is the NAT and that its SA is NAT-T
    assert re.search(r"tunnel \d+: over IPsec IKE_SA #\d+ \(IKEv1, peer %s:\d+, NAT-T"
                     % re.escape(NAT_OUT), bed.l2tpd.log()), bed.l2tpd.log()
    assert "dataplane: %s" % dataplane in bed.l2tpd.ctl("status")[1]
    # on the wire only IKE and ESP in UDP 4500: no plain ESP, no L2TP
    assert bed.wire("udp port 1701") == [], bed.wire("udp port 1701")
    assert bed.wire("ip proto 50") == [], bed.wire("ip proto 50")
    assert len(bed.wire("udp port 4500")) >= 6, bed.wire("udp port 4500")
    assert set(p for line in bed.wire("not arp") for p in re.findall(r"(\d+\.\d+\.\d+\.\d+)\.\d+ >", line)) \
        <= {SERVER, NAT_OUT}


@pytest.mark.vm
def test_two_clients_behind_one_nat_from_port_1701_both_work_at_once(stack):
    bed = NatBed(stack, "userspace", marks=True)
    a, b = bed.client("alice"), bed.client("dave")
    bed.initiate(a)
    bed.initiate(b)
    wait_for("l2tpd to learn both CHILD_SAs",
             lambda: "2 L2TP CHILD_SA" in bed.l2tpd.ctl("status")[1], timeout=60)
    # charon's updown script mapped each client's NAT-T port to its SA's mark
    # (it runs after the plugin's report: wait for it)
    wait_for("a mark for each client's ESP in UDP",
             lambda: len(re.findall(re.escape(NAT_OUT) + r" \. \d+ : 0x", run(
                 ["nft", "list", "map", "inet", "l2tp_ipsec", "esp_in_udp"], ns=bed.srv))) == 2,
             timeout=30)

    bed.dial(a)
    bed.dial(b)
    addr_a, addr_b = ppp_up(a["ns"]), ppp_up(b["ns"])
    assert addr_a[0] != addr_b[0]
    # both tunnels come from the NAT's address and port 1701
    tunnels = re.findall(r"tunnel \d+ up: peer ([\d.]+:\d+)", bed.l2tpd.log())
    assert tunnels == ["%s:1701" % NAT_OUT] * 2, tunnels

    pa, pb = start_ping(a, 10), start_ping(b, 10)
    out_a, out_b = pa.communicate(timeout=120)[0], pb.communicate(timeout=120)[0]
    assert "10 received" in out_a, out_a
    assert "10 received" in out_b, out_b

    ok, text = bed.l2tpd.ctl("sessions")
    assert ok and "alice" in text and "dave" in text, text
    # each client's replies left through its own SA: both outbound SAs
    # (server -> NAT) carried packets, and their marks differ
    out = [blk for blk in re.split(r"(?m)^src ", run(["ip", "xfrm", "state"], ns=bed.srv))
           if blk.startswith("%s dst %s" % (SERVER, NAT_OUT))]
    assert len(out) == 2, out
    sent = [int(n, 16) for blk in out for n in re.findall(r"oseq 0x([0-9a-f]+)", blk)]
    assert len(sent) == 2 and min(sent) >= 10, out
    sa_marks = set(re.findall(r"mark (0x[0-9a-f]+)/", "".join(out)))
    assert len(sa_marks) == 2, out
    # an L2TP datagram sent without a mark matches no IPsec policy:
    # l2tp-nat.nft drops it (EPERM) instead of letting it out in clear
    # (and l2tpd's own rule of require_ipsec, which runs first: it counts it)
    before = cleartext_dropped(bed)
    res = subprocess.run(["ip", "netns", "exec", bed.srv, "/usr/bin/python3", "-c",
                          UNMARKED_SEND, SERVER, NAT_OUT], capture_output=True, text=True)
    assert "PermissionError" in res.stdout + res.stderr, res
    assert cleartext_dropped(bed) >= before + 1
    # only IKE and ESP in UDP on the server's wire, nothing in clear
    assert bed.wire("udp port 1701") == [], bed.wire("udp port 1701")
    assert bed.wire("ip proto 50") == [], bed.wire("ip proto 50")


@pytest.mark.vm
def test_two_clients_behind_one_nat_on_the_kernel_path_the_second_gets_no_data_plane(stack):
    """Linux 6.1 delivers an L2TP data datagram to the one kernel socket of
    its address/port 4-tuple and looks its session up in that socket's
    tunnel only (l2tp_udp_recv_core): a second kernel tunnel from the same
    NAT address and port would never see its data. l2tpd says so and
    refuses the second tunnel's sessions; the first keeps working."""
    bed = NatBed(stack, "kernel", marks=True)
    a, b = bed.client("alice"), bed.client("dave")
    bed.initiate(a)
    bed.initiate(b)
    wait_for("a mark for each client's ESP in UDP",
             lambda: len(re.findall(re.escape(NAT_OUT) + r" \. \d+ : 0x", run(
                 ["nft", "list", "map", "inet", "l2tp_ipsec", "esp_in_udp"], ns=bed.srv))) == 2,
             timeout=60)
    bed.dial(a)
    ppp_up(a["ns"])
    bed.dial(b)
    wait_for("l2tpd to refuse a second kernel tunnel from the same address and port",
             lambda: re.search(r"tunnel \d+: peer %s:1701 already has kernel tunnel \d+ from the "
                               r"same address and port \(clients behind one NAT\)"
                               % re.escape(NAT_OUT), bed.l2tpd.log()), timeout=90)
    wait_for("dave's session closed for want of a data plane",
             lambda: "no data plane for the tunnel" in bed.l2tpd.log(), timeout=90)
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "30", LOCAL], ns=a["ns"])
    assert "3 received" in out, out
    assert bed.wire("udp port 1701") == [], bed.wire("udp port 1701")

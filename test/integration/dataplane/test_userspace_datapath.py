# SPDX-License-Identifier: GPL-2.0-or-later
"""The userspace data path (l2tpd/dataplane/userspace) between two namespaces.

Each namespace runs test/tools/dataplane-userspace/dp-user-test: one end of
an L2TP tunnel and session made through the backend (L2TP data messages
handled in the process, IP through a TUN device), addressed as after IPCP,
with no PPP negotiation at all. The two ends are symmetric:

    ns a  192.0.2.1:1701  tunnel 100 session 1001  tun 198.51.100.1
    ns b  192.0.2.2:1701  tunnel 200 session 2002  tun 198.51.100.2

Runs on the host (TUN, veth and netns; no kernel L2TP or PPP needed).
"""
import os
import re
import time

import pytest

from lib.netns import run, wait_for

A_WIRE, B_WIRE, STRANGER = "192.0.2.1", "192.0.2.2", "192.0.2.3"
A_TUN, B_TUN = "198.51.100.1", "198.51.100.2"
A_TUNNEL, B_TUNNEL = 100, 200
A_SESSION, B_SESSION = 1001, 2002
# What the driver sends on "send-ppp" (dp_user_test.c): LCP Echo-Request.
LCP_ECHO = "c021090100" + "08deadbeef"


def driver_binary():
    build = os.environ.get("L2TP_BUILD_DIR")
    if not build:
        pytest.fail("L2TP_BUILD_DIR is not set: it names the build folder holding "
                    "test/tools/dataplane-userspace/dp-user-test")
    path = os.path.join(build, "test", "tools", "dataplane-userspace", "dp-user-test")
    if not os.access(path, os.X_OK):
        pytest.fail("%s missing: build it with ninja -C %s" % (path, build))
    return path


class Endpoint:
    """One dp-user-test in a namespace, commanded through a FIFO."""

    def __init__(self, stack, ns, name, args):
        self.ns, self.name = ns, name
        self.fifo = os.path.join(stack.sockdir, name + ".ctl")
        os.mkfifo(self.fifo)
        self.proc = stack.spawn(name, [driver_binary(), "--cmd-fifo", self.fifo] + args, ns=ns)
        self.stats_seq = 0

    def log(self):
        return self.proc.log()

    def expect(self, what, pattern, timeout=30):
        """Wait for a line matching pattern; fail at once if the driver died
        before printing it."""
        rx = re.compile(pattern, re.M)

        def seen():
            m = rx.search(self.log())
            if m:
                return m
            if not self.proc.alive():
                m = rx.search(self.log())
                if m:
                    return m
                raise AssertionError("%s exited (%s) before %s:\n%s" % (
                    self.name, self.proc.popen.returncode, what, self.log()))
            return None
        return wait_for("%s in %s" % (what, self.name), seen, timeout=timeout, interval=0.1)

    def command(self, line):
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    def stats(self):
        """The driver's counters, as a dict of ints."""
        self.stats_seq += 1
        tag = "s%d" % self.stats_seq
        self.command("stats " + tag)
        m = self.expect("stats " + tag, r"^stats %s (.*)$" % tag)
        return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}

    def ifname(self):
        return self.expect("ready", r"^ready ifname=(\S+)$").group(1)


def start_pair(stack):
    a = stack.netns("a")
    b = stack.netns("b")
    stack.veth(a, "veth-a", A_WIRE + "/24", b, "veth-b", B_WIRE + "/24")
    # The stranger's address on a's side, to send from an address that is
    # not the tunnel's peer.
    run(["ip", "addr", "add", STRANGER + "/24", "dev", "veth-a"], ns=a)
    ep_a = Endpoint(stack, a, "dp-a", [
        "--local", A_WIRE, "--peer", B_WIRE,
        "--tunnel", "%d:%d" % (A_TUNNEL, B_TUNNEL), "--session", "%d:%d" % (A_SESSION, B_SESSION),
        "--ip", "%s:%s" % (A_TUN, B_TUN), "--mtu", "1400"])
    ep_b = Endpoint(stack, b, "dp-b", [
        "--local", B_WIRE, "--peer", A_WIRE,
        "--tunnel", "%d:%d" % (B_TUNNEL, A_TUNNEL), "--session", "%d:%d" % (B_SESSION, A_SESSION),
        "--ip", "%s:%s" % (B_TUN, A_TUN), "--mtu", "1400"])
    return ep_a, ep_b


def inject(ns, src, sport, tunnel, session, payload_hex):
    """Send one L2TP data message to b with scapy (raw IP: any source)."""
    script = (
        "from scapy.all import IP, UDP, Raw, send\n"
        "hdr = bytes([0x00, 0x02, %d >> 8, %d & 0xff, %d >> 8, %d & 0xff])\n"
        "send(IP(src=%r, dst=%r)/UDP(sport=%d, dport=1701)/Raw(hdr + bytes.fromhex(%r)),"
        " verbose=0)\n" % (tunnel, tunnel, session, session, src, B_WIRE, sport, payload_hex))
    run(["/usr/bin/python3", "-c", script], ns=ns)


def quit_and_check_gone(ep):
    name = ep.ifname()
    ep.command("quit")
    ep.expect("the TUN device gone", r"^gone ifname=%s$" % re.escape(name))
    assert ep.proc.popen.wait(10) == 0, ep.log()
    links = run(["ip", "-o", "link", "show"], ns=ep.ns)
    assert name not in links


@pytest.mark.netns
def test_userspace_tun_has_point_to_point_addresses_and_peer_route(stack):
    ep_a, ep_b = start_pair(stack)
    for ep, local, peer in ((ep_a, A_TUN, B_TUN), (ep_b, B_TUN, A_TUN)):
        name = ep.ifname()
        addrs = run(["ip", "-4", "-o", "addr", "show", "dev", name], ns=ep.ns)
        assert "inet %s peer %s/32" % (local, peer) in addrs, addrs
        link = run(["ip", "-o", "link", "show", "dev", name], ns=ep.ns)
        assert "mtu 1400" in link and ",UP" in link, link
        route = run(["ip", "route", "get", peer], ns=ep.ns)
        assert "dev %s" % name in route and "src %s" % local in route, route


@pytest.mark.netns
def test_userspace_ping_crosses_and_is_l2tp_data_on_the_wire(stack, workdir):
    ep_a, ep_b = start_pair(stack)
    ep_a.ifname()
    ep_b.ifname()
    pcap = os.path.join(workdir, "wire.pcap")
    tcpdump = stack.spawn("tcpdump", ["tcpdump", "-i", "veth-a", "-n", "-U", "--immediate-mode",
                                      "-w", pcap, "udp", "port", "1701"], ns=ep_a.ns)
    wait_for("tcpdump to listen", lambda: "listening" in tcpdump.log(), timeout=20)

    out = run(["ping", "-c", "3", "-i", "0.2", "-W", "5", B_TUN], ns=ep_a.ns)
    assert "3 received" in out, out

    from scapy.all import rdpcap, IP, UDP, ICMP
    from scapy.layers.l2tp import L2TP
    # Each packet is written as it comes (--immediate-mode, -U).
    packets = wait_for("6 packets in the capture", lambda: len(rdpcap(pcap)) >= 6 and rdpcap(pcap),
                       timeout=20)
    tcpdump.stop()
    requests, replies = [], []
    for pkt in packets:
        udp = pkt[UDP]
        assert udp.sport == 1701 and udp.dport == 1701
        raw = bytes(udp.payload)
        l2tp = L2TP(raw)
        assert l2tp.hdr == 0 and l2tp.version == 2, "a data message without L, S, O"
        # FF 03 and protocol 0x0021, then the IP packet.
        assert raw[6:10] == b"\xff\x03\x00\x21", raw[:12].hex()
        inner = IP(raw[10:])
        if pkt[IP].dst == B_WIRE:
            # a -> b carries b's ids
            assert (l2tp.tunnel_id, l2tp.session_id) == (B_TUNNEL, B_SESSION)
            assert inner.src == A_TUN and inner.dst == B_TUN and inner[ICMP].type == 8
            requests.append(inner)
        else:
            assert (l2tp.tunnel_id, l2tp.session_id) == (A_TUNNEL, A_SESSION)
            assert inner.src == B_TUN and inner.dst == A_TUN and inner[ICMP].type == 0
            replies.append(inner)
    assert len(requests) == 3 and len(replies) == 3


@pytest.mark.netns
def test_userspace_stats_count_the_pings(stack):
    ep_a, ep_b = start_pair(stack)
    ep_a.ifname()
    ep_b.ifname()
    out = run(["ping", "-c", "3", "-i", "0.2", "-W", "5", B_TUN], ns=ep_a.ns)
    assert "3 received" in out, out
    a, b = ep_a.stats(), ep_b.stats()
    # 84 bytes: a 20-octet IP header, 8 of ICMP, 56 of data (ping's default).
    assert (a["tx_packets"], a["tx_bytes"], a["rx_packets"], a["rx_bytes"]) == (3, 252, 3, 252)
    assert (b["tx_packets"], b["tx_bytes"], b["rx_packets"], b["rx_bytes"]) == (3, 252, 3, 252)
    assert a["rx_errors"] == 0 and b["rx_errors"] == 0


@pytest.mark.netns
def test_userspace_control_frame_reaches_the_other_side(stack):
    ep_a, ep_b = start_pair(stack)
    ep_a.ifname()
    ep_b.ifname()
    ep_a.command("send-ppp")
    ep_a.expect("the send", r"^sent-ppp rc=0$")
    m = ep_b.expect("the LCP frame", r"^ppp-rx proto=0xc021 len=(\d+) hex=([0-9a-f]+)$")
    assert m.group(2) == LCP_ECHO and int(m.group(1)) == len(LCP_ECHO) // 2
    assert ep_a.stats()["ctrl_tx"] == 1
    assert ep_b.stats()["ctrl_rx"] == 1


@pytest.mark.netns
def test_userspace_wrong_session_or_source_is_counted_and_dropped(stack):
    ep_a, ep_b = start_pair(stack)
    ep_a.ifname()
    ep_b.ifname()
    lcp = "ff03" + LCP_ECHO
    # From the right address and port, to a session b does not have.
    inject(ep_a.ns, A_WIRE, 1701, B_TUNNEL, B_SESSION + 1, lcp)
    # To a tunnel b does not have.
    inject(ep_a.ns, A_WIRE, 1701, B_TUNNEL + 1, B_SESSION, lcp)
    # The right ids from an address that is not the tunnel's peer, and
    # from the peer's address but another port.
    inject(ep_a.ns, STRANGER, 1701, B_TUNNEL, B_SESSION, lcp)
    inject(ep_a.ns, A_WIRE, 1702, B_TUNNEL, B_SESSION, lcp)
    # And one that is right: it gets through (the injection works).
    inject(ep_a.ns, A_WIRE, 1701, B_TUNNEL, B_SESSION, lcp)
    ep_b.expect("the good frame", r"^ppp-rx proto=0xc021 ")

    st = ep_b.stats()
    assert st["rx-unknown-session"] == 1
    assert st["rx-unknown-tunnel"] == 1
    assert st["rx-peer-mismatch"] == 2
    assert st["rx_errors"] == 2      # the session's share: the two from wrong sources
    assert st["ctrl_rx"] == 1
    assert len(re.findall(r"^ppp-rx ", ep_b.log(), re.M)) == 1


@pytest.mark.netns
def test_userspace_ip_before_set_ip_is_dropped(stack):
    a = stack.netns("a")
    b = stack.netns("b")
    stack.veth(a, "veth-a", A_WIRE + "/24", b, "veth-b", B_WIRE + "/24")
    # b has no addresses yet (IPCP not up): IPv4 from the peer is dropped.
    ep_b = Endpoint(stack, b, "dp-b", [
        "--local", B_WIRE, "--peer", A_WIRE,
        "--tunnel", "%d:%d" % (B_TUNNEL, A_TUNNEL), "--session", "%d:%d" % (B_SESSION, A_SESSION)])
    ep_b.ifname()
    ipv4 = "4500001c000100004001" + "0000" + "c6336401c6336402" + "0800f7ff00000000"
    inject(a, A_WIRE, 1701, B_TUNNEL, B_SESSION, "ff030021" + ipv4)
    wait_for("the drop counted", lambda: ep_b.stats()["rx-protocol-down"] == 1, timeout=10)
    assert ep_b.stats()["rx_packets"] == 0


@pytest.mark.netns
def test_userspace_tun_devices_are_gone_after_quit(stack):
    ep_a, ep_b = start_pair(stack)
    ep_a.ifname()
    ep_b.ifname()
    out = run(["ping", "-c", "1", "-W", "5", B_TUN], ns=ep_a.ns)
    assert "1 received" in out, out
    quit_and_check_gone(ep_a)
    quit_and_check_gone(ep_b)


@pytest.mark.netns
def test_userspace_ipv6_link_local_from_interface_ids(stack):
    a = stack.netns("a")
    b = stack.netns("b")
    stack.veth(a, "veth-a", A_WIRE + "/24", b, "veth-b", B_WIRE + "/24")
    ep_a = Endpoint(stack, a, "dp-a", [
        "--local", A_WIRE, "--peer", B_WIRE,
        "--tunnel", "%d:%d" % (A_TUNNEL, B_TUNNEL), "--session", "%d:%d" % (A_SESSION, B_SESSION),
        "--ipv6", "0x1111:0x2222"])
    ep_b = Endpoint(stack, b, "dp-b", [
        "--local", B_WIRE, "--peer", A_WIRE,
        "--tunnel", "%d:%d" % (B_TUNNEL, A_TUNNEL), "--session", "%d:%d" % (B_SESSION, A_SESSION),
        "--ipv6", "0x2222:0x1111"])
    name = ep_a.ifname()
    ep_b.ifname()
    addrs = run(["ip", "-6", "-o", "addr", "show", "dev", name], ns=a)
    assert "inet6 fe80::1111 peer fe80::2222/128" in addrs, addrs
    # Only the agreed link-local: the kernel made none of its own.
    assert addrs.count("inet6") == 1, addrs
    out = run(["ping", "-6", "-c", "2", "-i", "0.2", "-W", "5", "fe80::2222%" + name], ns=a)
    assert "2 received" in out, out


@pytest.mark.netns
def test_userspace_proxy_arp_puts_the_client_on_the_lan(stack):
    """A pool cut from the LAN subnet: the server answers ARP for the
    client's address on the LAN, and a LAN host reaches the client."""
    lan_net, srv_lan, host, client = "203.0.113.", "203.0.113.1", "203.0.113.10", "203.0.113.50"
    a = stack.netns("a")
    b = stack.netns("b")
    lan = stack.netns("lan")
    stack.veth(a, "veth-a", A_WIRE + "/24", b, "veth-b", B_WIRE + "/24")
    stack.veth(b, "lan-b", srv_lan + "/24", lan, "lan0", host + "/24")
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=b)
    ep_a = Endpoint(stack, a, "dp-a", [
        "--local", A_WIRE, "--peer", B_WIRE,
        "--tunnel", "%d:%d" % (A_TUNNEL, B_TUNNEL), "--session", "%d:%d" % (A_SESSION, B_SESSION),
        "--ip", "%s:%s" % (client, srv_lan)])
    ep_b = Endpoint(stack, b, "dp-b", [
        "--local", B_WIRE, "--peer", A_WIRE,
        "--tunnel", "%d:%d" % (B_TUNNEL, A_TUNNEL), "--session", "%d:%d" % (B_SESSION, A_SESSION),
        "--ip", "%s:%s" % (srv_lan, client), "--proxy-arp"])
    a_if = ep_a.ifname()
    ep_b.ifname()
    proxies = run(["ip", "neigh", "show", "proxy"], ns=b)
    assert "%s dev lan-b" % client in proxies, proxies
    # The client sends the LAN's traffic through the tunnel (a default
    # route would, on a real client).
    run(["ip", "route", "add", lan_net + "0/24", "dev", a_if], ns=a)
    out = run(["ping", "-c", "2", "-i", "0.2", "-W", "5", client], ns=lan)
    assert "2 received" in out, out
    neigh = run(["ip", "neigh", "show", client], ns=lan)
    assert "lladdr" in neigh, neigh
    quit_and_check_gone(ep_b)
    assert client not in run(["ip", "neigh", "show", "proxy"], ns=b)

# SPDX-License-Identifier: GPL-2.0-or-later
"""The data planes (l2tpd/dataplane) between two namespaces, one set of
tests for every plane, parametrized by plane:

    userspace  (l2tpd/dataplane/userspace: L2TP data in the process, IP
               through a TUN device) on the host: marker netns;
    kernel     (l2tpd/dataplane/kernel: kernel L2TP over generic netlink,
               a PPPoL2TP socket, a /dev/ppp channel and unit) in the test
               VM: marker vm (./run test runs `pytest -m vm` there).

Each namespace runs test/tools/dataplane/dp-test --plane P: one end of an
L2TP tunnel and session made through the plane's interface (dataplane.h),
addressed as after IPCP, with no PPP negotiation at all. The two ends are
symmetric:

    ns a  192.0.2.1:1701  tunnel 100 session 1001  address 198.51.100.1
    ns b  192.0.2.2:1701  tunnel 200 session 2002  address 198.51.100.2

What only one plane has is tested for it alone, named after the plane:
the userspace plane receives data through its owner's socket
(DP_CAP_DATA_RX), so its owner sees the datagrams it drops.
"""
import errno
import os
import re
import signal
import subprocess
import time

import pytest

from lib.netns import run, wait_for

A_WIRE, B_WIRE, STRANGER = "192.0.2.1", "192.0.2.2", "192.0.2.3"
A_ADDR, B_ADDR = "198.51.100.1", "198.51.100.2"
A_TUNNEL, B_TUNNEL = 100, 200
A_SESSION, B_SESSION = 1001, 2002
# What the driver sends on "send lcp" / "send ipcp" (dp_test.c).
LCP_ECHO = "c021092a0010000000006470" + "6b2d74657374"
IPCP_REQ = "80210107000a0306c6336401"
# The name a plane gives a session's device when the daemon gives none.
DEFAULT_IFNAME = {"kernel": "ppp", "userspace": "l2tp"}

PLANES = [pytest.param("userspace", marks=pytest.mark.netns, id="userspace"),
          pytest.param("kernel", marks=pytest.mark.vm, id="kernel")]
each_plane = pytest.mark.parametrize("plane", PLANES)


def driver_binary():
    build = os.environ.get("L2TP_BUILD_DIR")
    if not build:
        pytest.fail("L2TP_BUILD_DIR is not set: it names the build folder holding "
                    "test/tools/dataplane/dp-test")
    path = os.path.join(build, "test", "tools", "dataplane", "dp-test")
    if not os.access(path, os.X_OK):
        pytest.fail("%s missing: build it with ninja -C %s" % (path, build))
    return path


class Endpoint:
    """One dp-test in a namespace, commanded through a FIFO."""

    def __init__(self, stack, plane, ns, name, args):
        self.plane, self.ns, self.name = plane, ns, name
        self.fifo = os.path.join(stack.sockdir, name + ".ctl")
        os.mkfifo(self.fifo)
        self.proc = stack.spawn(name, [driver_binary(), "--plane", plane,
                                       "--control", self.fifo] + list(args), ns=ns)
        self.seq = 0

    def log(self):
        return self.proc.log()

    def expect(self, what, pattern, timeout=60):
        """Wait for a line matching pattern; fail at once if the driver
        died before printing it."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            alive = self.proc.alive()
            m = rx.search(self.log())
            if m:
                return m
            if not alive:
                raise AssertionError("%s exited (%s) before %s:\n%s" % (
                    self.name, self.proc.popen.returncode, what, self.log()))
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for %s in %s:\n%s" % (
                    what, self.name, self.log()))
            time.sleep(0.1)

    def command(self, line):
        try:
            fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise AssertionError("%s is not reading its FIFO:\n%s" % (self.name, self.log()))
            raise
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    def _tagged(self, cmd):
        """Send `cmd TAG` and parse the line answering that tag (never a
        stale one) into a dict of ints."""
        self.seq += 1
        tag = "t%d" % self.seq
        self.command("%s %s" % (cmd, tag))
        line = self.expect("%s %s" % (cmd, tag), r"^%s %s (.*)$" % (cmd, tag)).group(1)
        assert not line.startswith("error"), "%s %s: %s" % (self.name, cmd, line)
        return {k: int(v) for k, v in (kv.split("=") for kv in line.split())}

    def stats(self):
        """session_stats (IP data only) and the control messages seen."""
        return self._tagged("stats")

    def counters(self):
        """The plane's own counters."""
        return self._tagged("counters")

    def ready(self):
        self.expect("probe", r"^probe ok")
        self.expect("ready", r"^ready$")

    def ifname(self):
        return self.expect("the interface name", r"^ifname (\S+)$").group(1)

    def received(self):
        """The frames handed up (ppp_control_rx), as hex."""
        return re.findall(r"^rx ([0-9a-f]+)$", self.log(), re.M)


def endpoint_args(local, peer, tunnels, sessions, ip=None, extra=()):
    args = ["--local", local, "--peer", peer, "--tunnel", "%d:%d" % tunnels,
            "--session", "%d:%d" % sessions]
    if ip:
        args += ["--ip", "%s,%s" % ip]
    return args + list(extra)


def wire(stack):
    a = stack.netns("a")
    b = stack.netns("b")
    stack.veth(a, "a0", A_WIRE + "/24", b, "b0", B_WIRE + "/24")
    return a, b


def start_pair(stack, plane, extra_a=(), extra_b=(), ip=True):
    a, b = wire(stack)
    mtu = ["--mtu", "1400", "--mru", "1400"]
    ea = Endpoint(stack, plane, a, "dp-a", endpoint_args(
        A_WIRE, B_WIRE, (A_TUNNEL, B_TUNNEL), (A_SESSION, B_SESSION),
        (A_ADDR, B_ADDR) if ip else None, mtu + list(extra_a)))
    eb = Endpoint(stack, plane, b, "dp-b", endpoint_args(
        B_WIRE, A_WIRE, (B_TUNNEL, A_TUNNEL), (B_SESSION, A_SESSION),
        (B_ADDR, A_ADDR) if ip else None, mtu + list(extra_b)))
    for e in (ea, eb):
        e.ready()
    return ea, eb


def start_capture(stack, ns, ifname, path, name, filter_=()):
    cap = stack.spawn(name, ["tcpdump", "-i", ifname, "-n", "-U", "--immediate-mode",
                             "-w", path] + list(filter_), ns=ns)
    wait_for("%s to listen" % name, lambda: "listening" in cap.log(), timeout=30)
    return cap


def pcap_count(path, filter_=""):
    out = subprocess.run(["tcpdump", "-n", "-r", path] + ([filter_] if filter_ else []),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return len([l for l in out.splitlines() if l.strip()])


def links(ns):
    return run(["ip", "-o", "link", "show"], ns=ns)


def l2tp_objects(ns):
    """The kernel's L2TP tunnels and sessions (the kernel plane's)."""
    return (run(["ip", "l2tp", "show", "tunnel"], ns=ns).strip(),
            run(["ip", "l2tp", "show", "session"], ns=ns).strip())


def quit_and_check_gone(ep):
    name = ep.ifname()
    ep.command("quit")
    assert ep.proc.popen.wait(60) == 0, ep.log()
    assert re.search(r"^gone$", ep.log(), re.M), ep.log()
    assert re.search(r"^watched 0$", ep.log(), re.M), ep.log()
    assert not re.search(r"^\d+: %s[:@]" % re.escape(name), links(ep.ns), re.M)


@each_plane
def test_session_interface_has_point_to_point_addresses_mtu_and_peer_route(stack, plane):
    ea, eb = start_pair(stack, plane)
    for e, local, peer in ((ea, A_ADDR, B_ADDR), (eb, B_ADDR, A_ADDR)):
        ifname = e.ifname()
        out = run(["ip", "-4", "-o", "addr", "show", "dev", ifname], ns=e.ns)
        assert "inet %s peer %s/32" % (local, peer) in out, out
        link = run(["ip", "-o", "link", "show", "dev", ifname], ns=e.ns)
        assert "mtu 1400" in link, link
        assert "UP" in link.split("<")[1].split(">")[0].split(","), link
        route = run(["ip", "route", "get", peer], ns=e.ns)
        assert "dev %s" % ifname in route and "src %s" % local in route, route
    if plane == "kernel":
        tunnels, sessions = l2tp_objects(ea.ns)
        assert "Tunnel %d, encap UDP" % A_TUNNEL in tunnels, tunnels
        assert "Peer tunnel %d" % B_TUNNEL in tunnels, tunnels
        assert "Session %d in tunnel %d" % (A_SESSION, A_TUNNEL) in sessions, sessions
        assert "Peer session %d, tunnel %d" % (B_SESSION, B_TUNNEL) in sessions, sessions


@each_plane
def test_ping_crosses_as_l2tp_data_with_the_peers_ids(stack, plane, workdir):
    ea, eb = start_pair(stack, plane)
    pcap = os.path.join(workdir, "wire.pcap")
    cap = start_capture(stack, eb.ns, "b0", pcap, "tcpdump-wire", ["udp", "port", "1701"])

    out = run(["ping", "-c", "3", "-i", "0.2", "-W", "5", B_ADDR], ns=ea.ns)
    assert " 0% packet loss" in out, out
    # tcpdump (under TCG in the VM) lags behind: let it write what it saw.
    wait_for("6 L2TP packets in the capture", lambda: pcap_count(pcap) >= 6, timeout=60)
    cap.stop(signal.SIGINT)

    from scapy.all import rdpcap, IP, UDP, ICMP
    from scapy.layers.l2tp import L2TP
    requests, replies = [], []
    for pkt in rdpcap(pcap):
        udp = pkt[UDP]
        assert udp.sport == 1701 and udp.dport == 1701
        raw = bytes(udp.payload)
        l2tp = L2TP(raw)
        assert l2tp.hdr == 0 and l2tp.version == 2, "a data message without L, S, O"
        # FF 03 and protocol 0x0021 (RFC 1661 section 2), then the IP packet.
        assert raw[6:10] == b"\xff\x03\x00\x21", raw[:12].hex()
        inner = IP(raw[10:])
        if pkt[IP].dst == B_WIRE:
            # a -> b carries b's ids (RFC 2661 section 3.1)
            assert (l2tp.tunnel_id, l2tp.session_id) == (B_TUNNEL, B_SESSION)
            assert inner.src == A_ADDR and inner.dst == B_ADDR and inner[ICMP].type == 8
            requests.append(inner)
        else:
            assert (l2tp.tunnel_id, l2tp.session_id) == (A_TUNNEL, A_SESSION)
            assert inner.src == B_ADDR and inner.dst == A_ADDR and inner[ICMP].type == 0
            replies.append(inner)
    assert len(requests) == 3 and len(replies) == 3

    # The same through tshark's own L2TP dissector: nothing malformed.
    malformed = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "_ws.malformed"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert malformed.stdout.strip() == "", malformed.stdout


@each_plane
def test_stats_count_the_ip_packets(stack, plane):
    ea, eb = start_pair(stack, plane)
    before = ea.stats(), eb.stats()
    out = run(["ping", "-c", "3", "-i", "0.2", "-W", "5", B_ADDR], ns=ea.ns)
    assert " 0% packet loss" in out, out
    for e, b in zip((ea, eb), before):
        after = e.stats()
        delta = {k: after[k] - b[k] for k in after}
        # 84 bytes: a 20-octet IP header, 8 of ICMP, 56 of data (ping's default).
        assert (delta["tx_packets"], delta["tx_bytes"]) == (3, 252), (b, after)
        assert (delta["rx_packets"], delta["rx_bytes"]) == (3, 252), (b, after)
        assert after["rx_errors"] == 0, after


@each_plane
def test_control_frames_reach_the_peers_control_rx_not_its_interface(stack, plane, workdir):
    ea, eb = start_pair(stack, plane)
    ppp_pcap = os.path.join(workdir, "session-b.pcap")
    cap = start_capture(stack, eb.ns, eb.ifname(), ppp_pcap, "tcpdump-session")
    data_before = ea.stats(), eb.stats()

    # Kernel: LCP goes through the channel fd, IPCP through the unit fd;
    # on the far side they arrive on the channel and unit queues.
    ea.command("send lcp")
    ea.expect("LCP sent", r"^sent lcp ok$")
    eb.expect("LCP at the peer", r"^rx %s$" % LCP_ECHO)
    ea.command("send ipcp")
    ea.expect("IPCP sent", r"^sent ipcp ok$")
    eb.expect("IPCP at the peer", r"^rx %s$" % IPCP_REQ)

    cap.stop(signal.SIGINT)
    assert eb.received() == [LCP_ECHO, IPCP_REQ], eb.log()
    assert ea.received() == [], ea.log()
    # Control frames never cross the session's device, nor count as data
    # (session_stats, dataplane.h; the kernel plane takes the unit's NCP
    # frames out of pppN's counters).
    assert pcap_count(ppp_pcap) == 0
    assert ea.stats() == data_before[0] and eb.stats() == data_before[1]
    if plane == "userspace":
        assert ea.counters()["ctrl_tx"] == 2
        assert eb.counters()["ctrl_rx"] == 2


@each_plane
def test_quit_removes_interfaces_tunnels_and_sessions(stack, plane):
    ea, eb = start_pair(stack, plane)
    out = run(["ping", "-c", "1", "-W", "5", B_ADDR], ns=ea.ns)
    assert " 0% packet loss" in out, out
    for e in (ea, eb):
        quit_and_check_gone(e)
        if plane == "kernel":
            assert l2tp_objects(e.ns) == ("", "")


@each_plane
def test_killed_endpoint_leaves_no_interface_or_tunnel(stack, plane):
    ea, eb = start_pair(stack, plane)
    a_if, b_if = ea.ifname(), eb.ifname()
    ea.proc.stop(signal.SIGKILL)
    # Closing its fds is enough: the TUN fd, or the unit's owner fd
    # unregisters pppN, the PPPoL2TP socket deletes the session, the UDP
    # socket the tunnel.
    wait_for("the interface gone in a", lambda: ("%s:" % a_if) not in links(ea.ns), timeout=30)
    if plane == "kernel":
        wait_for("tunnel gone in a", lambda: l2tp_objects(ea.ns) == ("", ""), timeout=30)
    assert ("%s:" % b_if) in links(eb.ns), "b must be untouched"


@each_plane
def test_ipv6_link_local_addresses_from_interface_identifiers(stack, plane):
    ea, eb = start_pair(stack, plane, extra_a=["--ipv6", "1111,2222"],
                        extra_b=["--ipv6", "2222,1111"])
    for e, local, peer in ((ea, "fe80::1111", "fe80::2222"), (eb, "fe80::2222", "fe80::1111")):
        out = run(["ip", "-6", "-o", "addr", "show", "dev", e.ifname()], ns=e.ns)
        assert "inet6 %s peer %s/128" % (local, peer) in out, out
        # Only the agreed link-local: the kernel made none of its own.
        assert out.count("inet6") == 1, out
    res = subprocess.run(["ip", "netns", "exec", ea.ns, "ping", "-6", "-c", "2", "-i", "0.2",
                          "-W", "5", "fe80::2222%" + ea.ifname()],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if " 0% packet loss" not in res.stdout:
        diag = "\n".join(run(c, ns=e.ns, check=False) for e in (ea, eb) for c in (
            ["ip", "-6", "addr"], ["ip", "-6", "route", "show", "table", "all"],
            ["ip", "-s", "link", "show", "dev", e.ifname()], ["sysctl", "net.ipv6.conf.all"]))
        raise AssertionError(res.stdout + diag)


@each_plane
def test_proxy_arp_puts_the_client_on_the_lan(stack, plane):
    """a is the server with a LAN (203.0.113.0/24 on lan0); the client's
    address is taken from that LAN, as a Windows VPN server does. A host
    on the LAN reaches the client through a's proxy ARP entry."""
    lan_srv, lan_host, client_addr = "203.0.113.1", "203.0.113.9", "203.0.113.50"
    a, b = wire(stack)
    lan = stack.netns("lan")
    stack.veth(a, "lan0", lan_srv + "/24", lan, "eth0", lan_host + "/24")
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=a)
    ea = Endpoint(stack, plane, a, "dp-a", endpoint_args(
        A_WIRE, B_WIRE, (A_TUNNEL, B_TUNNEL), (A_SESSION, B_SESSION), (lan_srv, client_addr),
        ["--proxy-arp"]))
    eb = Endpoint(stack, plane, b, "dp-b", endpoint_args(
        B_WIRE, A_WIRE, (B_TUNNEL, A_TUNNEL), (B_SESSION, A_SESSION), (client_addr, lan_srv)))
    for e in (ea, eb):
        e.ready()
    # The client routes the LAN through its tunnel (a default route would,
    # on a real client).
    run(["ip", "route", "add", "203.0.113.0/24", "dev", eb.ifname()], ns=b)

    neigh = run(["ip", "neigh", "show", "proxy"], ns=a)
    assert "%s dev lan0" % client_addr in neigh, neigh
    out = run(["ping", "-c", "3", "-i", "0.2", "-W", "5", client_addr], ns=lan)
    assert " 0% packet loss" in out, out
    arp = run(["ip", "neigh", "show", client_addr], ns=lan)
    mac_lan0 = run(["cat", "/sys/class/net/lan0/address"], ns=a).strip()
    assert mac_lan0 in arp, (arp, mac_lan0)

    quit_and_check_gone(ea)
    assert client_addr not in run(["ip", "neigh", "show", "proxy"], ns=a)


@each_plane
def test_interface_takes_the_hinted_name(stack, plane):
    ea, eb = start_pair(stack, plane, extra_a=["--ifname", "vpn-alice"])
    assert ea.ifname() == "vpn-alice"
    out = run(["ip", "-4", "-o", "addr", "show", "dev", "vpn-alice"], ns=ea.ns)
    assert "inet %s peer %s/32" % (A_ADDR, B_ADDR) in out, out
    assert eb.ifname().startswith(DEFAULT_IFNAME[plane])
    out = run(["ping", "-c", "2", "-i", "0.2", "-W", "5", B_ADDR], ns=ea.ns)
    assert " 0% packet loss" in out, out


# ---- the userspace plane alone: data through its owner's socket ----------

def inject(ns, src, sport, tunnel, session, payload_hex):
    """Send one L2TP data message to b with scapy (raw IP: any source)."""
    script = (
        "from scapy.all import IP, UDP, Raw, send\n"
        "hdr = bytes([0x00, 0x02, %d >> 8, %d & 0xff, %d >> 8, %d & 0xff])\n"
        "send(IP(src=%r, dst=%r)/UDP(sport=%d, dport=1701)/Raw(hdr + bytes.fromhex(%r)),"
        " verbose=0)\n" % (tunnel, tunnel, session, session, src, B_WIRE, sport, payload_hex))
    run(["/usr/bin/python3", "-c", script], ns=ns)


@pytest.mark.netns
def test_userspace_wrong_session_or_source_is_counted_and_dropped(stack):
    ea, eb = start_pair(stack, "userspace")
    # The stranger's address on a's side, to send from an address that is
    # not the tunnel's peer.
    run(["ip", "addr", "add", STRANGER + "/24", "dev", "a0"], ns=ea.ns)
    lcp = "ff03" + LCP_ECHO
    # From the right address and port, to a session b does not have.
    inject(ea.ns, A_WIRE, 1701, B_TUNNEL, B_SESSION + 1, lcp)
    # To a tunnel b does not have.
    inject(ea.ns, A_WIRE, 1701, B_TUNNEL + 1, B_SESSION, lcp)
    # The right ids from an address that is not the tunnel's peer, and
    # from the peer's address but another port.
    inject(ea.ns, STRANGER, 1701, B_TUNNEL, B_SESSION, lcp)
    inject(ea.ns, A_WIRE, 1702, B_TUNNEL, B_SESSION, lcp)
    # And one that is right: it gets through (the injection works).
    inject(ea.ns, A_WIRE, 1701, B_TUNNEL, B_SESSION, lcp)
    eb.expect("the good frame", r"^rx %s$" % LCP_ECHO)

    c = eb.counters()
    assert c["rx-unknown-session"] == 1
    assert c["rx-unknown-tunnel"] == 1
    assert c["rx-peer-mismatch"] == 2
    assert c["ctrl_rx"] == 1
    assert eb.stats()["rx_errors"] == 2      # the session's share: the two from wrong sources
    assert len(eb.received()) == 1


@pytest.mark.netns
def test_userspace_ip_before_set_ip_is_dropped(stack):
    a, b = wire(stack)
    # b has no addresses yet (IPCP not up): IPv4 from the peer is dropped.
    eb = Endpoint(stack, "userspace", b, "dp-b", endpoint_args(
        B_WIRE, A_WIRE, (B_TUNNEL, A_TUNNEL), (B_SESSION, A_SESSION)))
    eb.ready()
    ipv4 = "4500001c000100004001" + "0000" + "c6336401c6336402" + "0800f7ff00000000"
    inject(a, A_WIRE, 1701, B_TUNNEL, B_SESSION, "ff030021" + ipv4)
    wait_for("the drop counted", lambda: eb.counters()["rx-protocol-down"] == 1, timeout=10)
    assert eb.stats()["rx_packets"] == 0

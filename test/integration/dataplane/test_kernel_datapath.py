# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel data path (l2tpd/dataplane/kernel) between two namespaces.

Each namespace runs test/tools/dataplane-kernel/dp-kernel-test: one end of
an L2TP tunnel and session made through the backend (kernel L2TP over
generic netlink, a PPPoL2TP socket, a /dev/ppp channel and unit), with the
ppp interface addressed as after IPCP, but no PPP negotiation at all. The
two ends are symmetric:

    ns a  192.0.2.1:1701  tunnel 100 session 1001  ppp 198.51.100.1
    ns b  192.0.2.2:1701  tunnel 200 session 2002  ppp 198.51.100.2

Needs the real kernel (l2tp_ppp, /dev/ppp): runs inside the test VM.
"""
import errno
import os
import re
import signal
import subprocess
import time

import pytest

from lib.netns import run, wait_for

A_WIRE, B_WIRE = "192.0.2.1", "192.0.2.2"
A_PPP, B_PPP = "198.51.100.1", "198.51.100.2"
A_TUNNEL, B_TUNNEL = 100, 200
A_SESSION, B_SESSION = 1001, 2002
# What the driver sends on "send lcp" / "send ipcp" (dp_kernel_test.c).
LCP_ECHO = "c021092a0010000000006470" + "6b2d74657374"
IPCP_REQ = "80210107000a0306c6336401"


def driver_binary():
    build = os.environ.get("L2TP_BUILD_DIR")
    if not build:
        pytest.fail("L2TP_BUILD_DIR is not set: it names the build folder holding "
                    "test/tools/dataplane-kernel/dp-kernel-test")
    path = os.path.join(build, "test", "tools", "dataplane-kernel", "dp-kernel-test")
    if not os.access(path, os.X_OK):
        pytest.fail("%s missing: build it with ninja -C %s" % (path, build))
    return path


class Endpoint:
    """One dp-kernel-test in a namespace, commanded through a FIFO."""

    def __init__(self, stack, ns, name, args):
        self.ns, self.name = ns, name
        self.fifo = os.path.join(stack.sockdir, name + ".ctl")
        os.mkfifo(self.fifo)
        self.proc = stack.spawn(name, [driver_binary(), "--control", self.fifo] + args, ns=ns)

    def log(self):
        return self.proc.log()

    def expect(self, what, pattern, timeout=60):
        """Wait for a line matching pattern; fail at once if the driver died."""
        rx = re.compile(pattern, re.M)

        def seen():
            m = rx.search(self.log())
            if m:
                return m
            if not self.proc.alive():
                raise AssertionError("%s exited (%s) before %s:\n%s" % (
                    self.name, self.proc.popen.returncode, what, self.log()))
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = seen()
            if m:
                return m
            time.sleep(0.1)
        raise AssertionError("timed out waiting for %s in %s:\n%s" % (what, self.name, self.log()))

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

    def stats(self):
        before = self.log().count("\nstats ")
        self.command("stats")
        deadline = time.monotonic() + 30
        while self.log().count("\nstats ") <= before and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.log().count("\nstats ") <= before:
            # never read a stale line as the answer
            raise AssertionError("%s did not answer 'stats':\n%s" % (self.name, self.log()))
        line = [l for l in self.log().splitlines() if l.startswith("stats ")][-1]
        assert not line.startswith("stats error"), line
        return {k: int(v) for k, v in (f.split("=") for f in line.split()[1:])}

    def ifname(self):
        return self.expect("the interface name", r"^ifname (\S+)$").group(1)


def start_pair(stack, extra_a=(), extra_b=()):
    a = stack.netns("a")
    b = stack.netns("b")
    stack.veth(a, "a0", A_WIRE + "/24", b, "b0", B_WIRE + "/24")
    ea = Endpoint(stack, a, "dpk-a", [
        "--local", A_WIRE, "--peer", B_WIRE,
        "--tunnel", "%d:%d" % (A_TUNNEL, B_TUNNEL), "--session", "%d:%d" % (A_SESSION, B_SESSION),
        "--ip", "%s,%s" % (A_PPP, B_PPP), "--mtu", "1400", "--mru", "1400"] + list(extra_a))
    eb = Endpoint(stack, b, "dpk-b", [
        "--local", B_WIRE, "--peer", A_WIRE,
        "--tunnel", "%d:%d" % (B_TUNNEL, A_TUNNEL), "--session", "%d:%d" % (B_SESSION, A_SESSION),
        "--ip", "%s,%s" % (B_PPP, A_PPP), "--mtu", "1400", "--mru", "1400"] + list(extra_b))
    for e in (ea, eb):
        e.expect("probe", r"^probe ok")
        e.expect("ready", r"^ready$")
    return ea, eb


def start_capture(stack, ns, ifname, path, name):
    cap = stack.spawn(name, ["tcpdump", "-i", ifname, "-n", "-U", "-w", path], ns=ns)
    wait_for("%s to listen" % name, lambda: "listening" in cap.log(), timeout=30)
    return cap


def pcap_count(path, filter_=""):
    out = subprocess.run(["tcpdump", "-n", "-r", path] + ([filter_] if filter_ else []),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return len([l for l in out.splitlines() if l.strip()])


def ppp_links(ns):
    out = run(["ip", "-o", "link", "show"], ns=ns)
    return [l for l in out.splitlines() if re.search(r"^\d+: ppp", l)]


def l2tp_objects(ns):
    return (run(["ip", "l2tp", "show", "tunnel"], ns=ns).strip(),
            run(["ip", "l2tp", "show", "session"], ns=ns).strip())


@pytest.mark.vm
def test_kernel_session_interface_has_point_to_point_addresses_and_mtu(stack):
    ea, eb = start_pair(stack)
    for e, local, peer in ((ea, A_PPP, B_PPP), (eb, B_PPP, A_PPP)):
        ifname = e.ifname()
        out = run(["ip", "-4", "-o", "addr", "show", "dev", ifname], ns=e.ns)
        assert "inet %s peer %s/32" % (local, peer) in out, out
        link = run(["ip", "-o", "link", "show", "dev", ifname], ns=e.ns)
        assert "mtu 1400" in link, link
        assert "UP" in link.split("<")[1].split(">")[0], link
        route = run(["ip", "route", "get", peer], ns=e.ns)
        assert "dev %s" % ifname in route, route
    tunnels, sessions = l2tp_objects(ea.ns)
    assert "Tunnel %d, encap UDP" % A_TUNNEL in tunnels, tunnels
    assert "Peer tunnel %d" % B_TUNNEL in tunnels, tunnels
    assert "Session %d in tunnel %d" % (A_SESSION, A_TUNNEL) in sessions, sessions
    assert "Peer session %d, tunnel %d" % (B_SESSION, B_TUNNEL) in sessions, sessions


@pytest.mark.vm
def test_kernel_ping_crosses_as_l2tp_data_with_the_peers_session_id(stack, workdir):
    ea, eb = start_pair(stack)
    pcap = os.path.join(workdir, "wire.pcap")
    cap = start_capture(stack, eb.ns, "b0", pcap, "tcpdump-wire")
    before = ea.stats()

    out = run(["ping", "-c", "5", "-i", "0.2", "-W", "5", B_PPP], ns=ea.ns)
    assert " 0% packet loss" in out, out

    after = ea.stats()
    # tcpdump under TCG lags behind: let it write what it saw before stopping.
    wait_for("10 L2TP packets in the capture", lambda: pcap_count(pcap, "udp port 1701") >= 10,
             timeout=60)
    cap.stop(signal.SIGINT)
    # The ppp unit counted the IP packets (IFLA_STATS64 of pppN).
    assert after["tx_packets"] - before["tx_packets"] >= 5, (before, after)
    assert after["rx_packets"] - before["rx_packets"] >= 5, (before, after)
    assert after["tx_bytes"] - before["tx_bytes"] >= 5 * 84, (before, after)

    # The wire, through tshark's own L2TP dissector: data messages (T=0)
    # addressed with the receiver's tunnel and session ids, IP inside PPP.
    fields = subprocess.run(
        ["tshark", "-n", "-r", pcap, "-Y", "l2tp.type == 0 && icmp",
         "-T", "fields", "-e", "udp.srcport", "-e", "udp.dstport",
         "-e", "l2tp.tunnel", "-e", "l2tp.session", "-e", "icmp.type"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert fields.returncode == 0, fields.stderr
    rows = [l.split("\t") for l in fields.stdout.splitlines() if l.count("\t") == 4]
    to_b = [r for r in rows if r[2] == str(B_TUNNEL)]
    to_a = [r for r in rows if r[2] == str(A_TUNNEL)]
    assert len(to_b) >= 5 and len(to_a) >= 5, fields.stdout
    assert all(r[:2] == ["1701", "1701"] for r in rows), fields.stdout
    assert all(r[3] == str(B_SESSION) and r[4] == "8" for r in to_b), fields.stdout
    assert all(r[3] == str(A_SESSION) and r[4] == "0" for r in to_a), fields.stdout
    malformed = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "_ws.malformed"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert malformed.stdout.strip() == "", malformed.stdout


@pytest.mark.vm
def test_kernel_control_frames_reach_the_peers_control_rx_not_its_interface(stack, workdir):
    ea, eb = start_pair(stack)
    ppp_pcap = os.path.join(workdir, "ppp-b.pcap")
    cap = start_capture(stack, eb.ns, eb.ifname(), ppp_pcap, "tcpdump-ppp")

    # LCP goes through the channel fd, IPCP through the unit fd; on the
    # far side they arrive on the channel and unit queues respectively.
    ea.command("send lcp")
    ea.expect("LCP sent", r"^sent lcp ok$")
    eb.expect("LCP at the peer", r"^rx %s$" % LCP_ECHO)
    ea.command("send ipcp")
    ea.expect("IPCP sent", r"^sent ipcp ok$")
    eb.expect("IPCP at the peer", r"^rx %s$" % IPCP_REQ)

    cap.stop(signal.SIGINT)
    assert eb.log().count("rx c021") == 1, eb.log()
    assert eb.log().count("rx 8021") == 1, eb.log()
    assert "rx " not in ea.log(), ea.log()
    # Control frames never cross the netdev: nothing was captured on pppN.
    assert pcap_count(ppp_pcap) == 0


@pytest.mark.vm
def test_kernel_quit_removes_interfaces_tunnels_and_sessions(stack):
    ea, eb = start_pair(stack)
    for e in (ea, eb):
        assert ppp_links(e.ns), "no ppp interface in %s" % e.ns
        e.command("quit")
    for e in (ea, eb):
        rc = e.proc.popen.wait(60)
        assert rc == 0, e.log()
        assert "\ngone\n" in e.log(), e.log()
        assert "watched 0" in e.log(), e.log()
        assert ppp_links(e.ns) == []
        assert l2tp_objects(e.ns) == ("", "")


@pytest.mark.vm
def test_kernel_killed_endpoint_leaves_no_interface_or_tunnel(stack):
    ea, eb = start_pair(stack)
    ea.proc.stop(signal.SIGKILL)
    # Closing its fds is enough: the unit's owner fd unregisters pppN, the
    # PPPoL2TP socket deletes the session, the UDP socket the tunnel.
    wait_for("ppp interface gone in a", lambda: ppp_links(ea.ns) == [], timeout=30)
    wait_for("tunnel gone in a", lambda: l2tp_objects(ea.ns) == ("", ""), timeout=30)
    assert ppp_links(eb.ns), "b must be untouched"


@pytest.mark.vm
def test_kernel_ipv6_link_local_addresses_from_interface_identifiers(stack):
    ea, eb = start_pair(stack, extra_a=["--ipv6", "1,2"], extra_b=["--ipv6", "2,1"])
    out = run(["ip", "-6", "-o", "addr", "show", "dev", ea.ifname()], ns=ea.ns)
    assert "inet6 fe80::1 peer fe80::2/128" in out, out
    out = run(["ip", "-6", "-o", "addr", "show", "dev", eb.ifname()], ns=eb.ns)
    assert "inet6 fe80::2 peer fe80::1/128" in out, out
    res = subprocess.run(["ip", "netns", "exec", ea.ns, "ping", "-6", "-c", "2", "-i", "0.2",
                          "-W", "5", "fe80::2%" + ea.ifname()],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    diag = "\n".join(run(c, ns=e.ns, check=False) for e in (ea, eb) for c in (
        ["ip", "-6", "addr"], ["ip", "-6", "route", "show", "table", "all"],
        ["ip", "-s", "link", "show", "dev", e.ifname()], ["sysctl", "net.ipv6.conf.all"]))
    assert " 0% packet loss" in res.stdout, res.stdout + diag


@pytest.mark.vm
def test_kernel_proxy_arp_answers_for_the_peer_on_the_lan(stack):
    # a is the server with a LAN (203.0.113.0/24 on lan0); the client's
    # address is taken from that LAN, as a Windows VPN server does. A host
    # on the LAN reaches the client through a's proxy ARP entry.
    lan_srv, lan_host, client_addr = "203.0.113.1", "203.0.113.9", "203.0.113.50"
    a = stack.netns("a")
    b = stack.netns("b")
    lan = stack.netns("lan")
    stack.veth(a, "a0", A_WIRE + "/24", b, "b0", B_WIRE + "/24")
    stack.veth(a, "lan0", lan_srv + "/24", lan, "eth0", lan_host + "/24")
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=a)
    ea = Endpoint(stack, a, "dpk-a", [
        "--local", A_WIRE, "--peer", B_WIRE, "--tunnel", "100:200", "--session", "1001:2002",
        "--ip", "%s,%s" % (lan_srv, client_addr), "--proxy-arp"])
    eb = Endpoint(stack, b, "dpk-b", [
        "--local", B_WIRE, "--peer", A_WIRE, "--tunnel", "200:100", "--session", "2002:1001",
        "--ip", "%s,%s" % (client_addr, lan_srv)])
    for e in (ea, eb):
        e.expect("ready", r"^ready$")
    # The client routes the LAN through its tunnel.
    run(["ip", "route", "add", "203.0.113.0/24", "dev", eb.ifname()], ns=b)

    neigh = run(["ip", "neigh", "show", "proxy"], ns=a)
    assert "%s dev lan0" % client_addr in neigh, neigh
    out = run(["ping", "-c", "3", "-i", "0.2", "-W", "5", client_addr], ns=lan)
    assert " 0% packet loss" in out, out
    arp = run(["ip", "neigh", "show", client_addr], ns=lan)
    mac_lan0 = run(["cat", "/sys/class/net/lan0/address"], ns=a).strip()
    assert mac_lan0 in arp, (arp, mac_lan0)

    ea.command("quit")
    assert ea.proc.popen.wait(60) == 0, ea.log()
    assert client_addr not in run(["ip", "neigh", "show", "proxy"], ns=a)


@pytest.mark.vm
def test_kernel_interface_takes_the_hinted_name(stack):
    ea, eb = start_pair(stack, extra_a=["--ifname", "vpn-alice"])
    assert ea.ifname() == "vpn-alice"
    out = run(["ip", "-4", "-o", "addr", "show", "dev", "vpn-alice"], ns=ea.ns)
    assert "inet %s peer %s/32" % (A_PPP, B_PPP) in out, out
    assert eb.ifname().startswith("ppp")
    out = run(["ping", "-c", "2", "-i", "0.2", "-W", "5", B_PPP], ns=ea.ns)
    assert " 0% packet loss" in out, out

# SPDX-License-Identifier: GPL-2.0-or-later
"""The link fits the tunnel (docs/operations.md, "The link's MTU"): the
session link's MTU is derived from the path (1398 for a 1500-octet path over
IPv4), and a TCP SYN from the LAN to a client crosses the session link with
its MSS clamped to that MTU minus 40, as seen on the wire (tcpdump on the
session's interface). With `ppp.mss_clamp = no` the same SYN keeps the LAN's
1460: the clamp is what lowers it. Both data paths (the kernel one in the
test VM), in namespaces."""
import re
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS
from lib.client import client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
SRV_LAN, LAN_HOST = "203.0.113.1", "203.0.113.2"

CONNECT = ("import socket,sys; s=socket.socket(); s.setblocking(False)\n"
           "try: s.connect((sys.argv[1], 80))\nexcept BlockingIOError: pass\n"
           "print('sent', flush=True)\nimport time; time.sleep(30)")


PLANES = ["userspace", pytest.param("kernel", marks=pytest.mark.vm)]
# a session's interface: l2tpT-S (userspace TUN) or pppN (kernel)
IFACE = r"(?:l2tp\d+-\d+|ppp\d+)"


@pytest.fixture(params=PLANES)
def nets(request, stack):
    srv, cli, lan = stack.netns("srv"), stack.netns("cli"), stack.netns("lan")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    stack.veth(srv, "lan0", SRV_LAN + "/24", lan, "eth0", LAN_HOST + "/24")
    run(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], ns=srv)
    run(["ip", "route", "add", "198.51.100.0/24", "via", SRV_LAN], ns=lan)
    return srv, cli, lan, request.param


def session_up(stack, srv, cli, clamp, plane):
    d = L2tpd(stack, srv, listen=SERVER, dataplane=plane,
              extra="ppp {\n        mss_clamp = %s\n    }" % clamp)
    d.start()
    holder = stack.spawn("client", [client_path(), "--server", SERVER, "--user", "alice",
                                    "--password", PASSWORDS["alice"], "--hold-forever",
                                    "--json"], ns=cli)
    up = wait_for("alice up", lambda: re.search(r'"event": *"up".*?"addr": *"([0-9.]+)"',
                                                 holder.log()))
    addr = up.group(1)
    link = wait_for("the session's interface", lambda: [
        l for l in run(["ip", "-o", "link", "show"], ns=srv).splitlines()
        if re.match(r"\d+: %s[:@]" % IFACE, l)])
    ifname = re.match(r"\d+: (%s)" % IFACE, link[0]).group(1)
    return d, addr, ifname, link[0]


def syn_mss_on_the_link(stack, srv, lan, ifname, addr):
    cap = stack.spawn("tcpdump", ["tcpdump", "-i", ifname, "-n", "-l", "-c", "1",
                                  "tcp[tcpflags] & tcp-syn != 0"], ns=srv)
    wait_for("tcpdump listening", lambda: "listening on" in cap.log())
    stack.spawn("lan-connect", [sys.executable, "-c", CONNECT, addr], ns=lan)
    line = wait_for("the SYN on the session link", lambda: re.search(r"mss (\d+)", cap.log()))
    return int(line.group(1))


@pytest.mark.netns
def test_syn_to_a_client_is_clamped_to_the_link(stack, nets):
    srv, cli, lan, plane = nets
    d, addr, ifname, link = session_up(stack, srv, cli, "yes", plane)
    assert "mtu 1398" in link, link          # derived from the 1500 path
    assert syn_mss_on_the_link(stack, srv, lan, ifname, addr) == 1398 - 40


@pytest.mark.netns
def test_without_the_clamp_the_lan_mss_goes_through(stack, nets):
    srv, cli, lan, plane = nets
    d, addr, ifname, link = session_up(stack, srv, cli, "no", plane)
    assert syn_mss_on_the_link(stack, srv, lan, ifname, addr) == 1460
    assert "l2tpd_mss" not in run(["nft", "list", "tables"], ns=srv)

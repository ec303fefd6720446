# SPDX-License-Identifier: GPL-2.0-or-later
"""Clients on the LAN subnet (docs/addresses.md "Clients on the LAN
subnet", issue 15 item 3): a pool cut from the LAN's /24, and a host on
that LAN with only its connected /24 (no route to the pool, no default
route) that reaches a client by ARP alone: the concentrator answers ARP
for the client's address and forwards into the tunnel.

The client (our test client, test/tools/l2tp-client) pings the LAN host
from its pool address: the LAN host's echo reply to that address needs
an ARP answer on the LAN, which only proxy ARP gives; the LAN host also
asks by ARP itself (scapy) and sees the concentrator's LAN MAC address,
or nothing with proxy_arp = no. Also: a reload turning it off and on for
a session up, a DHCP pool (on by default), a user's static address,
l2tpd --check. Both data planes: userspace on this host (a TUN per
session and a shared one), kernel in the test VM."""
import json
import os
import re

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY, build_dir
from lib.client import client_path, run_client, by_event
# The DHCP server of the DHCP pool tests (this folder is on sys.path).
from test_dhcp_pool import Dnsmasq, POLICY as DHCP_POLICY

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
SRV_LAN, LAN_HOST = "203.0.113.1", "203.0.113.10"
POOL_LAST = "203.0.113.119"
# The userspace plane with a TUN per session and with one shared by all
# (one /32 route per client), and the kernel plane (pppN) in the VM.
BOTH_PLANES = ["userspace", "userspace-shared", pytest.param("kernel", marks=pytest.mark.vm)]
SHARED_TUN = "userspace {\n tun = shared\n }"


class Net(tuple):
    """(server, client, LAN host) namespaces, and the data plane in use."""
    dataplane = None


@pytest.fixture(params=BOTH_PLANES)
def net(request, stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    lan = stack.netns("lan")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    # The LAN: the LAN host has its connected /24 and nothing else.
    stack.veth(srv, "lan-s", SRV_LAN + "/24", lan, "lan0", LAN_HOST + "/24")
    # The kernel answers a proxy entry only on an interface that forwards.
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=srv)
    n = Net((srv, cli, lan))
    n.dataplane = request.param
    return n


def policy(proxy_arp=None):
    """The example policy with its pool moved onto the LAN subnet, and a
    second pool on no LAN of the host (auto: off)."""
    line = "\n        proxy_arp = %s" % proxy_arp if proxy_arp else ""
    text = open(EXAMPLE_POLICY).read()
    old = "        ipv4 = 198.51.100.10-198.51.100.250\n"
    assert old in text
    return text.replace(old, "        ipv4 = 203.0.113.100-203.0.113.119%s\n"
                        "    }\n    routed {\n        ipv4 = 198.51.100.10-198.51.100.250\n"
                        % line)


def start(stack, net, proxy_arp=None):
    shared = net.dataplane == "userspace-shared"
    d = L2tpd(stack, net[0], listen=SERVER, dataplane="userspace" if shared else net.dataplane,
              policy_text=policy(proxy_arp), extra=SHARED_TUN if shared else "")
    d.start()
    return d


def mac_of(ns, ifname):
    return json.loads(run(["ip", "-j", "link", "show", ifname], ns=ns))[0]["address"]


# One ARP request from the LAN host for an address, as its stack sends
# them (broadcast, from its own address): the answering MAC address, or
# "none" when nobody answered within the wait (the negative test's bound).
ARP_ASK = """
import sys
from scapy.all import ARP, Ether, conf, get_if_addr, get_if_hwaddr, srp1
conf.verb = 0
ifname, target, wait = sys.argv[1], sys.argv[2], float(sys.argv[3])
req = Ether(dst="ff:ff:ff:ff:ff:ff", src=get_if_hwaddr(ifname)) / ARP(
    op=1, hwsrc=get_if_hwaddr(ifname), psrc=get_if_addr(ifname), pdst=target)
ans = srp1(req, iface=ifname, timeout=wait)
print(ans[ARP].hwsrc if ans is not None and ans[ARP].op == 2 and ans[ARP].psrc == target
      else "none")
"""


def arp_answer(ns, target, wait, ifname="lan0"):
    return run(["/usr/bin/python3", "-c", ARP_ASK, ifname, target, str(wait)],
               ns=ns).strip().lower()


def up_records(proc):
    return [json.loads(l) for l in proc.log().splitlines()
            if l.startswith("{") and json.loads(l).get("event") == "up"]


def hold_client(stack, cli, *extra):
    """Our client holding one session of alice's open, once it is up (and
    has pinged, with --ping)."""
    held = stack.spawn("client", [client_path(), "--server", SERVER, "--user", "alice",
                                  "--password", PASSWORDS["alice"]] + list(extra) +
                       ["--hold-forever", "--json"], ns=cli)
    wait_for("client up", lambda: up_records(held) or not held.alive(), timeout=60)
    assert up_records(held), held.log()
    return held


def session_json(d):
    """The one session, as l2tpctl --json sessions shows it."""
    ok, text = d.ctl("json sessions")
    assert ok, text
    sessions = json.loads(text)
    assert len(sessions) == 1, sessions
    return sessions[0]


def proxies(ns):
    return run(["ip", "neigh", "show", "proxy"], ns=ns)


@pytest.mark.netns
def test_a_lan_host_reaches_a_client_of_a_lan_pool_by_arp_alone(stack, net):
    srv, cli, lan = net
    d = start(stack, net)
    # The decision, once per pool at start: the LAN pool on lan-s, the
    # other one not.
    assert "pool 'clients': proxy ARP for its clients on lan-s (203.0.113.0/24)" in d.log(), \
        d.log()
    assert "pool 'routed': no proxy ARP (its IPv4 addresses are in no connected subnet " \
        "of this host)" in d.log(), d.log()
    # The LAN host has no route to the pool but its connected /24.
    assert run(["ip", "-4", "route", "show"], ns=lan).strip().splitlines() == \
        ["203.0.113.0/24 dev lan0 proto kernel scope link src %s" % LAN_HOST]
    held = hold_client(stack, cli, "--ping", LAN_HOST)
    s = up_records(held)[0]
    addr = s["addr"]
    assert addr.startswith("203.0.113.1"), s
    # Every echo reply came back: the LAN host found the client's address
    # by ARP, answered by the concentrator with its LAN MAC address.
    assert s["ping_recv"] == 3, s
    neigh = run(["ip", "neigh", "show", addr, "dev", "lan0"], ns=lan)
    assert "lladdr %s" % mac_of(srv, "lan-s") in neigh, neigh
    assert "%s dev lan-s" % addr in proxies(srv), proxies(srv)
    assert session_json(d)["proxy_arp"] is True
    if net.dataplane == "userspace-shared":
        assert session_json(d)["interface"] == "l2tp-shared"
    assert arp_answer(lan, addr, 10) == mac_of(srv, "lan-s")
    # Not for an address of the pool that no session holds.
    assert POOL_LAST not in proxies(srv)
    # The session ends: its entry goes with it.
    held.stop()
    wait_for("session gone", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    wait_for("proxy entry removed", lambda: addr not in proxies(srv))


@pytest.mark.netns
@pytest.mark.parametrize("net", ["userspace"], indirect=True)
def test_check_says_which_pools_answer_arp_on_this_host(stack, net):
    srv, cli, lan = net
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace",
              policy_text=policy().replace("    routed {\n", "    routed {\n        proxy_arp = yes\n"))
    exe = os.path.join(build_dir(), "l2tpd", "daemon", "l2tpd")
    out = run([exe, "--check", "--config", d.conf, "--policy", d.policy], ns=srv)
    assert "pool 'clients': proxy ARP for its clients on lan-s (203.0.113.0/24)\n" in out, out
    assert "warning: pool 'routed': proxy_arp = yes, but its IPv4 addresses are in no " \
        "connected subnet of this host" in out, out
    # Forwarding off on the LAN: the kernel would not answer.
    run(["sysctl", "-qw", "net.ipv4.conf.lan-s.forwarding=0"], ns=srv)
    out = run([exe, "--check", "--config", d.conf, "--policy", d.policy], ns=srv)
    assert "warning: proxy ARP on lan-s: forwarding is off there" in out, out


@pytest.mark.netns
@pytest.mark.parametrize("net", ["userspace"], indirect=True)
def test_with_proxy_arp_no_the_lan_host_gets_no_arp_answer(stack, net):
    srv, cli, lan = net
    d = start(stack, net, proxy_arp="no")
    assert "pool 'clients': no proxy ARP (proxy_arp = no)" in d.log(), d.log()
    # The client is up and its echo requests reach the LAN host, but the
    # replies never leave it: nobody answers its ARP for the client.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LAN_HOST,
                               "--ping-count", "1", "--ping-wait", "3000")
    assert rc == 1, out
    failed = by_event(recs, "failed") or by_event(recs, "up")
    assert failed and failed[0]["ping_recv"] == 0 and failed[0]["ping_sent"] >= 1, out
    addr = failed[0]["addr"]
    assert addr.startswith("203.0.113.1"), failed
    neigh = run(["ip", "neigh", "show", addr, "dev", "lan0"], ns=lan)
    assert "lladdr" not in neigh, neigh
    assert re.search(r"(FAILED|INCOMPLETE)", neigh), neigh
    assert addr not in proxies(srv)
    # Asked once more while a session holds the address: still nobody.
    held = hold_client(stack, cli)
    addr = up_records(held)[0]["addr"]
    assert addr not in proxies(srv)
    assert arp_answer(lan, addr, 3) == "none"


@pytest.mark.netns
def test_a_reload_turns_proxy_arp_off_and_on_for_sessions_up(stack, net):
    """Both sides of a reload: the pool's proxy_arp changes and the
    sessions already up follow it at once, entry removed and added back."""
    srv, cli, lan = net
    d = start(stack, net)
    held = hold_client(stack, cli)
    addr = up_records(held)[0]["addr"]
    assert "%s dev lan-s" % addr in proxies(srv), proxies(srv)
    assert session_json(d)["proxy_arp"] is True
    lan_mac = mac_of(srv, "lan-s")

    with open(d.policy, "w") as f:
        f.write(policy("no"))
    ok, text = d.ctl("reload")
    assert ok, text
    assert "pool 'clients': no proxy ARP (proxy_arp = no)" in d.log(), d.log()
    assert re.search(r"session \d+/\d+: proxy ARP for %s off after the reload \(pool 'clients'\)"
                     % re.escape(addr), d.log()), d.log()
    assert addr not in proxies(srv), proxies(srv)
    assert session_json(d)["proxy_arp"] is False
    assert arp_answer(lan, addr, 3) == "none"

    with open(d.policy, "w") as f:
        f.write(policy())
    ok, text = d.ctl("reload")
    assert ok, text
    assert re.search(r"session \d+/\d+: proxy ARP for %s on after the reload \(pool 'clients'\)"
                     % re.escape(addr), d.log()), d.log()
    assert "%s dev lan-s" % addr in proxies(srv), proxies(srv)
    assert arp_answer(lan, addr, 10) == lan_mac
    # The session was never disturbed.
    assert by_event([json.loads(l) for l in held.log().splitlines() if l.startswith("{")],
                    "down") == []
    assert json.loads(d.ctl("json status")[1])["sessions"] == 1


@pytest.mark.netns
def test_a_dhcp_pools_clients_are_answered_on_the_lan_by_default(stack):
    """A DHCP pool's addresses are the LAN's by nature: proxy ARP is on
    without a word in the pool, and the DHCP server's own host, which has
    only its connected /24, reaches a client by ARP alone."""
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    lan = stack.netns("lan")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    stack.veth(srv, "lan0", SRV_LAN + "/24", lan, "lan1", "203.0.113.2/24")
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=srv)
    dns = Dnsmasq(stack, lan, "203.0.113.100", "203.0.113.102")
    dns.start()
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace",
              policy_text=DHCP_POLICY % {"block": 2})
    d.start()
    assert "pool 'lan': proxy ARP for its clients on lan0 (203.0.113.0/24), a DHCP pool" \
        in d.log(), d.log()
    wait_for("a lease ready", lambda: "dhcp pool 'lan': leased" in d.log())
    held = hold_client(stack, cli, "--ping", "203.0.113.2")
    s = up_records(held)[0]
    assert s["addr"] in dns.leases() and s["ping_recv"] == 3, s
    assert "%s dev lan0" % s["addr"] in proxies(srv), proxies(srv)
    assert arp_answer(lan, s["addr"], 10, "lan1") == mac_of(srv, "lan0")
    held.stop()
    wait_for("proxy entry removed", lambda: s["addr"] not in proxies(srv))


@pytest.mark.netns
@pytest.mark.parametrize("net", ["userspace"], indirect=True)
def test_a_users_static_address_on_the_lan_is_answered_there(stack, net):
    """No pool: a user's static_ipv4 inside the LAN subnet is answered as
    `auto` would (here the pool itself says no, so only the static
    address's own decision can answer)."""
    srv, cli, lan = net
    text = policy("no").replace("        nt_hash = 9796a0639fdf788beb0e767b1f6f226a\n",
                                "        nt_hash = 9796a0639fdf788beb0e767b1f6f226a\n"
                                "        static_ipv4 = 203.0.113.50\n", 1)
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=text)
    d.start()
    held = hold_client(stack, cli, "--ping", LAN_HOST)
    s = up_records(held)[0]
    assert s["addr"] == "203.0.113.50" and s["ping_recv"] == 3, s
    assert session_json(d)["proxy_arp"] is True
    assert arp_answer(lan, "203.0.113.50", 10) == mac_of(srv, "lan-s")

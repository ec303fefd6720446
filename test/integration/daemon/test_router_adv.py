# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 for clients (docs/addresses.md, "IPv6"): once IPV6CP opens, the
daemon sends Router Advertisements on the client's PPP link with the
session's /64 from the IPv6 pool (L and A flags: SLAAC) and the profile's
IPv6 DNS servers (RDNSS, RFC 8106), and answers the client's Router
Solicitation. Our test client opens IPV6CP, sends a real solicitation
inside PPP in L2TP and reads the advertisement that answers it; the
prefix is routed to the session's device while it is up and returned to
the pool when it ends. The kernel data path, with pppd as the client,
is in test_router_adv_pppd.py (VM)."""
import json
import re
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY
from lib.client import client_path, run_client, by_event

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
PORT = 9434
SCRAPE = ("import sys,urllib.request\n"
          "print(urllib.request.urlopen('http://127.0.0.1:%d/metrics').read().decode())" % PORT)
IPV6_PROFILE = ("            ipv6 = yes\n"
                "            ipv6_dns = 2001:db8::53, 2001:db8::54\n"
                "            ipv6_other_config = yes\n"
                "            ipv6_router_lifetime = 20m\n"
                "            ipv6_prefix_lifetime = 2h\n")


def policy(profile=IPV6_PROFILE):
    text = open(EXAMPLE_POLICY).read()
    pool = "        ipv4 = 198.51.100.10-198.51.100.250\n"
    wins = "            wins = 192.0.2.55\n"
    assert text.count(pool) == 1 and text.count(wins) == 1
    return (text.replace(pool, pool + "        ipv6 = 2001:db8:1::/48\n")
            .replace(wins, wins + profile))


def ra_total(srv, result):
    page = run([sys.executable, "-c", SCRAPE], ns=srv)
    m = re.search(r'^l2tpd_router_adv_total\{result="%s"\} (\d+)$' % result, page, re.M)
    assert m, page
    return int(m.group(1))


def prefix_routes(srv):
    # "root": every route inside the pool's prefix
    return run(["ip", "-6", "route", "show", "root", "2001:db8:1::/48"], ns=srv)


def start(stack, dataplane):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane, policy_text=policy(),
              extra="metrics {\n        listen = 127.0.0.1:%d\n    }" % PORT)
    d.start()
    return d, srv, cli


@pytest.fixture
def daemon(stack):
    return start(stack, "userspace")


@pytest.mark.netns
@pytest.mark.parametrize("dataplane", ["userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_client_gets_its_prefix_and_dns_servers(stack, dataplane):
    """On the kernel plane the solicitation reaches the host's stack on the
    session's pppN and the daemon's raw ICMPv6 socket."""
    d, srv, cli = start(stack, dataplane)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ipv6-ra")
    assert rc == 0, out + d.log()
    r = by_event(recs, "up")[0]
    assert r["ipv6cp"] is True and r["ra"] is True, r
    assert r["rs_sent"] >= 1, r
    # the first /64 of the pool, for SLAAC (RFC 4862 5.5.3)
    assert r["ra_prefix"] == "2001:db8:1::/64", r
    assert r["ra_autonomous"] is True and r["ra_on_link"] is True, r
    assert r["ra_valid_lifetime"] == 7200 and r["ra_preferred_lifetime"] == 7200, r
    assert r["ra_rdnss"] == ["2001:db8::53", "2001:db8::54"], r
    assert r["ra_router_lifetime"] == 1200, r
    assert r["ra_other"] is True and r["ra_managed"] is False, r
    # RFC 4861 6.1.2: from the server's link-local address, the one IPV6CP
    # agreed on (octets in wire order: test_prefix_is_routed... checks the
    # device carries it)
    assert r["ra_source"] == r["ipv6_peer_ll"] and r["ra_source"].startswith("fe80::"), r
    assert r["ipv6_ll"] != r["ipv6_peer_ll"], r
    # IPV6CP opened before IPCP (IPCP takes a Nak round for the address):
    # the case where the kernel plane used to refuse the call and close
    # the session, and the daemon passed IPv4 addresses not agreed yet
    log = d.log()
    v6 = re.search(r"trace ppp IPV6CP \S+ -> Opened", log)
    v4 = re.search(r"session \d+/\d+ up: user 'alice'", log)
    assert v6 and v4 and v6.start() < v4.start(), log
    # the kept advertisement came after our solicitation: it was answered
    assert ra_total(srv, "solicitation") >= 1
    assert ra_total(srv, "sent-solicited") >= 1
    assert ra_total(srv, "solicitation-malformed") == 0


@pytest.mark.netns
def test_prefix_is_routed_while_up_and_returned_after(daemon, stack):
    d, srv, cli = daemon
    holder = stack.spawn("holder", [client_path(), "--server", SERVER, "--user", "alice",
                                    "--password", PASSWORDS["alice"], "--ipv6-ra",
                                    "--hold-forever", "--json"], ns=cli)
    wait_for("the first session's advertisement",
             lambda: re.search(r'"ra_prefix": *"2001:db8:1::/64"', holder.log()))
    route = wait_for("the route to the first prefix",
                     lambda: re.search(r"^2001:db8:1::/64 dev (\S+)", prefix_routes(srv), re.M),
                     timeout=5)
    assert route.group(1).startswith("l2tp"), prefix_routes(srv)
    # the session's device has the link-local addresses IPV6CP agreed on,
    # the identifiers' octets in wire order (a little-endian host once
    # configured them reversed)
    r = json.loads(next(l for l in holder.log().splitlines() if '"ra_prefix"' in l))
    local = run(["ip", "-6", "-o", "addr", "show", "dev", route.group(1), "scope", "link"],
                ns=srv)
    assert re.search(r"inet6 %s peer %s/128" % (re.escape(r["ipv6_peer_ll"]),
                                                   re.escape(r["ipv6_ll"])), local), local
    ok, sessions = d.ctl("json sessions")
    assert ok and [x["ipv6_prefix"] for x in json.loads(sessions)] == ["2001:db8:1::/64"], \
        sessions
    # a second session gets the next /64 while the first holds its own
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ipv6-ra")
    assert rc == 0, out + d.log()
    assert by_event(recs, "up")[0]["ra_prefix"] == "2001:db8:1:1::/64", out
    holder.stop()
    wait_for("the first prefix's route removed", lambda: "2001:db8:1::/64" not in
             prefix_routes(srv))
    # both prefixes are back: the next session starts from the first again
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ipv6-ra")
    assert rc == 0, out + d.log()
    assert by_event(recs, "up")[0]["ra_prefix"] == "2001:db8:1::/64", out


@pytest.mark.netns
def test_without_ipv6_dns_the_advertisement_has_no_rdnss(stack):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace",
              policy_text=policy("            ipv6 = yes\n"))
    d.start()
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ipv6-ra")
    assert rc == 0, out + d.log()
    r = by_event(recs, "up")[0]
    assert r["ra_prefix"] == "2001:db8:1::/64", r
    assert r["ra_rdnss"] == [] and r["ra_other"] is False, r
    assert r["ra_router_lifetime"] == 1800 and r["ra_valid_lifetime"] == 86400, r


@pytest.mark.netns
def test_shared_tun_announces_no_prefix_and_keeps_ipv4(stack):
    """The shared TUN carries IPv4 alone: IPV6CP may open, but no prefix is
    announced (an address nothing would reach) and the session stays up
    with IPv4, whichever NCP opens first."""
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy(),
              extra="userspace {\n tun = shared\n }")
    d.start()
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ipv6-ra",
                               "--ping", "198.51.100.1", "--ping-wait", "3000")
    r = (by_event(recs, "up") + by_event(recs, "failed"))[0]
    assert r["ping_recv"] >= 1 and r["addr"].startswith("198.51.100."), out + d.log()
    assert r["ipv6cp"] is True and r["ra_recv"] == 0 and r["ra"] is False, r
    assert rc == 1, out         # what it waited for (an RA) never came
    assert re.search(r"(no router advertisements: .* carries no IPv6|"
                     r"IPV6CP opened but the data plane carries no IPv6)", d.log()), d.log()
    assert "data plane failure" not in d.log(), d.log()

# SPDX-License-Identifier: GPL-2.0-or-later
"""The DHCPINFORM a Windows client sends over its PPP link once it is up
(docs/addresses.md, "DHCPINFORM"): our test client sends a real one (from
its IPCP address, port 68, to 255.255.255.255:67, inside PPP in L2TP) and
reads the DHCPACK: the profile's DNS servers, `dns_domain`, and its
`split_routes` in options 121 and 249 with our end of the link as the next
hop. The profile also denies every packet in both directions
(filter_in/filter_out default deny): the answer must pass anyway. The
daemon counts the answer in its metrics. A reload gives sessions that
start after it the new file's options. Both data paths (the kernel one in
the test VM), in namespaces."""
import re
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY
from lib.client import client_path, run_client, by_event

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"          # our end of every link (local_address)
PORT = 9433
PLANES = ["userspace", pytest.param("kernel", marks=pytest.mark.vm)]
SCRAPE = ("import sys,urllib.request\n"
          "print(urllib.request.urlopen('http://127.0.0.1:%d/metrics').read().decode())" % PORT)


def policy(extra):
    text = open(EXAMPLE_POLICY).read()
    wins = "            wins = 192.0.2.55\n"
    assert text.count(wins) == 1
    return text.replace(wins, wins + extra)


SPLIT = ("            dns_domain = corp.example\n"
         "            split_routes = 203.0.113.0/24, 10.0.0.0/8\n"
         "            filter_in {\n                default = deny\n            }\n"
         "            filter_out {\n                default = deny\n            }\n")


@pytest.fixture(params=PLANES)
def plane(request, stack):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli, request.param


def inform_total(srv, result):
    page = run([sys.executable, "-c", SCRAPE], ns=srv)
    m = re.search(r'^l2tpd_dhcp_inform_total\{result="%s"\} (\d+)$' % result, page, re.M)
    assert m, page
    return int(m.group(1))


@pytest.mark.netns
def test_windows_client_learns_its_split_routes(stack, plane):
    srv, cli, dataplane = plane
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane, policy_text=policy(SPLIT),
              extra="metrics {\n        listen = 127.0.0.1:%d\n    }" % PORT)
    d.start()
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--dhcp-inform")
    assert rc == 0, out + d.log()
    up = by_event(recs, "up")
    assert len(up) == 1 and up[0]["inform"] is True, out
    r = up[0]
    assert r["inform_domain"] == "corp.example", r
    assert r["inform_dns"] == ["192.0.2.53", "192.0.2.54"], r
    routes = "203.0.113.0/24>%s,10.0.0.0/8>%s" % (LOCAL, LOCAL)
    assert r["inform_routes"] == routes, r          # RFC 3442, option 121
    assert r["inform_routes_ms"] == routes, r       # Microsoft's 249
    assert r["peer_addr"] == LOCAL, r
    assert inform_total(srv, "answered") >= 1
    assert inform_total(srv, "malformed") == 0


@pytest.mark.netns
def test_a_profile_without_split_routes_answers_what_it_has(stack):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace")
    d.start()
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--dhcp-inform")
    assert rc == 0, out + d.log()
    r = by_event(recs, "up")[0]
    assert r["inform"] is True, r
    assert r["inform_dns"] == ["192.0.2.53", "192.0.2.54"], r
    assert r["inform_domain"] == "" and r["inform_routes"] == "" and r["inform_routes_ms"] == "", r


@pytest.mark.netns
def test_a_reload_gives_new_sessions_the_new_files_answer(stack):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy(SPLIT))
    d.start()
    # a session that stays up across the reload, holding the old options
    holder = stack.spawn("holder", [client_path(), "--server", SERVER, "--user", "alice",
                                    "--password", PASSWORDS["alice"], "--dhcp-inform",
                                    "--hold-forever", "--json"], ns=cli)
    first = wait_for("the first session's answer", lambda: re.search(
        r'"inform_domain": *"([^"]*)"', holder.log()))
    assert first.group(1) == "corp.example", holder.log()
    with open(d.policy, "w") as f:
        f.write(policy(SPLIT.replace("corp.example", "branch.example")
                       .replace("10.0.0.0/8", "172.16.0.0/12")))
    ok, text = d.ctl("reload")
    assert ok, text
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--dhcp-inform")
    assert rc == 0, out + d.log()
    r = by_event(recs, "up")[0]
    assert r["inform_domain"] == "branch.example", r
    assert r["inform_routes"] == "203.0.113.0/24>%s,172.16.0.0/12>%s" % (LOCAL, LOCAL), r
    holder.stop()


@pytest.mark.netns
def test_a_dhcp_client_on_the_link_is_counted_and_not_answered(stack):
    """We only answer INFORM: a client that tries to lease an address on
    its PPP link (DHCPDISCOVER, DHCPREQUEST) gets nothing, and each such
    datagram is counted by reason."""
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy(SPLIT),
              extra="metrics {\n        listen = 127.0.0.1:%d\n    }" % PORT)
    d.start()
    for n, kind in enumerate(("discover", "request"), 1):
        c = stack.spawn("client-" + kind, [
            client_path(), "--server", SERVER, "--user", "alice", "--password",
            PASSWORDS["alice"], "--dhcp-inform", "--dhcp-type", kind, "--hold-forever",
            "--json"], ns=cli)
        wait_for("a %s counted" % kind, lambda: inform_total(srv, "not-inform") >= n)
        assert inform_total(srv, "answered") == 0
        c.stop()

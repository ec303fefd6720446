# SPDX-License-Identifier: GPL-2.0-or-later
"""DHCPv6 Prefix Delegation (docs/addresses.md, "DHCPv6 Prefix
Delegation"): a real DHCPv6 client, WIDE dhcp6c (Debian's
wide-dhcpv6-client, the classic prefix-delegation client of PPPoE links),
asks for a prefix over the client's PPP link and gets one from the
profile's `ipv6_pd_pool`; it numbers a /64 of it on its LAN interface as a
home router does. The prefix is routed to the session's device while the
session is up, traffic crosses to the client's LAN address inside it both
ways, and the route is gone after a Release or the session's end. Our test
client carries the link: `--tun` gives its IPv6 to a TUN device on the
client's side, where dhcp6c runs. (ISC dhclient refuses a TUN device:
"Unsupported device type 65534".)"""
import json
import os
import re
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY
from lib.client import client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
PORT = 9435
SCRAPE = ("import sys,urllib.request\n"
          "print(urllib.request.urlopen('http://127.0.0.1:%d/metrics').read().decode())" % PORT)
DHCP6C = "/usr/sbin/dhcp6c"
PROFILE = ("            ipv6 = yes\n"
           "            ipv6_dns = 2001:db8::53\n"
           "            ipv6_prefix_lifetime = 2h\n"
           "            ipv6_pd_pool = delegated\n")

pytestmark = pytest.mark.skipif(not os.path.exists(DHCP6C),
                                reason="wide-dhcpv6-client is not installed (./run setup)")


def policy(pd_prefix="2001:db8:100::/54"):
    text = open(EXAMPLE_POLICY).read()
    pool = "        ipv4 = 198.51.100.10-198.51.100.250\n"
    wins = "            wins = 192.0.2.55\n"
    pools = "pools {\n"
    assert text.count(pool) == 1 and text.count(wins) == 1 and text.count(pools) == 1
    return (text.replace(pool, pool + "        ipv6 = 2001:db8:1::/48\n")
            .replace(pools, pools + "    delegated {\n        ipv6 = %s\n"
                     "        ipv6_prefix_length = 56\n    }\n" % pd_prefix)
            .replace(wins, wins + PROFILE))


def dhcp6_total(srv, result):
    page = run([sys.executable, "-c", SCRAPE], ns=srv)
    m = re.search(r'^l2tpd_dhcp6_total\{result="%s"\} (\d+)$' % result, page, re.M)
    assert m, page
    return int(m.group(1))


def delegated_routes(srv):
    return run(["ip", "-6", "route", "show", "root", "2001:db8:100::/54"], ns=srv)


def start(stack, dataplane="userspace", pd_prefix="2001:db8:100::/54"):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane, policy_text=policy(pd_prefix),
              extra="metrics {\n        listen = 127.0.0.1:%d\n    }" % PORT)
    d.start()
    return d, srv, cli


def link_up(stack, cli, tun):
    """Our client holding a session whose IPv6 reaches TUN device `tun`."""
    holder = stack.spawn("client-" + tun, [client_path(), "--server", SERVER, "--user", "alice",
                                           "--password", PASSWORDS["alice"], "--ipv6-ra",
                                           "--tun", tun, "--hold-forever", "--json"], ns=cli)
    wait_for("the session up with IPv6 on " + tun,
             lambda: '"event": "up"' in holder.log() or '"event":"up"' in holder.log()
             or "failed" in holder.log())
    rec = json.loads(next(l for l in holder.log().splitlines() if '"up"' in l))
    assert rec["ok"] is True and rec["ipv6cp"] is True, holder.log()
    return holder, rec


class Dhcp6c:
    """WIDE dhcp6c on `tun` asking for a delegated prefix (an IA_PD) and
    the DNS servers, numbering /64 number `sla` of the prefix on its LAN
    interface `lan`, in the foreground with its debug log;
    its script writes the DNS servers it got. Its DUID file lives in a
    private tmpfs (the host's /var/lib/dhcpv6 is left alone)."""

    def __init__(self, stack, cli, tun, lan, sla=1):
        self.stack, self.cli, self.tun, self.lan = stack, cli, tun, lan
        d = os.path.join(stack.workdir, "dhcp6c-" + tun)
        os.makedirs(d, exist_ok=True)
        self.conf = os.path.join(d, "dhcp6c.conf")
        self.pid = os.path.join(d, "dhcp6c.pid")
        self.events = os.path.join(d, "events")
        script = os.path.join(d, "script")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho \"dns=$new_domain_name_servers\" >> %s\n" % self.events)
        os.chmod(script, 0o755)
        with open(self.conf, "w") as f:
            f.write("interface %s {\n  send ia-pd 0;\n  request domain-name-servers;\n"
                    "  script \"%s\";\n};\n"
                    "id-assoc pd 0 {\n  prefix-interface %s {\n    sla-id %d;\n"
                    "    sla-len 8;\n  };\n};\n" % (tun, script, lan, sla))
        # a LAN of its own: a veth pair (this kernel may lack "dummy")
        run(["ip", "link", "add", lan, "type", "veth", "peer", "name", lan + "p"], ns=cli)
        run(["ip", "link", "set", lan + "p", "up"], ns=cli)
        run(["ip", "link", "set", lan, "up"], ns=cli)
        self.proc = None

    def start(self):
        self.proc = self.stack.spawn(
            "dhcp6c-" + self.tun,
            ["unshare", "-m", "sh", "-c",
             'mount -t tmpfs dhcp6c /var/lib/dhcpv6 && exec "$@"', "sh",
             DHCP6C, "-f", "-D", "-c", self.conf, "-p", self.pid, self.tun], ns=self.cli)

    def lan_address(self):
        """The global address dhcp6c put on its LAN interface, once
        duplicate address detection let it be used; or None."""
        out = run(["ip", "-6", "-o", "addr", "show", "dev", self.lan, "scope", "global"],
                  ns=self.cli)
        m = re.search(r"inet6 (\S+)/64", out)
        return m.group(1) if m and "tentative" not in out else None

    def dns(self):
        try:
            with open(self.events) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """SIGTERM: dhcp6c sends a Release (dhcp6c(8)) and exits."""
        if self.proc:
            self.proc.stop()

    def log(self):
        return (self.proc.log() if self.proc else "") + self.dns()


@pytest.mark.netns
@pytest.mark.parametrize("dataplane", ["userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_dhcp6c_gets_a_prefix_routed_to_its_session(stack, dataplane):
    """On the kernel plane the messages reach the host's stack on the
    session's pppN and the daemon's UDP socket on port 547."""
    d, srv, cli = start(stack, dataplane)
    holder, rec = link_up(stack, cli, "pd0")
    dc = Dhcp6c(stack, cli, "pd0", "lan0")
    dc.start()
    # its LAN gets /64 number 1 of the first /56 of the pool
    lan = wait_for("dhcp6c numbering its LAN from the delegated prefix", dc.lan_address)
    assert lan.startswith("2001:db8:100:1:"), dc.log()
    assert re.search(r"IA_PD prefix: 2001:db8:100::/56 pltime=7200 vltime=7200", dc.log()), \
        dc.log()
    # the profile's DNS server (RFC 3646)
    wait_for("the DNS servers", lambda: "dns=2001:db8::53" in dc.dns())
    # routed to the session's device on the server while the session is up
    route = wait_for("the route to the delegated prefix",
                     lambda: re.search(r"^2001:db8:100::/56 dev (\S+)", delegated_routes(srv),
                                       re.M), timeout=5)
    assert route.group(1) == json.loads(d.ctl("json sessions")[1])[0]["interface"], \
        delegated_routes(srv)
    ok, sessions = d.ctl("json sessions")
    s = json.loads(sessions)[0]
    assert ok and s["ipv6_delegated_prefix"] == "2001:db8:100::/56", sessions
    assert s["ipv6_prefix"] == "2001:db8:1::/64", sessions
    ok, text = d.ctl("sessions")
    assert "delegated prefix 2001:db8:100::/56" in text, text
    assert re.search(r"prefix 2001:db8:100::/56 delegated to user 'alice' \(DHCPv6\)",
                     d.log()), d.log()
    assert dhcp6_total(srv, "delegated") == 1
    assert dhcp6_total(srv, "answered") >= 2     # Advertise, Reply
    # traffic both ways: the client's LAN address answers the server's
    # ping across the tunnel
    run(["ip", "-6", "route", "replace", "default", "dev", "pd0"], ns=cli)
    run(["ip", "-6", "addr", "add", "2001:db8:ffff::1/128", "dev", "lo"], ns=srv)
    out = run(["ping", "-6", "-c", "3", "-w", "20", "-I", "2001:db8:ffff::1", lan], ns=srv,
              timeout=30)
    assert " 0% packet loss" in out, out
    # the session ends: the route goes, the prefix returns to the pool
    holder.stop()
    wait_for("the delegated prefix's route removed",
             lambda: "2001:db8:100::/56" not in delegated_routes(srv))
    dc.stop()


@pytest.mark.netns
def test_release_returns_the_prefix_and_the_next_client_gets_it(stack):
    d, srv, cli = start(stack)
    holder, rec = link_up(stack, cli, "pd0")
    dc = Dhcp6c(stack, cli, "pd0", "lan0")
    dc.start()
    wait_for("the route to the delegated prefix",
             lambda: "2001:db8:100::/56 dev" in delegated_routes(srv))
    # dhcp6c sends a Release when it stops (RFC 8415 18.2.7): unrouted at once
    dc.stop()
    wait_for("the route removed at the Release",
             lambda: "2001:db8:100::/56" not in delegated_routes(srv))
    assert re.search(r"delegated prefix 2001:db8:100::/56 released by user 'alice'", d.log()), \
        d.log()
    assert dhcp6_total(srv, "released") == 1
    ok, sessions = d.ctl("json sessions")
    assert json.loads(sessions)[0]["ipv6_delegated_prefix"] == "", sessions
    # a second session's client gets the same, first, prefix again
    holder2, rec2 = link_up(stack, cli, "pd1")
    dc2 = Dhcp6c(stack, cli, "pd1", "lan1")
    dc2.start()
    lan = wait_for("the second client numbering its LAN", dc2.lan_address)
    assert lan.startswith("2001:db8:100:1:"), dc2.log()
    wait_for("routed to the second session",
             lambda: "2001:db8:100::/56 dev" in delegated_routes(srv), timeout=5)
    dc2.stop()
    holder.stop()
    holder2.stop()


@pytest.mark.netns
def test_an_empty_pool_answers_no_prefix_avail(stack):
    """A pool of one /56: the first session's client takes it, the second's
    is told NoPrefixAvail (RFC 8415 18.3.9) and gets none; the server logs
    it once."""
    d, srv, cli = start(stack, pd_prefix="2001:db8:100::/56")
    holder, rec = link_up(stack, cli, "pd0")
    dc = Dhcp6c(stack, cli, "pd0", "lan0")
    dc.start()
    wait_for("the first client numbering its LAN", dc.lan_address)
    # the second client on a host of its own (two dhcp6c in one namespace
    # would share their control port), routed to the server
    cli2 = stack.netns("cli2")
    stack.veth(srv, "srv1", "203.0.113.1/24", cli2, "cli1", "203.0.113.2/24")
    run(["ip", "route", "add", SERVER + "/32", "via", "203.0.113.1"], ns=cli2)
    holder2, rec2 = link_up(stack, cli2, "pd1")
    dc2 = Dhcp6c(stack, cli2, "pd1", "lan1")
    dc2.start()
    wait_for("NoPrefixAvail answered", lambda: dhcp6_total(srv, "no-prefix") >= 1)
    assert dc2.lan_address() is None, dc2.log()
    assert len(re.findall(r"no delegated prefix free for user 'alice'", d.log())) == 1, d.log()
    assert delegated_routes(srv).count("2001:db8:100::/56") == 1, delegated_routes(srv)
    dc.stop()
    dc2.stop()
    holder.stop()
    holder2.stop()

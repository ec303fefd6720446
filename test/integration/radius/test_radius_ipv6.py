# SPDX-License-Identifier: GPL-2.0-or-later
"""The IPv6 a RADIUS server assigns (docs/radius.md "Local policy and the
RADIUS answer"), from the real FreeRADIUS 3.2: Framed-IPv6-Prefix (RFC 3162
2.3) is the /64 the session's Router Advertisement carries, Framed-IPv6-Pool
(2.4) names the pool it comes from, Delegated-IPv6-Prefix (RFC 4818) is what
DHCPv6-PD delegates to a real client (WIDE dhcp6c on our test client's
--tun device), DNS-Server-IPv6-Address (RFC 6911) the RA's RDNSS. A prefix
another session holds refuses the login, named in the log; a profile without
IPv6 leaves the attributes unused, logged. l2tpd runs on the userspace data
plane; every wait is for an event, never a duration."""
import json
import os
import re
import subprocess

import pytest

from lib.client import by_event, client_path, run_client
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd
from lib.netns import run, wait_for

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
NAS_IP, RAD = "203.0.113.1", "203.0.113.10"
SECRET = "Radius-Test-Secret"
DHCP6C = "/usr/sbin/dhcp6c"

USERS = """\
fixed Cleartext-Password := "Fixed-Secret-1"
	Framed-IPv6-Prefix = 2001:db8:1:7::/64,
	DNS-Server-IPv6-Address = 2001:db8::99
outside Cleartext-Password := "Outside-Secret-2"
	Framed-IPv6-Prefix = 2001:db8:77::/64
labuser Cleartext-Password := "Lab-Secret-3"
	Framed-IPv6-Pool = "lab"
router Cleartext-Password := "Router-Secret-4"
	Delegated-IPv6-Prefix = 2001:db8:100:300::/56,
	DNS-Server-IPv6-Address = 2001:db8::98
v4-henry Cleartext-Password := "Henry-Secret-5"
	Framed-IPv6-Prefix = 2001:db8:1:9::/64
nopool Cleartext-Password := "Nopool-Secret-6"
	Framed-IPv6-Pool = "elsewhere"
v6dave Cleartext-Password := "Dave-Secret-7"
	Session-Timeout = 2
"""

POLICY = """\
server {
    auth_methods = mschapv2, chap, pap
}
pools {
    clients {
        ipv4 = 198.51.100.10-198.51.100.99
        ipv6 = 2001:db8:1::/48
    }
    lab { ipv6 = 2001:db8:2::/48 }
    delegated {
        ipv6 = 2001:db8:100::/54
        ipv6_prefix_length = 56
    }
}
policies {
    v4-only {
        conditions { user = ~"^v4-" }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = clients
        }
    }
    radius-users {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = clients
            ipv6 = yes
            ipv6_dns = 2001:db8::53
            ipv6_pd_pool = delegated
        }
    }
}
"""


class Bed:
    """l2tpd in `srv` relaying to FreeRADIUS on its own address there, the
    client in `cli`."""

    def __init__(self, stack, spool=None):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP, RAD):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        self.radius = FreeRadius(stack, self.srv, RAD, nas=NAS_IP, secret=SECRET, users=USERS)
        secret_file = os.path.join(stack.workdir, "radius.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(secret_file, 0o600)
        self.radius.start()
        if spool is None:
            spool_dir = os.path.join(stack.workdir, "spool")
            os.makedirs(spool_dir, mode=0o700)
            spool = os.path.join(spool_dir, "accounting.spool")
        self.spool = spool
        extra = """auth {
            provider = radius
        }
        radius {
            rad1 {
                address = %s
                secret_file = %s
            }
            nas_identifier = lns-test
            nas_ip_address = %s
            accounting = yes
            accounting_spool = %s
        }""" % (RAD, secret_file, NAS_IP, spool)
        self.d = L2tpd(stack, self.srv, listen=SERVER, dataplane="userspace",
                       policy_text=POLICY, extra=extra)
        self.d.start()

    def login(self, user, password, ipv6=True):
        return run_client(self.cli, SERVER, user, password, "--auth", "mschapv2",
                          *(["--ipv6-ra"] if ipv6 else []))

    def hold(self, user, password, *extra):
        """A session that stays up (until the test ends or stops it)."""
        h = self.stack.spawn("client-" + user,
                             [client_path(), "--server", SERVER, "--user", user, "--password",
                              password, "--auth", "mschapv2", "--ipv6-ra", "--hold-forever",
                              "--json"] + list(extra), ns=self.cli)
        wait_for(user + " up", lambda: up_record(h) or "failed" in h.log())
        rec = up_record(h)
        assert rec and rec["ok"] is True, h.log() + self.d.log()
        return h, rec

    def record(self, status, user):
        """The user's first accounting record of that Acct-Status-Type."""
        return wait_for("%s's %s record" % (user, status), lambda: next(
            (r for r in self.radius.records()
             if r.get("Acct-Status-Type") == status and r.get("User-Name") == user), None))

    def routes(self, root):
        return run(["ip", "-6", "route", "show", "root", root], ns=self.srv)


def up_record(holder):
    for line in holder.log().splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            if rec.get("event") == "up":
                return rec
    return None


def the_up(recs, out):
    up = by_event(recs, "up")
    assert len(up) == 1, out
    return up[0]


@pytest.mark.netns
def test_framed_ipv6_prefix_is_the_prefix_the_router_advertises(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("fixed", "Fixed-Secret-1")
    assert rc == 0, out + bed.d.log()
    r = the_up(recs, out)
    assert r["ipv6cp"] is True and r["ra"] is True, r
    # the server's /64 (inside the pool: taken out of it), for SLAAC
    assert r["ra_prefix"] == "2001:db8:1:7::/64", r
    assert r["ra_autonomous"] is True and r["ra_on_link"] is True, r
    # DNS-Server-IPv6-Address instead of the profile's ipv6_dns
    assert r["ra_rdnss"] == ["2001:db8::99"], r


@pytest.mark.netns
def test_a_prefix_outside_every_pool_is_given_as_the_server_says(stack):
    bed = Bed(stack)
    holder, r = bed.hold("outside", "Outside-Secret-2")
    assert r["ra_prefix"] == "2001:db8:77::/64", r
    # the profile's DNS server: the server named none
    assert r["ra_rdnss"] == ["2001:db8::53"], r
    # routed to the session's device like a pool's prefix
    route = wait_for("the route to the server's prefix",
                     lambda: re.search(r"^2001:db8:77::/64 dev (\S+)",
                                       bed.routes("2001:db8:77::/48"), re.M), timeout=5)
    ok, sessions = bed.d.ctl("json sessions")
    assert ok and route.group(1) == json.loads(sessions)[0]["interface"], sessions
    holder.stop()
    wait_for("the route removed at the session's end",
             lambda: "2001:db8:77::/64" not in bed.routes("2001:db8:77::/48"))
    # accounting says which prefix the user had (RFC 3162 2.3), to the end
    for status in ("Start", "Stop"):
        rec = bed.record(status, "outside")
        assert rec.get("Framed-IPv6-Prefix") == "2001:db8:77::/64", rec
        assert "Delegated-IPv6-Prefix" not in rec, rec
        # dual stack: the Start waited for IPCP, whichever NCP opened first
        assert rec.get("Framed-IP-Address", "").startswith("198.51.100."), rec


@pytest.mark.netns
def test_an_ipv6_only_session_has_its_start_and_stop(stack):
    # A client with IPv4 off: it Protocol-Rejects our IPCP (RFC 1661 5.7)
    # and opens IPV6CP only. Its network layer is settled when IPCP has
    # finished without opening and IPV6CP is open: the Start goes then,
    # with the prefix of its router advertisement and no Framed-IP-Address;
    # the session that had a Start has its Stop. The spool is a file of
    # the administrator's naming in a directory l2tpd makes at start.
    spool = os.path.join(stack.workdir, "spool-made-by-l2tpd", "acct.db")
    bed = Bed(stack, spool=spool)
    rc, recs, out = run_client(bed.cli, SERVER, "fixed", "Fixed-Secret-1", "--auth", "mschapv2",
                               "--ipv6-ra", "--no-ipcp")
    assert rc == 0, out + bed.d.log()
    r = the_up(recs, out)
    assert r["ipv6cp"] is True and r["ra"] is True, r
    assert r["ra_prefix"] == "2001:db8:1:7::/64", r
    start, stop = bed.record("Start", "fixed"), bed.record("Stop", "fixed")
    for rec in (start, stop):
        assert rec.get("Framed-IPv6-Prefix") == "2001:db8:1:7::/64", rec
        assert "Framed-IP-Address" not in rec, rec
    assert start["Acct-Session-Id"] == stop["Acct-Session-Id"], (start, stop)
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    assert "Acct-Session-Time" in stop, stop
    # exactly one Start for the session
    starts = [x for x in bed.radius.records()
              if x.get("Acct-Status-Type") == "Start" and x.get("User-Name") == "fixed"]
    assert len(starts) == 1, starts
    log = bed.d.log()
    assert "radius accounting: made the spool directory %s (0700)" % os.path.dirname(spool) \
        in log, log
    assert "spool %s" % spool in log, log
    assert os.path.isfile(spool) and not os.path.exists(
        os.path.join(os.path.dirname(spool), "accounting.spool")), os.listdir(
        os.path.dirname(spool))


@pytest.mark.netns
def test_an_ipv6_only_session_ends_at_the_servers_session_timeout(stack):
    # The server's Session-Timeout holds for a client with IPv4 off: its
    # session is up when IPCP has finished without opening and IPV6CP is
    # open (the Start's rule), and its limit is armed then. A client could
    # otherwise dodge the limit by refusing IPCP.
    bed = Bed(stack)
    holder, r = bed.hold("v6dave", "Dave-Secret-7", "--no-ipcp", "--lcp-echo", "0")
    assert r["ipv6cp"] is True and r["addr"] == "0.0.0.0", r
    wait_for("the session timeout in the daemon's log",
             lambda: "user 'v6dave' reached the session timeout (2s)" in bed.d.log(),
             timeout=30)
    stop = bed.record("Stop", "v6dave")
    assert stop["Acct-Terminate-Cause"] == "Session-Timeout", stop
    assert "Framed-IP-Address" not in stop, stop
    log = bed.d.log()
    assert re.search(r"session \d+/\d+ up: user 'v6dave' peer \S+ address none \(IPv6 only, "
                     r"prefix 2001:db8:1:[0-9a-f:]*/64\)", log), log


@pytest.mark.netns
def test_framed_ipv6_pool_selects_the_named_pool(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("labuser", "Lab-Secret-3")
    assert rc == 0, out + bed.d.log()
    r = the_up(recs, out)
    # the first /64 of 'lab', not of the profile's 'clients'
    assert r["ra_prefix"] == "2001:db8:2::/64", r
    assert r["addr"].startswith("198.51.100."), r


@pytest.mark.netns
def test_an_unknown_framed_ipv6_pool_refuses_by_name(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("nopool", "Nopool-Secret-6")
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth_code"] == 649, out
    assert re.search(r"user 'nopool' .*refused: Framed-IPv6-Pool 'elsewhere' names no pool "
                     r"of the policy file", bed.d.log()), bed.d.log()


@pytest.mark.netns
def test_a_prefix_another_session_holds_is_refused_with_a_log_line(stack):
    bed = Bed(stack)
    holder, r = bed.hold("fixed", "Fixed-Secret-1")
    assert r["ra_prefix"] == "2001:db8:1:7::/64", r
    # the same user again: the server gives the same /64, held already
    rc, recs, out = bed.login("fixed", "Fixed-Secret-1")
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth_code"] == 649, out
    assert re.search(r"user 'fixed' .*refused: Framed-IPv6-Prefix 2001:db8:1:7::/64 is in pool "
                     r"'clients' and held by another session", bed.d.log()), bed.d.log()
    # the first session ends: the prefix is free for the next login
    holder.stop()
    wait_for("the first session's end",
             lambda: "2001:db8:1:7::/64" not in bed.routes("2001:db8:1::/48"))
    wait_for("the session gone from l2tpctl",
             lambda: json.loads(bed.d.ctl("json sessions")[1]) == [])
    rc, recs, out = bed.login("fixed", "Fixed-Secret-1")
    assert rc == 0, out + bed.d.log()
    assert the_up(recs, out)["ra_prefix"] == "2001:db8:1:7::/64"


@pytest.mark.netns
def test_ipv6_attributes_enable_nothing_the_profile_forbids(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("v4-henry", "Henry-Secret-5", ipv6=False)
    assert rc == 0, out + bed.d.log()
    r = the_up(recs, out)
    assert r["addr"].startswith("198.51.100."), r
    # IPV6CP is not offered: the profile has no ipv6 = yes
    assert not re.search(r"session \S+ user 'v4-henry': trace ppp IPV6CP", bed.d.log()), \
        bed.d.log()
    assert re.search(r"user 'v4-henry': no IPv6 for the session \(its profile has none, or no "
                     r"prefix was free\): Framed-IPv6-Prefix not used", bed.d.log()), bed.d.log()


@pytest.mark.netns
@pytest.mark.skipif(not os.path.exists(DHCP6C),
                    reason="wide-dhcpv6-client is not installed (./run setup)")
def test_delegated_ipv6_prefix_is_delegated_to_dhcp6c(stack):
    from daemon.test_dhcp6_pd import Dhcp6c
    bed = Bed(stack)
    holder, r = bed.hold("router", "Router-Secret-4", "--tun", "pd0")
    assert r["ipv6cp"] is True, r
    dc = Dhcp6c(stack, bed.cli, "pd0", "lan0")
    dc.start()
    # the server's /56 (not the pool's first), /64 number 1 on its LAN
    lan = wait_for("dhcp6c numbering its LAN from the delegated prefix", dc.lan_address)
    assert lan.startswith("2001:db8:100:301:"), dc.log()
    assert re.search(r"IA_PD prefix: 2001:db8:100:300::/56 ", dc.log()), dc.log()
    # DNS-Server-IPv6-Address in DHCPv6 too (RFC 3646), not the profile's
    wait_for("the DNS servers", lambda: "dns=" in dc.dns())
    assert "dns=2001:db8::98" in dc.dns() and "2001:db8::53" not in dc.dns(), dc.dns()
    route = wait_for("the route to the delegated prefix",
                     lambda: re.search(r"^2001:db8:100:300::/56 dev (\S+)",
                                       bed.routes("2001:db8:100::/54"), re.M), timeout=5)
    ok, sessions = bed.d.ctl("json sessions")
    s = json.loads(sessions)[0]
    assert ok and route.group(1) == s["interface"], sessions
    assert s["ipv6_delegated_prefix"] == "2001:db8:100:300::/56", sessions
    assert re.search(r"prefix 2001:db8:100:300::/56 delegated to user 'router' \(DHCPv6\)",
                     bed.d.log()), bed.d.log()
    # a Release unroutes it; the prefix stays the session's (the server
    # assigned it): dhcp6c asking again gets it again
    dc.stop()
    wait_for("the route removed at the Release",
             lambda: "2001:db8:100:300::/56" not in bed.routes("2001:db8:100::/54"))
    dc2 = Dhcp6c(stack, bed.cli, "pd0", "lan1")
    dc2.start()
    wait_for("the prefix delegated again",
             lambda: re.search(r"IA_PD prefix: 2001:db8:100:300::/56 ", dc2.log()))
    wait_for("the route back",
             lambda: "2001:db8:100:300::/56 dev" in bed.routes("2001:db8:100::/54"), timeout=5)
    dc2.stop()
    holder.stop()
    # the Stop names the delegated prefix (RFC 4818 3), given back after a
    # Release as before it, with the link's prefix
    stop = bed.record("Stop", "router")
    assert stop.get("Delegated-IPv6-Prefix") == "2001:db8:100:300::/56", stop
    assert stop.get("Framed-IPv6-Prefix", "").endswith("::/64"), stop

# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpd's dynamic authorization server (RFC 5176; docs/radius.md "Dynamic
authorization", l2tpd/daemon/dynauth.c) against FreeRADIUS's radclient: our
client (test/tools/l2tp-client) logs in over L2TP to l2tpd on the userspace
data plane, FreeRADIUS authenticates it, and radclient sends
Disconnect-Requests and CoA-Requests to l2tpd's port 3799. What the client
sees (its session ending) and radclient's answer are checked. Every wait is
for an event (a log line, the client's JSON record, radclient's answer or
its own give-up), never for a duration."""
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from lib.client import client_path
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd
from lib.netns import wait_for

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
NAS_IP, RAD1 = "203.0.113.1", "203.0.113.10"
SECRET = "Radius-Test-Secret"
DAS_SECRET = "Das-Test-Secret"
METRICS_PORT = 9377

USERS = """\
alice Cleartext-Password := "Alice-Secret-1"
bob Cleartext-Password := "Bob-Secret-2"
carol Cleartext-Password := "Carol-Secret-3"
	Filter-Id = "restricted",
	Framed-Route = "10.1.0.0/24 0.0.0.0 1"
"""

# "restricted" is never reached by a login (the first policy matches every
# L2TP session): it is there for a CoA-Request's Filter-Id to name.
POLICY = """\
server {
    auth_methods = mschapv2, chap, pap
}
pools {
    office { ipv4 = 198.51.100.10-198.51.100.99 }
}
policies {
    radius-users {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = office
        }
    }
    restricted {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = office
            filter_out {
                no-icmp {
                    action = deny
                    protocol = icmp
                }
            }
        }
    }
    icmp-only {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = office
            filter_out {
                ping {
                    action = permit
                    protocol = icmp
                }
                default = deny
            }
        }
    }
    shadowed {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, chap, pap
            pool = office
            filter_out {
                no-discard {
                    action = deny
                    protocol = udp
                    ports = 9
                }
            }
        }
    }
}
"""


class Bed:
    """l2tpd and FreeRADIUS in `srv`; the DAS listens on the NAS address
    (203.0.113.1, on lo) and takes requests from that address only, where
    radclient runs (a request to a local address leaves from it). The
    client, in `cli`, can reach the DAS too: an unknown client."""

    def __init__(self, stack, plane="userspace"):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP, RAD1):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        subprocess.run(["ip", "-n", self.cli, "route", "add", NAS_IP + "/32", "via", SERVER],
                       check=True)
        self.radius = FreeRadius(stack, self.srv, RAD1, nas=NAS_IP, secret=SECRET, users=USERS,
                                 name="freeradius")
        self.radius.start()
        secret_file = os.path.join(stack.workdir, "radius.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(secret_file, 0o600)
        self.das_secret_file = das_secret_file = os.path.join(stack.workdir, "das.secret")
        with open(das_secret_file, "w") as f:
            f.write(DAS_SECRET + "\n")
        os.chmod(das_secret_file, 0o640)
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
            das {
                coa-server {
                    address = %s
                    secret_file = %s
                }
            }
        }
        metrics {
            listen = 127.0.0.1:%d
        }""" % (RAD1, secret_file, NAS_IP, NAS_IP, das_secret_file, METRICS_PORT)
        self.d = L2tpd(stack, self.srv, listen=SERVER, dataplane=plane,
                       policy_text=POLICY, extra=extra)
        self.d.start()
        wait_for("the DAS listening",
                 lambda: "radius das: listening on %s:3799" % NAS_IP in self.d.log(), timeout=30)
        self.holders = 0

    def hold(self, user, password):
        """A client that logs in and stays; returns (process, its up record)."""
        self.holders += 1
        p = self.stack.spawn("client-%s-%d" % (user, self.holders),
                             [client_path(), "--server", SERVER, "--user", user, "--password",
                              password, "--auth", "pap", "--hold-forever", "--json"],
                             ns=self.cli)
        wait_for("%s up" % user, lambda: events(p, "up"), timeout=60)
        return p, events(p, "up")[0]

    def acct_session_id(self, user):
        """The Acct-Session-Id of the user's last Access-Request, as
        FreeRADIUS's -X log shows it."""
        log = self.radius.proc.log()
        ids = re.findall(r'User-Name = "%s"(?:.*\n){0,30}?.*Acct-Session-Id = "([0-9A-F]{16})"'
                         % user, log)
        assert ids, log[-3000:]
        return ids[-1]

    def radclient(self, kind, attrs, secret=DAS_SECRET, timestamp=None, ns=None):
        """radclient's answer: (code name or None, {attribute: value}).
        Every request carries Event-Timestamp (now unless given) and a
        Message-Authenticator (radclient computes the 0x00)."""
        ts = int(time.time()) if timestamp is None else timestamp
        attrs = attrs + ["Event-Timestamp = %d" % ts, "Message-Authenticator = 0x00"]
        res = subprocess.run(["ip", "netns", "exec", ns or self.srv, "radclient", "-x", "-r",
                              "1", "-t", "3", "%s:3799" % NAS_IP, kind, secret],
                             input="\n".join(attrs) + "\n", stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
        m = re.search(r"Received (\S+) Id", res.stdout)
        got = dict(re.findall(r"^\s+([A-Za-z0-9:-]+) = (.*)$", res.stdout, re.M))
        return (m.group(1) if m else None), {k: v.strip('"') for k, v in got.items()}


def events(proc, name):
    return [json.loads(l) for l in proc.log().splitlines()
            if l.startswith("{") and json.loads(l).get("event") == name]


def metrics(bed):
    """The Prometheus page, checked by promtool where it is installed."""
    page = subprocess.run(["ip", "netns", "exec", bed.srv, sys.executable, "-c",
                           "import urllib.request, sys; sys.stdout.write(urllib.request.urlopen("
                           "'http://127.0.0.1:%d/metrics', timeout=10).read().decode())"
                           % METRICS_PORT], stdout=subprocess.PIPE, text=True, check=True,
                          timeout=30).stdout
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=page, capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    return page


def sessions(bed):
    return json.loads(bed.d.ctl("json sessions")[1])


@pytest.mark.netns
def test_disconnect_by_acct_session_id_ends_the_session(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    bob, _ = bed.hold("bob", "Bob-Secret-2")
    code, _ = bed.radclient("disconnect", ['Acct-Session-Id = "%s"' %
                                           bed.acct_session_id("alice")])
    assert code == "Disconnect-ACK", bed.d.log()
    wait_for("alice's session to end", lambda: events(alice, "down"), timeout=30)
    log = bed.d.log()
    assert re.search(r"user 'alice' disconnected by a RADIUS Disconnect-Request from DAS "
                     r"client 'coa-server'", log), log
    # logged when the session is freed, which may come after the CDN
    wait_for("alice's down line", lambda: re.search(
        r"session \d+/\d+ down: user 'alice' .*disconnected by a RADIUS Disconnect-Request",
        bed.d.log()))
    # bob's session is another one
    assert [s["user"] for s in sessions(bed)] == ["bob"]
    assert not events(bob, "down")
    page = metrics(bed)
    assert 'l2tpd_radius_das_requests_total{result="ack"} 1' in page, page
    assert 'l2tpd_radius_das_sessions_total{action="disconnect"} 1' in page, page
    das = json.loads(bed.d.ctl("json radius")[1])["das"]
    assert (das["acks"], das["disconnects"], das["naks"]) == (1, 1, 0), das


@pytest.mark.netns
def test_disconnect_by_user_name_ends_the_users_session(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    # our own NAS identification, sent, is accepted (RFC 5176 section 3)
    code, _ = bed.radclient("disconnect", ['User-Name = "alice"', "NAS-IP-Address = %s" % NAS_IP,
                                           'NAS-Identifier = "lns-test"'])
    assert code == "Disconnect-ACK", bed.d.log()
    wait_for("alice's session to end", lambda: events(alice, "down"), timeout=30)
    wait_for("no sessions", lambda: sessions(bed) == [], timeout=30)


@pytest.mark.netns
def test_unknown_session_is_answered_with_503(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    code, got = bed.radclient("disconnect", ['Acct-Session-Id = "0000000000000000"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Session-Context-Not-Found")
    code, got = bed.radclient("disconnect", ['User-Name = "bob"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Session-Context-Not-Found")
    # a NAS-Identifier that is not ours (RFC 5176 section 3)
    code, got = bed.radclient("disconnect", ['User-Name = "alice"',
                                             'NAS-Identifier = "another-nas"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "NAS-Identification-Mismatch")
    assert [s["user"] for s in sessions(bed)] == ["alice"]
    assert not events(alice, "down")


@pytest.mark.netns
def test_unknown_client_wrong_secret_and_stale_timestamp_are_ignored(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    asid = bed.acct_session_id("alice")
    # from the client's namespace: an address that is no DAS client
    code, _ = bed.radclient("disconnect", ['Acct-Session-Id = "%s"' % asid], ns=bed.cli)
    assert code is None
    wait_for("the unknown client's drop",
             lambda: re.search(r"radius das: dropped a datagram from %s:\d+: not a configured "
                               r"client" % CLIENT, bed.d.log()), timeout=30)
    code, _ = bed.radclient("disconnect", ['Acct-Session-Id = "%s"' % asid],
                            secret="Wrong-Secret")
    assert code is None
    wait_for("the wrong secret's drop",
             lambda: re.search(r"radius das: dropped a datagram from %s:\d+: .*authenticator "
                               r"does not verify" % NAS_IP, bed.d.log()), timeout=30)
    # RFC 5176 section 6.4: outside the window (300 s)
    code, _ = bed.radclient("disconnect", ['Acct-Session-Id = "%s"' % asid],
                            timestamp=int(time.time()) - 3600)
    assert code is None
    wait_for("the stale request's drop",
             lambda: re.search(r"radius das: dropped a datagram from %s:\d+: .*Event-Timestamp"
                               % NAS_IP, bed.d.log()), timeout=30)
    assert [s["user"] for s in sessions(bed)] == ["alice"]
    assert not events(alice, "down")
    page = metrics(bed)
    for result in ("unknown_client", "bad_authenticator", "stale"):
        assert 'l2tpd_radius_das_requests_total{result="%s"} 1' % result in page, page
    # the same request, signed and current, is acted on
    code, _ = bed.radclient("disconnect", ['Acct-Session-Id = "%s"' % asid])
    assert code == "Disconnect-ACK"
    wait_for("alice's session to end", lambda: events(alice, "down"), timeout=30)


@pytest.mark.netns
def test_coa_session_timeout_ends_the_session_at_the_new_time(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    code, _ = bed.radclient("coa", ['Acct-Session-Id = "%s"' % bed.acct_session_id("alice"),
                                    "Session-Timeout = 3"])
    assert code == "CoA-ACK", bed.d.log()
    # the daemon's own limit timer ends it (the deadline bounds a hung test)
    wait_for("alice's session to end", lambda: events(alice, "down"), timeout=30)
    assert re.search(r"user 'alice' reached the session timeout \(3s\)", bed.d.log()), \
        bed.d.log()


@pytest.mark.netns
def test_coa_filter_id_puts_the_named_policys_filter_on_the_session(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    sess = sessions(bed)[0]
    assert sess["filter_out"] == "", sess
    code, got = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "no-such-policy"'])
    assert (code, got.get("Error-Cause")) == ("CoA-NAK", "Invalid-Attribute-Value")
    code, _ = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "restricted"'])
    assert code == "CoA-ACK", bed.d.log()
    sess = sessions(bed)[0]
    assert sess["filter_out"].endswith("_out"), sess
    nft = subprocess.run(["ip", "netns", "exec", bed.srv, "nft", "list", "map", "inet", "l2tpd",
                          "sessions_out"], stdout=subprocess.PIPE, text=True).stdout
    assert '"%s" : jump %s' % (sess["interface"], sess["filter_out"]) in nft, nft
    # CoA with Service-Type Authorize-Only: we do not re-authorize
    code, got = bed.radclient("coa", ['User-Name = "alice"', "Service-Type = Authorize-Only"])
    assert (code, got.get("Error-Cause")) == ("CoA-NAK", "Unsupported-Service")
    assert not events(alice, "down")


def ping_session(bed, sess, marker=True):
    """Whether an echo request from the server to the session's client
    went down its interface (the client does not answer it: what counts
    is the session's tx_packets). The event waited for: with `marker`, a
    UDP datagram to port 9 sent after the echo request, which the filters
    of this test let through; once the session has carried it, it has
    carried the echo request before it, or the filter dropped that. The
    client's link carries nothing else towards it here."""
    before = sessions(bed)[0]["tx_packets"]
    subprocess.run(["ip", "netns", "exec", bed.srv, "ping", "-n", "-c", "1", "-W", "1",
                    "-I", sess["interface"], sess["address"]], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)
    if marker:
        subprocess.run(["ip", "netns", "exec", bed.srv, sys.executable, "-c",
                        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
                        ".sendto(b'marker', (%r, 9))" % sess["address"]], check=True,
                       timeout=30)
    wait_for("the session to carry what was sent",
             lambda: sessions(bed)[0]["tx_packets"] > before, timeout=30)
    return sessions(bed)[0]["tx_packets"] - before >= (2 if marker else 1)


@pytest.mark.netns
def test_access_accept_filter_id_and_framed_route_apply_at_login(stack):
    """An Access-Accept's Filter-Id (RFC 2865 5.11) puts the named policy's
    filter on the session from the start, and its Framed-Route (5.22,
    gateway 0.0.0.0: the client) routes the network behind the client
    through the session's interface while it is up."""
    bed = Bed(stack)
    carol, up = bed.hold("carol", "Carol-Secret-3")
    sess = sessions(bed)[0]
    assert sess["filter_out"] == "g1_p1_out", sess
    assert session_map_element(bed, sess) == "g1_p1_out"
    assert not ping_session(bed, sess)		# "restricted": no ICMP to the client
    route = subprocess.run(["ip", "-n", bed.srv, "route", "show", "10.1.0.0/24"],
                           stdout=subprocess.PIPE, text=True, check=True).stdout
    assert "dev %s" % sess["interface"] in route, route
    carol.stop()
    wait_for("the route gone with the session", lambda: subprocess.run(
        ["ip", "-n", bed.srv, "route", "show", "10.1.0.0/24"], stdout=subprocess.PIPE,
        text=True, check=True).stdout.strip() == "", timeout=30)


def session_map_element(bed, sess):
    nft = subprocess.run(["ip", "netns", "exec", bed.srv, "nft", "list", "map", "inet", "l2tpd",
                          "sessions_out"], stdout=subprocess.PIPE, text=True).stdout
    m = re.search(r'"%s" : jump (\w+)' % re.escape(sess["interface"]), nft)
    return m.group(1) if m else None


@pytest.mark.netns
@pytest.mark.parametrize("plane", ["userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_coa_filter_id_changes_are_made_before_broken_and_a_failed_one_changes_nothing(stack,
                                                                                         plane):
    """Filter-Id again and again on a live session: a filter where there
    was none (only an add), another filter (delete and add in one nftables
    transaction), none (only a delete). Each time the traffic does what
    the new filter says. Then a change nftables refuses: the test made the
    chain name the daemon will use a base chain, which no map element may
    jump to (the kernel says EOPNOTSUPP) -- the transaction fails whole,
    the CoA-NAK says 506 and the session keeps its filter, which still
    drops."""
    bed = Bed(stack, plane=plane)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    sess = sessions(bed)[0]
    assert ping_session(bed, sess), bed.d.log()
    # "restricted": no ICMP towards the client
    code, _ = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "restricted"'])
    assert code == "CoA-ACK", bed.d.log()
    assert sessions(bed)[0]["filter_out"] == "g1_p1_out"
    assert session_map_element(bed, sess) == "g1_p1_out"
    assert not ping_session(bed, sess)
    # "icmp-only": ICMP alone passes; restricted's chain, no longer used, goes
    code, _ = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "icmp-only"'])
    assert code == "CoA-ACK", bed.d.log()
    assert sessions(bed)[0]["filter_out"] == "g1_p2_out"
    assert session_map_element(bed, sess) == "g1_p2_out"
    assert ping_session(bed, sess, marker=False)
    table = subprocess.run(["ip", "netns", "exec", bed.srv, "nft", "list", "table", "inet",
                            "l2tpd"], stdout=subprocess.PIPE, text=True).stdout
    assert "chain g1_p1_out" not in table and "chain g1_p2_out" in table, table
    # the policy without filters: the element goes, traffic passes
    code, _ = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "radius-users"'])
    assert code == "CoA-ACK", bed.d.log()
    assert sessions(bed)[0]["filter_out"] == ""
    assert session_map_element(bed, sess) is None
    assert ping_session(bed, sess)
    # back to "restricted", then a change that cannot be made
    code, _ = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "restricted"'])
    assert code == "CoA-ACK", bed.d.log()
    assert not ping_session(bed, sess)
    subprocess.run(["ip", "netns", "exec", bed.srv, "nft", "add", "chain", "inet", "l2tpd",
                    "g1_p3_out", "{ type filter hook prerouting priority 10; policy accept; }"],
                   check=True)
    code, got = bed.radclient("coa", ['User-Name = "alice"', 'Filter-Id = "shadowed"'])
    assert (code, got.get("Error-Cause")) == ("CoA-NAK", "Resources-Unavailable"), bed.d.log()
    assert re.search(r"user 'alice': the packet filter of policy 'shadowed' \(CoA-Request "
                     r"Filter-Id\) not installed: nftables: .*nothing changed, the session "
                     r"keeps its filters", bed.d.log()), bed.d.log()
    assert sessions(bed)[0]["filter_out"] == "g1_p1_out"
    assert session_map_element(bed, sess) == "g1_p1_out"
    assert not ping_session(bed, sess)
    assert not events(alice, "down")


@pytest.mark.netns
def test_reload_applies_a_new_client_secret(stack):
    bed = Bed(stack)
    alice, _ = bed.hold("alice", "Alice-Secret-1")
    with open(bed.das_secret_file, "w") as f:
        f.write("Das-Second-Secret\n")
    ok, text = bed.d.ctl("reload")
    assert ok, text
    # the old secret is refused from now on, the new one signs
    code, _ = bed.radclient("coa", ['User-Name = "alice"', "Idle-Timeout = 600"])
    assert code is None
    wait_for("the old secret's drop",
             lambda: re.search(r"radius das: dropped a datagram from %s:\d+: .*authenticator "
                               r"does not verify" % NAS_IP, bed.d.log()), timeout=30)
    code, _ = bed.radclient("disconnect", ['User-Name = "alice"'], secret="Das-Second-Secret")
    assert code == "Disconnect-ACK", bed.d.log()
    wait_for("alice's session to end", lambda: events(alice, "down"), timeout=30)

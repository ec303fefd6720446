# SPDX-License-Identifier: GPL-2.0-or-later
"""RADIUS accounting of l2tpd against the real FreeRADIUS 3.2 (docs/radius.md
"Accounting in the daemon"): our client (test/tools/l2tp-client) logs in
over L2TP to l2tpd on the userspace data plane, pings through the tunnel and
hangs up, or is ended by the server; FreeRADIUS writes every accounting
record it acknowledged to its detail file (test/integration/lib/freeradius.py),
which the tests read. Every wait is for an event (a record in the detail
file, a log line, the client's JSON record), never for a duration."""
import binascii
import json
import os
import re
import signal
import subprocess

import pytest

from lib.client import by_event, client_path, run_client
from lib.freeradius import FreeRadius
from lib.l2tpd import PASSWORDS, L2tpd, build_dir
from lib.netns import wait_for

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"
NAS_IP, RAD1, RAD2 = "203.0.113.1", "203.0.113.10", "203.0.113.11"
SECRET = "Radius-Test-Secret"
CLASS = "acct-class-of-alice"

USERS = """\
alice Cleartext-Password := "Alice-Secret-1"
	Class = "%s"
ivan Cleartext-Password := "Ivan-Secret-9"
	Acct-Interim-Interval = 60
dave Cleartext-Password := "Dave-Secret-4"
	Session-Timeout = 2
ida Cleartext-Password := "Ida-Secret-8"
	Idle-Timeout = 2
""" % CLASS

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
}
"""


class Bed:
    """l2tpd in `srv` with accounting on, the client in `cli`, FreeRADIUS
    in `srv` on an address of its own. provider: radius, or local (the
    example policy's users; RRAS's "Windows authentication, RADIUS
    accounting")."""

    def __init__(self, stack, provider="radius", start_radius=True, extra="", top=""):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP, RAD1, RAD2):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        self.radius = FreeRadius(stack, self.srv, RAD1, nas=NAS_IP, secret=SECRET, users=USERS)
        self.radius2 = FreeRadius(stack, self.srv, RAD2, nas=NAS_IP, secret=SECRET, users=USERS,
                                  name="freeradius2")
        secret_file = os.path.join(stack.workdir, "radius.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(secret_file, 0o600)
        self.spool_dir = os.path.join(stack.workdir, "spool")
        os.makedirs(self.spool_dir, exist_ok=True)
        self.spool = os.path.join(self.spool_dir, "accounting.spool")
        if start_radius:
            self.radius.start()
        conf = """auth {
            provider = %s
        }
        radius {
            rad1 {
                address = %s
                secret_file = %s
            }
            nas_identifier = lns-test
            nas_ip_address = %s
            timeout = 300ms
            max_timeout = 600ms
            tries = 2
            dead_time = 1s
            accounting = yes
            accounting_spool = %s
            %s
        }
        %s""" % (provider, RAD1, secret_file, NAS_IP, self.spool, extra, top)
        self.d = L2tpd(stack, self.srv, listen=SERVER, dataplane="userspace",
                       policy_text=POLICY if provider == "radius" else None, extra=conf)
        self.d.start()

    def login(self, user, password, *extra):
        return run_client(self.cli, SERVER, user, password, "--auth", "pap", *extra)

    def hold(self, user, password):
        """A client that stays up until the test ends it; returns a function
        listing its JSON events of one kind."""
        proc = self.stack.spawn("client-" + user,
                                [client_path(), "--server", SERVER, "--user", user,
                                 "--password", password, "--auth", "pap", "--hold-forever",
                                 "--lcp-echo", "0", "--json"], ns=self.cli)

        def events(name):
            return [json.loads(l) for l in proc.log().splitlines()
                    if l.startswith("{") and json.loads(l).get("event") == name]
        wait_for(user + " up", lambda: events("up"), timeout=30)
        return proc, events

    def records(self, status=None, user=None, radius=None):
        recs = (radius or self.radius).records()
        return [r for r in recs if (status is None or r.get("Acct-Status-Type") == status) and
                (user is None or r.get("User-Name") == user)]

    def wait_record(self, status, user=None, count=1, radius=None):
        return wait_for("%d %s record(s)%s in the detail file" %
                        (count, status, " of " + user if user else ""),
                        lambda: (self.records(status, user, radius)
                                 if len(self.records(status, user, radius)) >= count else None),
                        timeout=60)

    def radius_json(self):
        exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
        res = subprocess.run([exe, "--json", "--socket", self.d.sock, "radius"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=20)
        assert res.returncode == 0, res.stdout + res.stderr
        return json.loads(res.stdout)

    def stop_daemon(self):
        """An orderly stop (SIGTERM); the deadline only bounds a hung test."""
        rc = self.d.proc.stop(signal.SIGTERM, timeout=60)
        assert rc == 0, self.d.log()[-3000:]


def class_value(rec):
    """FreeRADIUS's detail writes an octet string as 0x... (or as text)."""
    v = rec.get("Class", "")
    if v.startswith("0x"):
        return binascii.unhexlify(v[2:]).decode()
    return v


def access_request_session_id(radius_log, user):
    """The Acct-Session-Id of user's Access-Request, from FreeRADIUS -X."""
    req = radius_log[radius_log.index('User-Name = "%s"' % user):]
    m = re.search(r'Acct-Session-Id = "([0-9A-F]+)"', req)
    assert m, req[:3000]
    return m.group(1)


@pytest.mark.netns
def test_start_and_stop_carry_the_session_with_class_and_counters(stack):
    bed = Bed(stack)
    bed.wait_record("Accounting-On")
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--ping", LOCAL, "--ping-count", "5")
    assert rc == 0, out + bed.d.log()[-3000:]
    up = by_event(recs, "up")[0]
    start = bed.wait_record("Start", "alice")[0]
    stop = bed.wait_record("Stop", "alice")[0]
    asid = access_request_session_id(bed.radius.proc.log(), "alice")
    for rec in (start, stop):
        # RFC 2866 5.5: the Access-Request's Acct-Session-Id
        assert rec["Acct-Session-Id"] == asid, rec
        assert rec["Framed-IP-Address"] == up["addr"], rec
        # RFC 2865 5.25: the Access-Accept's Class, unmodified
        assert class_value(rec) == CLASS, rec
        assert rec["NAS-IP-Address"] == NAS_IP and rec["NAS-Identifier"] == "lns-test", rec
        assert rec["NAS-Port-Type"] == "Virtual", rec
        assert rec["Calling-Station-Id"] == CLIENT and rec["Called-Station-Id"] == SERVER, rec
        assert rec["Tunnel-Type:0"] == "L2TP" and rec["Tunnel-Client-Endpoint:0"] == CLIENT, rec
    assert "Acct-Input-Octets" not in start, start
    # the client hung up: LCP Terminate-Request, CDN, StopCCN
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    # RFC 2866 5.3/5.4, the NAS's view: input is what the client sent;
    # at least the echo requests in and the replies out, each at least an
    # IP header and an ICMP echo header (28 octets)
    assert int(stop["Acct-Input-Packets"]) >= 5 and int(stop["Acct-Output-Packets"]) >= 5, stop
    assert int(stop["Acct-Input-Octets"]) >= 5 * 28, stop
    assert int(stop["Acct-Output-Octets"]) >= 5 * 28, stop
    assert stop["Acct-Input-Gigawords"] == "0" and stop["Acct-Output-Gigawords"] == "0", stop
    assert "Acct-Session-Time" in stop, stop
    # the records in order: On, Start, Stop
    order = [r["Acct-Status-Type"] for r in bed.records()]
    assert order == ["Accounting-On", "Start", "Stop"], order


@pytest.mark.netns
def test_admin_disconnect_is_admin_reset(stack):
    bed = Bed(stack)
    proc, events = bed.hold("alice", "Alice-Secret-1")
    bed.wait_record("Start", "alice")
    ok, text = bed.d.ctl("disconnect user alice")
    assert ok, text
    stop = bed.wait_record("Stop", "alice")[0]
    assert stop["Acct-Terminate-Cause"] == "Admin-Reset", stop


@pytest.mark.netns
def test_session_timeout_is_session_timeout(stack):
    bed = Bed(stack)
    bed.hold("dave", "Dave-Secret-4")
    stop = bed.wait_record("Stop", "dave")[0]
    assert stop["Acct-Terminate-Cause"] == "Session-Timeout", stop


@pytest.mark.netns
def test_idle_timeout_is_idle_timeout(stack):
    bed = Bed(stack)
    # no LCP echoes, no pings: nothing moves on the link
    bed.hold("ida", "Ida-Secret-8")
    stop = bed.wait_record("Stop", "ida")[0]
    assert stop["Acct-Terminate-Cause"] == "Idle-Timeout", stop


@pytest.mark.netns
def test_interim_update_at_the_servers_interval(stack):
    """Acct-Interim-Interval 60 from the Access-Accept: the Interim-Update
    comes a minute after Start (the shortest RFC 2869 5.16 allows)."""
    bed = Bed(stack)
    proc, events = bed.hold("ivan", "Ivan-Secret-9")
    bed.wait_record("Start", "ivan")
    wait_for("the Interim-Update", lambda: bed.records("Interim-Update", "ivan"), timeout=120)
    interim = bed.records("Interim-Update", "ivan")[0]
    assert int(interim["Acct-Session-Time"]) >= 60, interim
    assert "Acct-Input-Octets" in interim and "Acct-Terminate-Cause" not in interim, interim
    proc.stop()     # SIGTERM: the client's orderly close
    stop = bed.wait_record("Stop", "ivan")[0]
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop


@pytest.mark.netns
def test_accounting_off_at_a_clean_stop(stack):
    bed = Bed(stack)
    proc, events = bed.hold("alice", "Alice-Secret-1")
    bed.wait_record("Start", "alice")
    bed.stop_daemon()
    order = [r["Acct-Status-Type"] for r in bed.records()]
    # the Stop first, then Accounting-Off, both acknowledged before l2tpd left
    assert order == ["Accounting-On", "Start", "Stop", "Accounting-Off"], order
    stop = bed.records("Stop", "alice")[0]
    assert stop["Acct-Terminate-Cause"] == "Admin-Reboot", stop


@pytest.mark.netns
def test_local_logins_are_accounted_too(stack):
    bed = Bed(stack, provider="local")
    rc, recs, out = bed.login("alice", PASSWORDS["alice"])
    assert rc == 0, out + bed.d.log()[-3000:]
    stop = bed.wait_record("Stop", "alice")[0]
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    assert "Class" not in stop, stop


@pytest.mark.netns
def test_records_wait_while_the_server_is_down_and_go_when_it_answers(stack):
    bed = Bed(stack, provider="local", start_radius=False)
    rc, recs, out = bed.login("alice", PASSWORDS["alice"])
    assert rc == 0, out
    # On, Start, Stop made, none acknowledged
    st = wait_for("three records held", lambda: (lambda j: j if j["accounting"]["made"] == 3
                                                  else None)(bed.radius_json()), timeout=30)
    assert st["accounting"]["acknowledged"] == 0, st
    assert st["accounting"]["queued"] + st["accounting"]["in_flight"] == 3, st
    # every one of them in the spool (more than its 8-octet header)
    assert st["accounting"]["spool_bytes"] > 8, st
    # the server is found dead: its retransmissions ran out
    st = wait_for("the accounting server dead",
                  lambda: (lambda j: j if not j["servers"][0]["acct"]["alive"] else None)(
                      bed.radius_json()), timeout=30)
    assert st["servers"][0]["acct"]["timeouts"] >= 1, st
    assert st["servers"][0]["acct"]["retransmits"] >= 1, st
    bed.radius.start()
    bed.wait_record("Stop", "alice")
    order = [r["Acct-Status-Type"] for r in bed.records()]
    assert order == ["Accounting-On", "Start", "Stop"], order
    st = wait_for("every record acknowledged",
                  lambda: (lambda j: j if j["accounting"]["acknowledged"] == 3 else None)(
                      bed.radius_json()), timeout=30)
    assert st["accounting"]["queued"] == 0 and st["accounting"]["dropped"] == 0, st
    # nothing outstanding: every record in the spool has its done entry
    # (the file goes back to its header only past 64 KiB: acct.c)
    wait_for("every spooled record done", lambda: spool_all_done(bed.spool), timeout=30)


def spool_all_done(path):
    """The spool (docs/radius.md "The accounting spool": header, then
    entries 0xAC 0xC7, kind, length, body, CRC-32) holds at least one
    record and a done entry for each."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"L2RACCT1", data[:8]
    records, done, off = set(), set(), 8
    while off + 5 <= len(data):
        assert data[off:off + 2] == b"\xac\xc7", (off, data[off:off + 2])
        kind, n = data[off + 2], int.from_bytes(data[off + 3:off + 5], "big")
        if off + 5 + n + 4 > len(data):
            return False		# the writer is still at it
        seq = int.from_bytes(data[off + 5:off + 13], "big")
        (records if kind == 1 else done).add(seq)
        off += 5 + n + 4
    return bool(records) and records <= done


@pytest.mark.netns
def test_the_spool_survives_a_restart(stack):
    bed = Bed(stack, provider="local", start_radius=False)
    rc, recs, out = bed.login("alice", PASSWORDS["alice"])
    assert rc == 0, out
    wait_for("the Stop made", lambda: bed.radius_json()["accounting"]["made"] == 3, timeout=30)
    # the server never answered: l2tpd waits for it no longer than its
    # stop's drain (2 s), and the records stay in the spool
    bed.stop_daemon()
    bed.d.start()
    log = bed.d.log()
    assert "radius accounting: 2 records not acknowledged before the restart are sent again " \
        "(2 Accounting-On/Off of that run left out)" in log, log
    bed.radius.start()
    bed.wait_record("Stop", "alice")
    recs = bed.records()
    order = [r["Acct-Status-Type"] for r in recs]
    # the first run's Start and Stop, then this run's Accounting-On
    assert order == ["Start", "Stop", "Accounting-On"], order
    # they waited, at least the stop's 2 s drain: Acct-Delay-Time counts
    # from their event (RFC 2866 5.2), across the restart
    assert int(recs[0].get("Acct-Delay-Time", "0")) >= 2, recs[0]
    assert int(recs[1].get("Acct-Delay-Time", "0")) >= 2, recs[1]
    assert recs[0]["Acct-Session-Id"] == recs[1]["Acct-Session-Id"], recs
    assert recs[0]["Acct-Session-Id"] != recs[2]["Acct-Session-Id"], recs


@pytest.mark.netns
def test_l2tpctl_radius_counts_per_server(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out
    rc, recs, out = bed.login("alice", "wrong-password")
    assert rc == 1, out
    bed.wait_record("Stop", "alice")
    st = wait_for("the Stop acknowledged",
                  lambda: (lambda j: j if j["accounting"]["acknowledged"] == 3 else None)(
                      bed.radius_json()), timeout=30)
    assert st["configured"] is True, st
    s = st["servers"][0]
    assert s["name"] == "rad1", s
    assert s["auth"]["address"] == RAD1 + ":1812" and s["acct"]["address"] == RAD1 + ":1813", s
    assert s["auth"]["alive"] is True and s["acct"]["alive"] is True, s
    assert s["auth"]["requests"] == 2 and s["auth"]["responses"] == 2, s
    assert s["acct"]["requests"] == 3 and s["acct"]["responses"] == 3, s
    for port in ("auth", "acct"):
        assert s[port]["retransmits"] == 0 and s[port]["timeouts"] == 0, s
        assert s[port]["bad_authenticators"] == 0 and s[port]["malformed"] == 0, s
        # a server on the same host answers within the first timeout (300 ms)
        assert 0 <= s[port]["rtt_ms"] < 300 and 0 <= s[port]["rtt_last_ms"] < 300, s
    assert st["auth"]["accepts"] == 1 and st["auth"]["rejects"] == 1, st
    assert st["accounting"]["made"] == 3 and st["accounting"]["dropped"] == 0, st
    # the text form says the same
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "--socket", bed.d.sock, "radius"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=20)
    assert res.returncode == 0, res.stderr
    assert re.search(r"auth %s:1812 alive: 2 requests" % re.escape(RAD1), res.stdout), res.stdout
    assert "accounting: 3 records: 3 acknowledged, 0 queued" in res.stdout, res.stdout


@pytest.mark.netns
def test_a_reload_moves_accounting_to_the_new_server(stack):
    bed = Bed(stack)
    bed.radius2.start()
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out
    bed.wait_record("Stop", "alice")
    with open(bed.d.conf) as f:
        conf = f.read()
    with open(bed.d.conf, "w") as f:
        f.write(conf.replace("address = %s" % RAD1, "address = %s" % RAD2))
    ok, text = bed.d.ctl("reload")
    assert ok, text
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out
    stop = bed.wait_record("Stop", "alice", radius=bed.radius2)[0]
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    assert [r["Acct-Status-Type"] for r in bed.records(radius=bed.radius2)] == ["Start", "Stop"]
    # the first server got the first session only
    assert len(bed.records("Start", "alice")) == 1
    assert "radius accounting: 1 server(s) for records from now on" in bed.d.log(), bed.d.log()


@pytest.mark.netns
def test_a_client_gone_silent_is_lost_carrier(stack):
    """The client dies without a word (SIGKILL): the server's LCP echoes go
    unanswered (RFC 1661 5.8) and the session ends as Lost-Carrier."""
    bed = Bed(stack, top="timers {\n lcp_echo_interval = 1\n lcp_echo_failures = 2\n }")
    proc, events = bed.hold("alice", "Alice-Secret-1")
    bed.wait_record("Start", "alice")
    proc.stop(signal.SIGKILL)
    stop = bed.wait_record("Stop", "alice")[0]
    assert stop["Acct-Terminate-Cause"] == "Lost-Carrier", stop

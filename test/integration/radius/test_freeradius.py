# SPDX-License-Identifier: GPL-2.0-or-later
"""radius/ against the real FreeRADIUS 3.2 (docs/radius.md, "Testing against
FreeRADIUS"): accounting records in the server's detail file with the right
attributes, records held while the server is down and delivered when it is
back, also across a restart of the NAS (the spool); an Access-Request with
PAP; and radclient's Disconnect-/CoA-Requests answered by the dynamic
authorization server. The server and test/tools/radius-nas run in a network
namespace of the test, with a private configuration directory. Every wait is
for an event (a line in a log, a reply), never for a duration."""
import os
import re
import subprocess
import time

import pytest

from lib.freeradius import FreeRadius, RadiusNas

NAS = "192.0.2.1"
SERVER = "192.0.2.2"
SECRET = "Radius-Test-Secret"
DAS_SECRET = "Das-Test-Secret"
USERS = """\
alice Cleartext-Password := "Alice-Secret-1"
	Framed-IP-Address = 10.9.0.2,
	Session-Timeout = 3600,
	Idle-Timeout = 600,
	Acct-Interim-Interval = 300,
	Class = "grp=staff"
"""


def bed(stack):
    ns = stack.netns("rad")
    for addr in (NAS, SERVER):
        subprocess.run(["ip", "-n", ns, "addr", "add", addr + "/32", "dev", "lo"], check=True)
    server = FreeRadius(stack, ns, SERVER, nas="192.0.2.0/24", secret=SECRET, users=USERS)
    return ns, server


def nas(stack, ns, *extra):
    return RadiusNas(stack, ns, ["--nas-ip", NAS, "--nas-id", "lns-test",
                                 "--timeout-ms", "300", "--tries", "2", "--dead-ms", "500",
                                 "--retry-ms", "1000"] + list(extra))


def by(records, **want):
    return [r for r in records if all(r.get(k) == v for k, v in want.items())]


@pytest.mark.netns
def test_accounting_records_reach_freeradius_with_their_attributes(stack):
    ns, server = bed(stack)
    server.start()
    tool = nas(stack, ns, "--acct", "%s:1813:%s" % (SERVER, SECRET),
               "--spool", stack.workdir)
    tool.send("on")
    tool.wait("^acked 1$")
    tool.send("start 00000001 alice 10.9.0.2")
    tool.wait("^acked 2$")
    # 5 GiB in, 4 GiB + 7 out: Gigawords (RFC 2869 5.1/5.2)
    tool.send("interim 00000001 alice 10.9.0.2 1000 2000 10 20 300")
    tool.send("stop 00000001 alice 10.9.0.2 5368709120 4294967303 4000000 3000000 3600 "
              "idle-timeout")
    tool.wait("^acked 4$")
    recs = server.records()
    assert len(by(recs, **{"Acct-Status-Type": "Accounting-On",
                           "NAS-Identifier": "lns-test"})) == 1
    start, = by(recs, **{"Acct-Status-Type": "Start", "Acct-Session-Id": "00000001"})
    assert start["User-Name"] == "alice"
    assert start["NAS-IP-Address"] == NAS
    assert start["Framed-IP-Address"] == "10.9.0.2"
    assert start["Tunnel-Type:0"] == "L2TP"
    interim, = by(recs, **{"Acct-Status-Type": "Interim-Update"})
    assert (interim["Acct-Input-Octets"], interim["Acct-Output-Octets"]) == ("1000", "2000")
    assert interim["Acct-Session-Time"] == "300"
    stop, = by(recs, **{"Acct-Status-Type": "Stop"})
    assert (stop["Acct-Input-Gigawords"], stop["Acct-Input-Octets"]) == ("1", str(1 << 30))
    assert (stop["Acct-Output-Gigawords"], stop["Acct-Output-Octets"]) == ("1", "7")
    assert (stop["Acct-Input-Packets"], stop["Acct-Output-Packets"]) == ("4000000", "3000000")
    assert stop["Acct-Session-Time"] == "3600"
    assert stop["Acct-Terminate-Cause"] == "Idle-Timeout"
    assert "Acct-Delay-Time" not in stop       # answered at once
    tool.send("off")
    tool.wait("^acked 5$")
    assert by(server.records(), **{"Acct-Status-Type": "Accounting-Off"})
    tool.quit()
    # nothing outstanding: the spool is its header alone
    with open(os.path.join(stack.workdir, "accounting.spool"), "rb") as f:
        assert f.read() == b"L2RACCT1"


@pytest.mark.netns
def test_records_wait_for_a_stopped_server_and_survive_a_restart_of_the_nas(stack):
    ns, server = bed(stack)
    spool = os.path.join(stack.workdir, "spool")
    os.makedirs(spool)
    server.start()
    args = ["--acct", "%s:1813:%s" % (SERVER, SECRET), "--spool", spool]
    tool = nas(stack, ns, *args)
    tool.send("on")
    tool.wait("^acked 1$")

    # the server stops: the record waits, and goes when it is back
    server.stop()
    tool.send("start 00000002 bob 10.9.0.3")
    tool.wait("^timeouts 1$")
    assert not by(server.records(), **{"Acct-Session-Id": "00000002"})
    server.start()
    tool.wait("^acked 2$")
    assert by(server.records(), **{"Acct-Status-Type": "Start", "Acct-Session-Id": "00000002"})

    # the server stops again, and so does the NAS: the Stop is in the spool
    server.stop()
    tool.send("stop 00000002 bob 10.9.0.3 100 200 1 2 60 user-request")
    tool.wait("^timeouts 2$")
    tool.quit()
    with open(os.path.join(spool, "accounting.spool"), "rb") as f:
        assert len(f.read()) > len(b"L2RACCT1")
    server.start()
    tool = nas(stack, ns, *args)
    tool.wait("^restored 1$")
    tool.wait("^acked 1$")
    stop, = by(server.records(), **{"Acct-Status-Type": "Stop", "Acct-Session-Id": "00000002"})
    assert stop["Acct-Terminate-Cause"] == "User-Request"
    assert stop["Acct-Input-Octets"] == "100"
    tool.quit()


@pytest.mark.netns
def test_pap_access_request_round_trip(stack):
    ns, server = bed(stack)
    server.start()
    tool = nas(stack, ns, "--auth", "%s:1812:%s" % (SERVER, SECRET))
    tool.send("auth alice Alice-Secret-1")
    line = tool.wait("^auth ")
    assert line == ("auth accept ip=10.9.0.2 session_timeout=3600 idle_timeout=600 "
                    "interim=300 filter=- class=grp=staff"), line
    at = tool.mark()
    tool.send("auth alice Wrong-Password")
    assert tool.wait("^auth ", after=at) == "auth reject"
    tool.quit()
    # the wrong shared secret: the server drops the request, no crash
    tool = nas(stack, ns, "--auth", "%s:1812:%s" % (SERVER, "not-the-secret"))
    tool.send("auth alice Alice-Secret-1")
    assert tool.wait("^auth ") == "auth timeout bad_authenticators=0"
    tool.quit()
    assert server.proc.alive()
    assert "Shared secret is incorrect" in server.proc.log()


@pytest.mark.netns
def test_an_access_accept_without_message_authenticator_is_not_believed(stack):
    # FreeRADIUS 3.2.1 as installed: a PAP Access-Accept without
    # Message-Authenticator (docs/radius.md, "Pointing l2tpd at FreeRADIUS")
    ns = stack.netns("rad")
    subprocess.run(["ip", "-n", ns, "addr", "add", SERVER + "/32", "dev", "lo"], check=True)
    server = FreeRadius(stack, ns, SERVER, nas="192.0.2.0/24", secret=SECRET, users=USERS,
                        sign_answers=False)
    server.start()
    tool = nas(stack, ns, "--auth", "%s:1812:%s" % (SERVER, SECRET))
    tool.send("auth alice Alice-Secret-1")
    line = tool.wait("^auth ")
    # the server did answer (once per copy it saw), and was not believed
    m = re.match(r"^auth timeout bad_authenticators=(\d+)$", line)
    assert m and int(m.group(1)) >= 1, line
    assert "Sent Access-Accept" in server.proc.log()
    tool.quit()


def radclient(ns, kind, attrs, secret=DAS_SECRET, timestamp=True, tries=1, raw=False):
    """radclient's answer: (code name or None, {attribute: value}). The DAS
    requires Event-Timestamp by default (RFC 5176 section 6.4): the request
    carries the current time unless it has one or timestamp is False."""
    if timestamp and not any(a.startswith("Event-Timestamp") for a in attrs):
        attrs = attrs + ["Event-Timestamp = %d" % int(time.time())]
    res = subprocess.run(["ip", "netns", "exec", ns, "radclient", "-x", "-r", str(tries), "-t", "2",
                          "%s:3799" % NAS, kind, secret], input="\n".join(attrs) + "\n",
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=60)
    m = re.search(r"Received (\S+) Id", res.stdout)
    got = dict(re.findall(r"^\s+([A-Za-z0-9:-]+) = (.*)$", res.stdout, re.M))
    if raw:
        return (m.group(1) if m else None), res.stdout
    return (m.group(1) if m else None), {k: v.strip('"') for k, v in got.items()}


@pytest.mark.netns
def test_disconnect_and_coa_from_radclient(stack):
    ns = stack.netns("das")
    subprocess.run(["ip", "-n", ns, "addr", "add", NAS + "/32", "dev", "lo"], check=True)
    tool = nas(stack, ns, "--das", "%s:3799" % NAS, "--das-client", "%s:%s" % (NAS, DAS_SECRET),
               "--session", "alice,00000001,10.9.0.2,1,203.0.113.7:4500,192.0.2.1",
               "--session", "bob,00000002,10.9.0.3,2,198.51.100.9,192.0.2.1",
               "--session", "alice,00000003,10.9.0.4,3,203.0.113.7:1024,192.0.2.1",
               "--session", "dave,00000004,10.9.0.5,4,198.51.100.20,192.0.2.1",
               "--filter", "staff")

    code, _ = radclient(ns, "disconnect", ['Acct-Session-Id = "00000002"',
                                           'Message-Authenticator = 0x00'])
    assert code == "Disconnect-ACK"
    tool.wait("^das disconnect 00000002$")

    code, _ = radclient(ns, "coa", ['Framed-IP-Address = 10.9.0.4', 'Session-Timeout = 600',
                                    'Idle-Timeout = 60', 'Filter-Id = "staff"'])
    assert code == "CoA-ACK"
    tool.wait("^das change 00000003 session_timeout=600 idle_timeout=60 filter=staff$")

    code, got = radclient(ns, "coa", ['User-Name = "alice"', 'Filter-Id = "no-such-filter"'])
    assert code == "CoA-NAK"
    assert got.get("Error-Cause") == "Invalid-Attribute-Value"

    code, got = radclient(ns, "disconnect", ['User-Name = "carol"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Session-Context-Not-Found")

    code, got = radclient(ns, "disconnect", ['User-Name = "alice"',
                                             'NAS-Identifier = "another-nas"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "NAS-Identification-Mismatch")

    # Calling-Station-Id identifies a session (RFC 5176 section 3), exactly
    # as the NAS sends it: the address alone is no session here
    code, got = radclient(ns, "disconnect", ['Calling-Station-Id = "203.0.113.7"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Session-Context-Not-Found")
    code, _ = radclient(ns, "coa", ['Calling-Station-Id = "198.51.100.20"',
                                    'Called-Station-Id = "192.0.2.1"', 'Idle-Timeout = 30'])
    assert code == "CoA-ACK"
    tool.wait("^das change 00000004 session_timeout=-1 idle_timeout=30 filter=-$")
    code, _ = radclient(ns, "disconnect", ['Calling-Station-Id = "198.51.100.20"'])
    assert code == "Disconnect-ACK"
    tool.wait("^das disconnect 00000004$")
    code, got = radclient(ns, "disconnect", ['Called-Station-Id = "192.0.2.99"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Session-Context-Not-Found")

    code, got = radclient(ns, "disconnect", ['Acct-Multi-Session-Id = "00000002"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Unsupported-Attribute")

    code, got = radclient(ns, "disconnect", ['NAS-Identifier = "lns-test"'])
    assert (code, got.get("Error-Cause")) == ("Disconnect-NAK", "Missing-Attribute")

    # silently discarded: the wrong secret, a stale Event-Timestamp, none
    at = tool.mark()
    code, _ = radclient(ns, "disconnect", ['User-Name = "alice"'], secret="not-the-secret")
    assert code is None
    tool.wait("^das discarded authenticator does not verify", after=at)
    at = tool.mark()
    code, _ = radclient(ns, "disconnect", ['User-Name = "alice"', 'Event-Timestamp = 1000000000'])
    assert code is None
    tool.wait("^das discarded Event-Timestamp outside the window", after=at)
    at = tool.mark()
    code, _ = radclient(ns, "disconnect", ['User-Name = "alice"'], timestamp=False)
    assert code is None
    tool.wait("^das discarded no Event-Timestamp", after=at)

    # alice's two sessions are still there; by User-Name both go
    code, _ = radclient(ns, "disconnect", ['User-Name = "alice"'])
    assert code == "Disconnect-ACK"
    tool.wait("^das code=40 answer=41 cause=0 sessions=2$")
    tool.quit()


@pytest.mark.netns
def test_a_retransmitted_request_gets_the_same_long_answer_and_is_acted_on_once(stack):
    """RFC 5080 section 2.2.2 with radclient as the client: the first answer
    (over 2 kilobytes, with eight Proxy-States echoed) is dropped on its way
    out by an nft rule in the test's namespace that drops only the first
    packet from port 3799, so radclient retransmits the same packet (same
    Identifier and authenticator); the DAS answers from its cache and does
    not disconnect a second time."""
    ns = stack.netns("dasre")
    subprocess.run(["ip", "-n", ns, "addr", "add", NAS + "/32", "dev", "lo"], check=True)
    tool = nas(stack, ns, "--das", "%s:3799" % NAS, "--das-client", "%s:%s" % (NAS, DAS_SECRET),
               "--session", "bob,00000002,10.9.0.3,2,198.51.100.9,192.0.2.1")
    nft = ["ip", "netns", "exec", ns, "nft"]
    subprocess.run(nft + ["add", "table", "inet", "dasre"], check=True)
    subprocess.run(nft + ["add", "chain", "inet", "dasre", "out",
                          "{ type filter hook output priority 0; }"], check=True)
    # numgen counts the rule's packets from 0: only the first one matches
    subprocess.run(nft + ["add", "rule", "inet", "dasre", "out", "udp", "sport", "3799",
                          "numgen", "inc", "mod", "1000000", "==", "0", "counter", "drop"],
                   check=True)
    states = ["Proxy-State = 0x%s" % (("%02x" % (0x30 + i)) * 253) for i in range(8)]
    code, out = radclient(ns, "disconnect", ['User-Name = "bob"'] + states, tries=3, raw=True)
    assert code == "Disconnect-ACK", out
    assert len(re.findall(r"^\s+Proxy-State = ", out.split("Received", 1)[1], re.M)) == 8, out
    lines = tool.lines()
    assert [l for l in lines if l.startswith("das disconnect ")] == ["das disconnect 00000002"]
    answers = [l for l in lines if l.startswith("das code=40 ")]
    assert answers == ["das code=40 answer=41 cause=0 sessions=1",
                       "das code=40 answer=41 cause=0 sessions=0 duplicate"], lines
    ruleset = subprocess.run(nft + ["list", "table", "inet", "dasre"], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
    assert "counter packets 1 " in ruleset, ruleset
    tool.quit()


@pytest.mark.netns
def test_records_fail_over_to_the_second_server_and_come_back_to_the_first(stack):
    ns, first = bed(stack)
    second_addr = "192.0.2.3"
    subprocess.run(["ip", "-n", ns, "addr", "add", second_addr + "/32", "dev", "lo"], check=True)
    second = FreeRadius(stack, ns, second_addr, nas="192.0.2.0/24", secret=SECRET + "-2",
                        users=USERS, name="freeradius-second")
    first.start()
    second.start()
    tool = nas(stack, ns, "--acct", "%s:1813:%s" % (SERVER, SECRET),
               "--acct", "%s:1813:%s" % (second_addr, SECRET + "-2"))
    tool.send("on")
    tool.wait("^acked 1$")
    assert by(first.records(), **{"Acct-Status-Type": "Accounting-On"})
    assert not second.records()

    # the first stops: the record goes to the second, signed with its secret
    first.stop()
    tool.send("start 00000005 carol 10.9.0.5")
    tool.wait("^acked 2$")
    assert by(second.records(), **{"Acct-Status-Type": "Start", "Acct-Session-Id": "00000005"})
    assert not by(first.records(), **{"Acct-Session-Id": "00000005"})
    # while the first is dead, records go straight to the second
    tool.send("interim 00000005 carol 10.9.0.5 10 20 1 2 60")
    tool.wait("^acked 3$")
    assert by(second.records(), **{"Acct-Status-Type": "Interim-Update"})

    tool.wait("^server 0 dead$")

    # the first is back: its Status-Server probe (RFC 5997) is answered, and
    # it is the first choice again
    first.start()
    tool.wait("^server 0 alive$")
    tool.send("stop 00000005 carol 10.9.0.5 10 20 1 2 120 user-request")
    tool.wait("^acked 4$")
    stop, = by(first.records(), **{"Acct-Status-Type": "Stop", "Acct-Session-Id": "00000005"})
    assert stop["Acct-Session-Time"] == "120"
    assert not by(second.records(), **{"Acct-Status-Type": "Stop"})
    tool.quit()

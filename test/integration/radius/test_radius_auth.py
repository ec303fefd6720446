# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpd with auth { provider = radius } against the real FreeRADIUS 3.2
(docs/radius.md "In the daemon"): our client (test/tools/l2tp-client,
ppp-core in the client role) logs in over L2TP to l2tpd on the userspace
data plane; l2tpd relays PAP, CHAP and MS-CHAPv2 to FreeRADIUS and applies
its answer. The servers run in l2tpd's namespace on addresses of their own
(lo), with a private configuration (test/integration/lib/freeradius.py);
l2tpd sends from its nas_ip_address. Every wait is for an event (a log line,
the client's JSON record), never for a duration."""
import json
import os
import re
import subprocess

import pytest

from lib.client import by_event, client_path, run_client
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd
from lib.netns import wait_for

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
NAS_IP, RAD1, RAD2 = "203.0.113.1", "203.0.113.10", "203.0.113.11"
SECRET = "Radius-Test-Secret"

USERS = """\
alice Cleartext-Password := "Alice-Secret-1"
bob Cleartext-Password := "Bob-Secret-2"
	Framed-IP-Address = 198.51.100.77
carol Cleartext-Password := "Carol-Secret-3"
	Framed-Pool = "guests"
dave Cleartext-Password := "Dave-Secret-4"
	Session-Timeout = 2
frank Cleartext-Password := "Frank-Secret-6", SMB-Account-CTRL-TEXT := "[Ue]"
hank Cleartext-Password := "Hank-Secret-8", SMB-Account-CTRL-TEXT := "[UD]"
gina Cleartext-Password := "Gina-Secret-7"
	Framed-IPv6-Prefix = 2001:db8:1::/56
hana Cleartext-Password := "Hana-Secret-8"
	Framed-MTU = 1200
ivan Cleartext-Password := "Ivan-Secret-9"
	Framed-MTU = 500
"""

POLICY = """\
server {
    auth_methods = mschapv2, chap, pap
}
pools {
    office { ipv4 = 198.51.100.10-198.51.100.99 }
    guests { ipv4 = 198.51.100.200-198.51.100.209 }
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

METHODS = [("pap", "PAP"), ("chap", "CHAP-MD5"), ("mschapv2", "MS-CHAPv2")]


class Bed:
    """l2tpd in `srv`, the client in `cli`, FreeRADIUS servers in `srv` on
    their own addresses."""

    def __init__(self, stack, servers=(RAD1,), start_servers=(True,), extra_conf="",
                 plane="userspace"):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP,) + tuple(servers):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        self.radius = []
        blocks = []
        for i, addr in enumerate(servers):
            r = FreeRadius(stack, self.srv, addr, nas=NAS_IP, secret=SECRET, users=USERS,
                           name="freeradius%d" % (i + 1))
            self.radius.append(r)
            secret_file = os.path.join(stack.workdir, "radius%d.secret" % (i + 1))
            with open(secret_file, "w") as f:
                f.write(SECRET + "\n")
            os.chmod(secret_file, 0o600)
            blocks.append("rad%d {\n address = %s\n secret_file = %s\n }" %
                          (i + 1, addr, secret_file))
        for r, start in zip(self.radius, start_servers):
            if start:
                r.start()
        extra = """auth {
            provider = radius
        }
        radius {
            %s
            nas_identifier = lns-test
            nas_ip_address = %s
            timeout = 300ms
            max_timeout = 600ms
            tries = 2
            dead_time = 2s
        }
        %s""" % ("\n".join(blocks), NAS_IP, extra_conf)
        self.d = L2tpd(stack, self.srv, listen=SERVER, dataplane=plane,
                       policy_text=POLICY, extra=extra)
        self.d.start()

    def login(self, user, password, auth):
        return run_client(self.cli, SERVER, user, password, "--auth", auth)


def assert_up(recs, out, method, addr_prefix="198.51.100."):
    up = by_event(recs, "up")
    assert len(up) == 1, out
    assert up[0]["auth"] == method and up[0]["auth_result"] == "ok", up[0]
    assert up[0]["addr"].startswith(addr_prefix), up[0]
    return up[0]


def assert_refused(recs, out, method, code):
    failed = by_event(recs, "failed")
    assert len(failed) == 1, out
    assert failed[0]["auth"] == method and failed[0]["auth_result"] == "fail", failed[0]
    if method == "MS-CHAPv2":
        assert failed[0]["auth_code"] == code, failed[0]
    return failed[0]


@pytest.mark.netns
@pytest.mark.parametrize("auth,method", METHODS)
def test_each_method_is_accepted_by_freeradius(stack, auth, method):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", auth)
    assert rc == 0, out + bed.d.log()
    # no Framed-IP-Address: the profile's pool
    up = assert_up(recs, out, method)
    assert 10 <= int(up["addr"].split(".")[-1]) <= 99, up
    assert "Login OK: [alice" in bed.radius[0].proc.log(), bed.radius[0].proc.log()[-3000:]
    assert re.search(r"session \d+/\d+ up: user 'alice' .* policy 'radius-users'", bed.d.log())


@pytest.mark.netns
@pytest.mark.parametrize("auth,method", METHODS)
def test_a_wrong_password_is_refused_with_691(stack, auth, method):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1x", auth)
    assert rc == 1, out
    assert_refused(recs, out, method, 691)
    assert re.search(r"user 'alice' from 192\.0\.2\.2:\d+ refused: rejected by RADIUS server "
                     r"'rad1' \(203\.0\.113\.10:1812\) \(%s, E=691\)" % re.escape(method),
                     bed.d.log()), bed.d.log()


@pytest.mark.netns
def test_the_servers_e648_reaches_the_client(stack):
    """An expired password (SMB-Account-CTRL 'e'): FreeRADIUS's mschap module
    answers E=648 and its text; the client sees them as sent."""
    bed = Bed(stack)
    rc, recs, out = bed.login("frank", "Frank-Secret-6", "mschapv2")
    assert rc == 1, out
    failed = assert_refused(recs, out, "MS-CHAPv2", 648)
    # the text too, as FreeRADIUS wrote it after M=
    assert failed["auth_message"] == "Password expired", failed
    assert re.search(r"user 'frank' .*refused: rejected by RADIUS server .*E=648", bed.d.log())


@pytest.mark.netns
def test_a_disabled_account_reaches_the_client_as_the_server_said(stack):
    """A disabled account (SMB-Account-CTRL 'D'): FreeRADIUS 3.2's mschap
    answers E=691 with the text "Account disabled" (NPS would say E=647);
    the relay adds nothing of its own: the client gets both as sent."""
    bed = Bed(stack)
    rc, recs, out = bed.login("hank", "Hank-Secret-8", "mschapv2")
    assert rc == 1, out
    failed = assert_refused(recs, out, "MS-CHAPv2", 691)
    assert failed["auth_message"] == "Account disabled", failed
    assert re.search(r"user 'hank' .*refused: rejected by RADIUS server .*E=691", bed.d.log())


@pytest.mark.netns
def test_framed_ip_address_is_the_clients_address(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("bob", "Bob-Secret-2", "mschapv2")
    assert rc == 0, out + bed.d.log()
    up = assert_up(recs, out, "MS-CHAPv2")
    assert up["addr"] == "198.51.100.77", up


@pytest.mark.netns
def test_framed_pool_names_the_pool(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("carol", "Carol-Secret-3", "pap")
    assert rc == 0, out + bed.d.log()
    up = assert_up(recs, out, "PAP", "198.51.100.20")
    assert 200 <= int(up["addr"].split(".")[-1]) <= 209, up


@pytest.mark.netns
def test_session_timeout_ends_the_session(stack):
    bed = Bed(stack)
    holder = stack.spawn("client-dave", [client_path(), "--server", SERVER, "--user", "dave",
                                         "--password", "Dave-Secret-4", "--auth", "chap",
                                         "--hold-forever", "--json"], ns=bed.cli)

    def events(name):
        return [json.loads(l) for l in holder.log().splitlines()
                if l.startswith("{") and json.loads(l).get("event") == name]
    wait_for("dave up", lambda: events("up"), timeout=30)
    # the server ends it (the deadline only bounds a hung test)
    wait_for("the session to end", lambda: events("down"), timeout=30)
    assert re.search(r"user 'dave' reached the session timeout \(2s\)", bed.d.log()), bed.d.log()


@pytest.mark.netns
def test_an_attribute_that_cannot_be_honoured_refuses_by_name(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("gina", "Gina-Secret-7", "mschapv2")
    assert rc == 1, out
    assert_refused(recs, out, "MS-CHAPv2", 649)
    # a link's prefix is a /64 (SLAAC): another length is named, with why
    assert re.search(r"user 'gina' .*refused: Framed-IPv6-Prefix of length /56 cannot be "
                     r"honoured", bed.d.log()), bed.d.log()


@pytest.mark.netns
@pytest.mark.parametrize("plane", ["userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_framed_mtu_below_the_links_is_the_session_devices_mtu(stack, plane):
    """RFC 2865 5.12 as administrators use it: hana's Framed-MTU 1200,
    below the link's (LCP settled 1398 before authentication), is the MTU
    of her session's own device (userspace: its TUN; kernel: its ppp
    unit), which the host's stack sends her through."""
    bed = Bed(stack, plane=plane)
    holder = stack.spawn("client-hana", [client_path(), "--server", SERVER, "--user", "hana",
                                         "--password", "Hana-Secret-8", "--auth", "pap",
                                         "--hold-forever", "--json"], ns=bed.cli)
    wait_for("hana up", lambda: by_event([json.loads(l) for l in holder.log().splitlines()
                                          if l.startswith("{")], "up"), timeout=30)
    sess = json.loads(bed.d.ctl("json sessions")[1])
    assert len(sess) == 1 and sess[0]["user"] == "hana", sess
    link = subprocess.run(["ip", "-n", bed.srv, "-o", "link", "show", "dev",
                           sess[0]["interface"]], stdout=subprocess.PIPE, text=True,
                          check=True).stdout
    assert " mtu 1200 " in link, link
    assert re.search(r"user 'hana': MTU 1200 on its device \(RADIUS Framed-MTU, below the "
                     r"link's \d+\)", bed.d.log()), bed.d.log()
    # her own SYNs are clamped to that MTU's MSS (RFC 879: 1200 - 40)
    def nft():
        return subprocess.run(["ip", "netns", "exec", bed.srv, "nft", "list", "table", "inet",
                               "l2tpd_mss"], stdout=subprocess.PIPE, text=True).stdout
    table = nft()
    assert '"%s" : jump mtu_1200' % sess[0]["interface"] in table, table
    assert "tcp option maxseg size > 1160 tcp option maxseg size set 1160" in table, table
    holder.stop()
    wait_for("no sessions", lambda: json.loads(bed.d.ctl("json sessions")[1]) == [],
             timeout=30)
    table = nft()
    assert sess[0]["interface"] not in table, table
    assert "not clamped" not in bed.d.log() and "not unclamped" not in bed.d.log()


@pytest.mark.netns
def test_framed_mtu_below_ipv4s_minimum_refuses_by_name(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("ivan", "Ivan-Secret-9", "mschapv2")
    assert rc == 1, out
    assert_refused(recs, out, "MS-CHAPv2", 649)
    # the reply's parser names it already (radius/reply.c: RFC 791's 576)
    assert re.search(r"user 'ivan' .*refused: .*Framed-MTU 500 is out of 576-65535",
                     bed.d.log()), bed.d.log()


@pytest.mark.netns
def test_framed_mtu_on_the_shared_tun_refuses_by_name(stack):
    """One TUN carries every session: its MTU is not one user's to lower."""
    bed = Bed(stack, extra_conf="userspace {\n tun = shared\n }")
    rc, recs, out = bed.login("hana", "Hana-Secret-8", "mschapv2")
    assert rc == 1, out
    assert_refused(recs, out, "MS-CHAPv2", 649)
    assert re.search(r"user 'hana' .*refused: Framed-MTU 1200 is below the link's \d+ and cannot "
                     r"be honoured: the shared TUN \(userspace.tun = shared\) has no device of "
                     r"the session's own", bed.d.log()), bed.d.log()


@pytest.mark.netns
def test_no_server_answering_refuses_with_a_log_line(stack):
    bed = Bed(stack, start_servers=(False,))
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "mschapv2")
    assert rc == 1, out
    assert_refused(recs, out, "MS-CHAPv2", 691)
    log = bed.d.log()
    assert re.search(r"user 'alice' .*refused: no RADIUS server answered \(MS-CHAPv2, E=691\)",
                     log), log
    assert "radius: server 'rad1' (203.0.113.10:1812) does not answer" in log, log


@pytest.mark.netns
def test_the_second_server_answers_when_the_first_is_dead(stack):
    bed = Bed(stack, servers=(RAD1, RAD2), start_servers=(False, True))
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "mschapv2")
    assert rc == 0, out + bed.d.log()
    assert_up(recs, out, "MS-CHAPv2")
    assert "Login OK: [alice" in bed.radius[1].proc.log()
    assert "radius: server 'rad1' (203.0.113.10:1812) does not answer" in bed.d.log()
    # the next login goes straight to the live one
    rc, recs, out = bed.login("bob", "Bob-Secret-2", "pap")
    assert rc == 0, out


@pytest.mark.netns
def test_the_request_carries_the_sessions_attributes(stack):
    """What FreeRADIUS received (its -X log prints every attribute)."""
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "pap")
    assert rc == 0, out
    log = bed.radius[0].proc.log()
    req = log[log.index("Received Access-Request"):]
    req = req[:req.index("(0) # Executing section authorize")] if \
        "(0) # Executing section authorize" in req else req[:4000]
    for want in ['User-Name = "alice"', "NAS-IP-Address = %s" % NAS_IP,
                 'NAS-Identifier = "lns-test"', "NAS-Port-Type = Virtual",
                 "Service-Type = Framed-User", "Framed-Protocol = PPP",
                 'Calling-Station-Id = "%s"' % CLIENT, 'Called-Station-Id = "%s"' % SERVER,
                 "Tunnel-Type:0 = L2TP", "Tunnel-Medium-Type:0 = IPv4",
                 'Tunnel-Client-Endpoint:0 = "%s"' % CLIENT,
                 'Tunnel-Server-Endpoint:0 = "%s"' % SERVER,
                 "Message-Authenticator = 0x", "Acct-Session-Id = ", "NAS-Port = "]:
        assert want in req, (want, req)

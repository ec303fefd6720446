# SPDX-License-Identifier: GPL-2.0-or-later
"""PEAP-MSCHAPv2 (what Windows speaks to NPS) through the daemon's EAP relay
(docs/radius.md "EAP relay") against the real FreeRADIUS 3.2 peap and
mschapv2 modules with an inner-tunnel server: our client
(test/tools/l2tp-client --auth peap, peap.c on ppp-core's client EAP
method seam) runs the TLS handshake in EAP fragments, EAP-MSCHAPv2 inside
the tunnel and the Result TLV, over L2TP to l2tpd on the userspace data
plane, which relays every EAP packet in Access-Requests with the State and
a Message-Authenticator. No PPP client here speaks PEAP (Debian's pppd
2.4.9 has none), and no Windows client runs here: docs/radius.md says what
that leaves untested. Every wait is for an event, never for a duration."""
import os
import re
import subprocess

import pytest

from lib.client import by_event, run_client
from lib.eap_pki import SERVER_CN, EapPki
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd
from lib.netns import wait_for

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"
NAS_IP, RAD1 = "203.0.113.1", "203.0.113.10"
SECRET = "Radius-Test-Secret"

USERS = """\
alice Cleartext-Password := "Alice-Secret-1"
bob Cleartext-Password := "Bob-Secret-2"
	Framed-IP-Address = 198.51.100.77
"""

POLICY = """\
server {
    auth_methods = mschapv2, eap
}
pools {
    office { ipv4 = 198.51.100.10-198.51.100.99 }
}
policies {
    radius-users {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, eap
            pool = office
        }
    }
}
"""


class Bed:
    def __init__(self, stack):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP, RAD1):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        self.pki = EapPki(os.path.join(stack.workdir, "pki"))
        self.radius = FreeRadius(stack, self.srv, RAD1, nas=NAS_IP, secret=SECRET, users=USERS,
                                 eap={"default": "peap", "pki": self.pki.dir,
                                      "peap": True}).start()
        secret_file = os.path.join(stack.workdir, "radius.secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(secret_file, 0o600)
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
        }""" % (RAD1, secret_file, NAS_IP)
        self.d = L2tpd(stack, self.srv, listen=SERVER, dataplane="userspace",
                       policy_text=POLICY, extra=extra)
        self.d.start()

    def login(self, user, password, *extra, ca=None):
        return run_client(self.cli, SERVER, user, password, "--auth", "peap",
                          "--ca", ca or self.pki.path("ca.pem"), *extra)

    def debug(self, out):
        return out + self.d.log()[-4000:] + self.radius.proc.log()[-6000:]


@pytest.mark.netns
def test_peap_mschapv2_login_is_relayed_to_freeradius(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--server-name", SERVER_CN,
                              "--ping", LOCAL, "--ping-count", "3")
    assert rc == 0, bed.debug(out)
    up = by_event(recs, "up")
    assert len(up) == 1, out
    up = up[0]
    assert up["auth"] == "EAP" and up["auth_result"] == "ok", up
    # the client finished PEAP itself: the server's S= verified inside
    # the tunnel and the Result TLV answered with Success
    assert up["peap"] == "ok", up
    assert up["addr"].startswith("198.51.100."), up
    assert up["ping_recv"] >= 3, up
    rlog = bed.radius.proc.log()
    # FreeRADIUS ran PEAP over TLS 1.2, EAP-MSCHAPv2 in its inner-tunnel
    # server from our compressed Identity, and took our Result TLV
    assert re.search(r"eap_peap:\s+TLS-Session-Version = \"TLS 1.2\"", rlog), rlog[-4000:]
    assert re.search(r"eap_peap: Got inner identity 'alice'", rlog), rlog[-4000:]
    assert re.search(r"eap_mschapv2: MSCHAP Success", rlog), rlog[-4000:]
    assert re.search(r"eap_peap: Received EAP-TLV response", rlog), rlog[-4000:]
    assert re.search(r"Login OK: \[alice", rlog), rlog[-4000:]
    assert not re.search(r"No EAP session matching", rlog), rlog[-4000:]
    log = bed.d.log()
    assert re.search(r"session \d+/\d+ up: user 'alice' .* policy 'radius-users'", log), log
    # the TLS handshake crossed the relay in PEAP (type 25) Requests
    assert re.search(r"EAP Request \(type 25, \d+ octets\) relayed to the client", log), log


@pytest.mark.netns
def test_the_inner_servers_address_applies_after_peap(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("bob", "Bob-Secret-2")
    assert rc == 0, bed.debug(out)
    up = by_event(recs, "up")
    assert len(up) == 1 and up[0]["peap"] == "ok", out
    assert up[0]["addr"] == "198.51.100.77", up[0]


@pytest.mark.netns
def test_a_wrong_password_inside_peap_ends_in_eap_failure(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1x")
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1, out
    f = failed[0]
    # the outer EAP-Failure reached the client, after the MS-CHAPv2
    # Failure inside the tunnel (E=691, RFC 2759 6)
    assert f["auth"] == "EAP" and f["auth_result"] == "fail", f
    assert f["stage"] == "auth", f
    assert f["peap"] == "mschapv2 failure" and f["peap_code"] == 691, f
    log = bed.d.log()
    assert re.search(r"user 'alice' from 192\.0\.2\.2:\d+ refused: rejected by RADIUS server "
                     r"'rad1' \(203\.0\.113\.10:1812\) \(EAP, E=691\)", log), log
    # the call ended with a CDN (RFC 2661 4.4.2) before it was up: the
    # daemon's own on the refusal, or the client's when its LCP went down
    # first (both close at once); waited for, as the log may trail the client
    wait_for("the call closed with a CDN", lambda: re.search(
        r"session \d+/\d+ user 'alice': trace l2tp call established -> closed "
        r"\((local-close|rx-CDN)\)", bed.d.log()))
    wait_for("the session closed before up", lambda: re.search(
        r"session \d+/\d+ closed before it was up: Authentication failed", bed.d.log()))
    assert not re.search(r"session \d+/\d+ up: user 'alice'", log), log
    # FreeRADIUS's mschapv2 refused the password (send_error: the
    # Failure packet went into the tunnel, which the client acknowledged)
    assert re.search(r"eap_mschapv2: ERROR: MSCHAP Failure", bed.radius.proc.log()), \
        bed.radius.proc.log()[-4000:]


@pytest.mark.netns
def test_a_server_certificate_of_another_ca_is_refused_by_the_client(stack):
    bed = Bed(stack)
    other = EapPki(os.path.join(stack.workdir, "other-pki"), ca_cn="Some Other CA")
    rc, recs, out = bed.login("alice", "Alice-Secret-1", ca=other.path("ca.pem"))
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1, out
    f = failed[0]
    assert f["peap"] == "server certificate rejected", f
    # FreeRADIUS sends its chain up to its own CA (ca_file): OpenSSL finds
    # that root untrusted; without it, the issuer is unknown
    assert f["peap_detail"] in ("self-signed certificate in certificate chain",
                                "unable to get local issuer certificate"), f
    assert f["auth_result"] in ("fail", "none"), f
    # the password never went: no MS-CHAPv2 reached the inner server
    rlog = bed.radius.proc.log()
    assert not re.search(r"Login OK: \[alice", rlog), rlog[-4000:]
    assert not re.search(r"eap_peap: Got inner identity", rlog), rlog[-4000:]
    assert not re.search(r"eap_mschapv2: Issuing Challenge", rlog), rlog[-4000:]
    assert not re.search(r"session \d+/\d+ up: user 'alice'", bed.d.log())


@pytest.mark.netns
def test_a_server_name_other_than_the_certificates_is_refused(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--server-name", "nps.example")
    assert rc == 1, out
    f = by_event(recs, "failed")[0]
    assert f["peap"] == "server certificate rejected", f
    assert f["peap_detail"] == "hostname mismatch", f


@pytest.mark.netns
def test_sessions_side_by_side_each_run_their_own_peap(stack):
    # the client is a load generator too: every session has its own TLS
    # tunnel and MS-CHAPv2 state, interleaved in one loop
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--sessions", "4", "--tunnels", "2")
    assert rc == 0, bed.debug(out)
    up = by_event(recs, "up")
    assert len(up) == 4, out
    assert all(u["peap"] == "ok" and u["auth_result"] == "ok" for u in up), up
    assert len({u["addr"] for u in up}) == 4, up
    rlog = bed.radius.proc.log()
    assert len(re.findall(r"eap_peap: Received EAP-TLV response", rlog)) == 4, rlog[-4000:]

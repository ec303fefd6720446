# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemon's EAP relay (docs/radius.md "EAP relay") against the real
FreeRADIUS 3.2 with its eap module: our client (test/tools/l2tp-client,
ppp-core's client role: EAP Identity and EAP-MD5) logs in over L2TP to
l2tpd on the userspace data plane, which offers EAP after MS-CHAPv2 (the
client Naks MS-CHAPv2 naming EAP) and relays every EAP packet in
Access-Requests with the State echoed and a Message-Authenticator, and each
Access-Challenge's EAP Request back. EAP-TLS needs a client with TLS: pppd,
in the VM (test_radius_eap_tls.py). Every wait is for
an event, never for a duration."""
import os
import re
import subprocess

import pytest

from lib.client import by_event, run_client
from lib.eap_pki import EapPki
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
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
            auth = %s
            pool = office
        }
    }
}
"""


class Bed:
    def __init__(self, stack, default_eap="md5", pki=False, auth="mschapv2, eap"):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        for addr in (NAS_IP, RAD1):
            subprocess.run(["ip", "-n", self.srv, "addr", "add", addr + "/32", "dev", "lo"],
                           check=True)
        eap = {"default": default_eap, "pki": None}
        if pki:
            eap["pki"] = EapPki(os.path.join(stack.workdir, "pki")).dir
        self.radius = FreeRadius(stack, self.srv, RAD1, nas=NAS_IP, secret=SECRET, users=USERS,
                                 eap=eap).start()
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
                       policy_text=POLICY % auth, extra=extra)
        self.d.start()

    def login(self, user, password, auth="eap"):
        return run_client(self.cli, SERVER, user, password, "--auth", auth)


@pytest.mark.netns
def test_eap_md5_is_relayed_to_freeradius(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()[-4000:]
    up = by_event(recs, "up")
    assert len(up) == 1 and up[0]["auth"] == "EAP" and up[0]["auth_result"] == "ok", out
    assert up[0]["addr"].startswith("198.51.100."), up[0]
    rlog = bed.radius.proc.log()
    # FreeRADIUS ran EAP-MD5 for the identity the client gave: the
    # Identity Response went as User-Name, the MD5 Response came back with
    # the State of the Challenge (else "eap: ... no matching session")
    assert re.search(r"Login OK: \[alice", rlog), rlog[-4000:]
    assert re.search(r"eap_md5", rlog), rlog[-4000:]
    assert "State" in rlog and not re.search(r"No EAP session matching", rlog), rlog[-4000:]
    # RFC 3579 2.4: the link's MTU, which bounds the server's fragments
    assert re.search(r"Framed-MTU = \d+", rlog), rlog[-4000:]
    log = bed.d.log()
    assert re.search(r"session \d+/\d+ up: user 'alice' .* policy 'radius-users'", log), log
    assert re.search(r"EAP Request \(type 4, \d+ octets\) relayed to the client", log), log


@pytest.mark.netns
def test_the_server_answer_applies_after_eap(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("bob", "Bob-Secret-2")
    assert rc == 0, out + bed.d.log()[-4000:]
    up = by_event(recs, "up")
    assert len(up) == 1 and up[0]["addr"] == "198.51.100.77", out


@pytest.mark.netns
def test_a_wrong_eap_md5_password_ends_in_the_servers_failure(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1x")
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth"] == "EAP", out
    assert failed[0]["auth_result"] == "fail", failed[0]
    assert re.search(r"user 'alice' from 192\.0\.2\.2:\d+ refused: rejected by RADIUS server "
                     r"'rad1' \(203\.0\.113\.10:1812\) \(EAP, E=691\)", bed.d.log()), bed.d.log()


@pytest.mark.netns
def test_a_client_naks_tls_and_the_server_falls_back_to_md5(stack):
    # FreeRADIUS starts EAP-TLS; our client Naks it proposing MD5 (RFC 3748
    # 5.3.1), relayed like any Response, and the server switches
    bed = Bed(stack, default_eap="tls", pki=True)
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 0, out + bed.d.log()[-4000:] + bed.radius.proc.log()[-4000:]
    assert by_event(recs, "up")[0]["auth"] == "EAP", out
    log = bed.d.log()
    assert re.search(r"EAP Request \(type 13, \d+ octets\)", log), log
    assert re.search(r"EAP Request \(type 4, \d+ octets\)", log), log


@pytest.mark.netns
def test_mschapv2_clients_are_unaffected_by_the_eap_offer(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", auth="mschapv2")
    assert rc == 0, out + bed.d.log()[-4000:]
    assert by_event(recs, "up")[0]["auth"] == "MS-CHAPv2", out


@pytest.mark.netns
def test_eap_is_not_offered_when_the_policy_does_not_allow_it(stack):
    bed = Bed(stack, auth="mschapv2")
    rc, recs, out = bed.login("alice", "Alice-Secret-1")
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["stage"] in ("lcp", "auth"), out
    # nothing reached the server
    assert "Login OK" not in bed.radius.proc.log()
    assert "Access-Request" not in bed.radius.proc.log()

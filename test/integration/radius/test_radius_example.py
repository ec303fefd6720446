# SPDX-License-Identifier: GPL-2.0-or-later
"""The administrator's example (docs/radius.md, "Pointing l2tpd at
FreeRADIUS or NPS"; docs/examples/radius/) against Debian's own FreeRADIUS
configuration: the stock /etc/freeradius/3.0, copied, with the documented
steps applied to the copy (lib/freeradius_stock.py), and l2tpd with the
example's RADIUS blocks and policy file as they are (only the secret file
and the accounting spool move into the test's folder). Our client
(test/tools/l2tp-client) logs in over L2TP on the userspace data plane.
Every wait is for an event (a log line, a detail record, the client's JSON
record), never for a duration."""
import os
import subprocess

import pytest

from lib.client import by_event, run_client
from lib.freeradius_stock import EXAMPLE, StockFreeRadius, example_secret
from lib.l2tpd import L2tpd
from lib.netns import wait_for

# the example's addresses: l2tpd (and its nas_ip_address), the client, the
# RADIUS server (l2tpd-radius.conf, clients.conf)
SERVER, CLIENT, RADIUS = "192.0.2.1", "192.0.2.2", "192.0.2.10"
LOCAL = "198.51.100.1"


def example(name):
    with open(os.path.join(EXAMPLE, name)) as f:
        return f.read()


class Bed:
    def __init__(self, stack):
        self.stack = stack
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        subprocess.run(["ip", "-n", self.srv, "addr", "add", RADIUS + "/32", "dev", "lo"],
                       check=True)
        self.radius = StockFreeRadius(stack, self.srv).start()
        secret_file = os.path.join(stack.workdir, "radius.secret")
        with open(secret_file, "w") as f:
            f.write(example_secret() + "\n")
        os.chmod(secret_file, 0o600)
        spool = os.path.join(stack.workdir, "spool", "accounting.spool")
        os.makedirs(os.path.dirname(spool))
        conf = example("l2tpd-radius.conf")
        assert "/etc/l2tpd/radius.secret" in conf and "radius {" in conf
        conf = conf.replace("/etc/l2tpd/radius.secret", secret_file)
        conf = conf.replace("radius {", "radius {\n    accounting_spool = %s" % spool, 1)
        self.d = L2tpd(stack, self.srv, listen=SERVER, local_address=LOCAL,
                       dataplane="userspace", policy_text=example("policy.conf"), extra=conf)
        self.d.start()

    def login(self, user, password, *extra):
        return run_client(self.cli, SERVER, user, password, *extra)

    def wait_record(self, status, user):
        def found():
            recs = [r for r in self.radius.records()
                    if r.get("Acct-Status-Type") == status and r.get("User-Name") == user]
            return recs or None
        return wait_for("%s record of %s in the detail file" % (status, user), found,
                        timeout=60)[0]


@pytest.mark.netns
def test_example_loads_on_debians_freeradius(stack):
    rc, out = StockFreeRadius(stack, None).check()
    assert rc == 0 and "Configuration appears to be OK" in out, out[-3000:]


@pytest.mark.netns
def test_example_user_gets_address_dns_and_accounting(stack):
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--auth", "mschapv2",
                              "--ping", LOCAL, "--ping-count", "3")
    assert rc == 0, out + bed.d.log()[-3000:] + bed.radius.proc.log()[-3000:]
    up = by_event(recs, "up")[0]
    # MS-CHAPv2 through the stock mschap module; S= checked by the client
    assert up["auth"] == "MS-CHAPv2" and up["auth_result"] == "ok", up
    # the users file's reply: Framed-IP-Address, MS-*-DNS/NBNS-Server
    assert up["addr"] == "198.51.100.77", up
    assert up["dns"] == ["192.0.2.53", "192.0.2.54"] and up["nbns"] == ["192.0.2.55"], up
    # (the stock radiusd.conf logs no "Login OK" lines: auth = no)
    assert "Sent Access-Accept" in bed.radius.proc.log(), bed.radius.proc.log()[-3000:]
    start = bed.wait_record("Start", "alice")
    stop = bed.wait_record("Stop", "alice")
    for rec in (start, stop):
        assert rec["Framed-IP-Address"] == "198.51.100.77", rec
        assert rec["NAS-Identifier"] == "vpn1" and rec["NAS-IP-Address"] == SERVER, rec
        # the Class of the Access-Accept, echoed (RFC 2865 5.25)
        assert rec["Class"] in ("staff", "0x7374616666"), rec
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    assert int(stop["Acct-Input-Packets"]) >= 3 and int(stop["Acct-Output-Packets"]) >= 3, stop


@pytest.mark.netns
def test_example_pool_user_and_refusals(stack):
    bed = Bed(stack)
    # Framed-Pool = "contractors": l2tpd's pool of that name
    rc, recs, out = bed.login("bob", "Bob-Secret-2", "--auth", "mschapv2")
    assert rc == 0, out + bed.d.log()[-3000:]
    up = by_event(recs, "up")[0]
    last = int(up["addr"].split(".")[-1])
    assert up["addr"].startswith("198.51.100.") and 200 <= last <= 249, up
    # EAP (the stock eap module's default type, MD5) relayed
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--auth", "eap")
    assert rc == 0, out + bed.d.log()[-3000:]
    assert by_event(recs, "up")[0]["addr"] == "198.51.100.77", out
    # a wrong password: the server's MS-CHAP-Error reaches the client
    rc, recs, out = bed.login("bob", "wrong", "--auth", "mschapv2")
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth_code"] == 691, out
    # a user the server does not know
    rc, recs, out = bed.login("mallory", "x", "--auth", "mschapv2")
    assert by_event(recs, "failed")[0]["auth_code"] == 691, out


@pytest.mark.netns
def test_example_peap_mschapv2_with_the_stock_eap_module(stack):
    """What a Windows client set to PEAP does, against Debian's stock eap
    module (its peap with the snakeoil certificate and the inner-tunnel
    server's mschap) through the example's site: our client trusts the
    snakeoil certificate itself (self-signed) as its CA."""
    bed = Bed(stack)
    rc, recs, out = bed.login("alice", "Alice-Secret-1", "--auth", "peap",
                              "--ca", "/etc/ssl/certs/ssl-cert-snakeoil.pem")
    assert rc == 0, out + bed.d.log()[-3000:] + bed.radius.proc.log()[-4000:]
    up = by_event(recs, "up")[0]
    assert up["auth"] == "EAP" and up["peap"] == "ok", up
    # the users file's reply items, decided in the inner tunnel
    assert up["addr"] == "198.51.100.77", up
    assert up["dns"] == ["192.0.2.53", "192.0.2.54"], up
    rc, recs, out = bed.login("alice", "wrong", "--auth", "peap",
                              "--ca", "/etc/ssl/certs/ssl-cert-snakeoil.pem")
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth_result"] == "fail", out
    # the stock mschapv2 module has send_error = no: no MS-CHAPv2 Failure
    # inside the tunnel, the Result TLV says Failure, then EAP-Failure
    assert failed[0]["peap"] == "result failure", out

# SPDX-License-Identifier: GPL-2.0-or-later
"""EAP-TLS end to end through the daemon's EAP relay (docs/radius.md "EAP
relay"): the Linux desktop's L2TP client, xl2tpd + pppd 2.4.9 with a client
certificate (pppd's `ca`, `cert`, `key`), against l2tpd with auth { provider
= radius } and FreeRADIUS 3.2's eap module checking the certificate: the
CA's signature, and its CN against the EAP identity (check_cert_cn). pppd
Naks the MS-CHAPv2 that l2tpd offers first, naming EAP, as Windows set up
for "Microsoft: Smart Card or other certificate" does. The TLS handshake
takes seven round trips in EAP-Message attributes split at 253 octets
both ways, each Access-Request with the State of the Challenge before it.

pppd 2.4.9 cannot be a PEAP client (its EAP peer knows MD5, SRP and TLS),
so PEAP-MSCHAPv2 is not tested end to end; it is relayed the same way.

Runs in the test VM: pppd needs the kernel's PPP and L2TP. Certificates are
made with openssl in the test's folder (lib/eap_pki.py)."""
import os
import re
import subprocess

import pytest

from lib import peers
from lib.eap_pki import EapPki, SERVER_CN
from lib.freeradius import FreeRadius
from lib.l2tpd import L2tpd
from lib.netns import wait_for

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"
NAS_IP, RAD1 = "203.0.113.1", "203.0.113.10"
SECRET = "Radius-Test-Secret"

POLICY = """\
server {
    auth_methods = mschapv2, eap
}
pools {
    office { ipv4 = 198.51.100.10-198.51.100.99 }
}
policies {
    certificate-users {
        conditions { tunnel_type = l2tp }
        permission = grant
        profile {
            auth = mschapv2, eap
            pool = office
        }
    }
}
"""


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def pppd_eap_tls_options(user, pki_dir, cert, key, log):
    """A Linux desktop set up for EAP-TLS: its certificate and key, the CA
    it checks the RADIUS server's certificate against, and that server's
    name (remotename: pppd compares it with the certificate's CN)."""
    return "\n".join([
        "user %s" % user, "remotename %s" % SERVER_CN,
        "ca %s" % os.path.join(pki_dir, "ca.pem"), "cert %s" % cert, "key %s" % key,
        "noauth", "refuse-pap", "refuse-chap", "refuse-mschap", "refuse-mschap-v2",
        "mtu 1400", "mru 1400", "noccp", "nodefaultroute",
        "ipcp-accept-local", "ipcp-accept-remote", "maxfail 1",
        "debug", "logfile %s" % log]) + "\n"


@pytest.fixture
def bed(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    for addr in (NAS_IP, RAD1):
        subprocess.run(["ip", "-n", srv, "addr", "add", addr + "/32", "dev", "lo"], check=True)
    stack.spawn("tcpdump", ["tcpdump", "-i", "lo", "-n", "-U", "-w",
                            os.path.join(stack.workdir, "radius.pcap"), "udp port 1812"], ns=srv)
    pki = EapPki(os.path.join(stack.workdir, "pki"))
    radius = FreeRadius(stack, srv, RAD1, nas=NAS_IP, secret=SECRET, users="",
                        eap={"default": "tls", "pki": pki.dir}).start()
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
    d = L2tpd(stack, srv, listen=SERVER, dataplane="kernel", policy_text=POLICY, extra=extra)
    d.start()
    return d, radius, pki, srv, cli


def start_client(stack, cli, user, pki, cert, key):
    log = os.path.join(stack.workdir, "pppd.log")
    lac = peers.Xl2tpd(stack, cli, "xl2tpd-lac")
    lac.configure_lac(CLIENT, SERVER, pppd_eap_tls_options(user, pki.dir, cert, key, log))
    lac.start()
    return log


@pytest.mark.vm
def test_eap_tls_with_a_client_certificate_brings_the_session_up(stack, bed):
    d, radius, pki, srv, cli = bed
    cert, key = pki.issue("carol", "carol")
    log = start_client(stack, cli, "carol", pki, cert, key)
    addr = wait_for("ppp0 up in the client", lambda: peers.ppp_addresses(cli), timeout=120)
    assert addr[1] == LOCAL and addr[0].startswith("198.51.100."), addr
    text = read(log)
    # pppd did EAP-TLS: MS-CHAPv2 Naked for EAP, then the TLS exchange
    assert "EAP authentication succeeded" in text or "EAP-TLS" in text, text[-4000:]
    rlog = radius.proc.log()
    assert "Login OK: [carol" in rlog, rlog[-6000:]
    assert "eap_tls" in rlog, rlog[-6000:]
    dlog = d.log()
    assert re.search(r"session \d+/\d+ up: user 'carol' .* policy 'certificate-users'", dlog), \
        dlog[-6000:]
    # several TLS fragments came through the relay (Challenges with type 13)
    assert len(re.findall(r"EAP Request \(type 13, \d+ octets\)", dlog)) >= 3, dlog[-6000:]


@pytest.mark.vm
def test_a_certificate_of_another_ca_is_refused(stack, bed):
    d, radius, pki, srv, cli = bed
    rogue = EapPki(os.path.join(stack.workdir, "rogue"), ca_cn="Rogue CA")
    cert, key = rogue.issue("carol", "carol")
    # pppd checks the server with the rogue CA too: give it ours for that
    log = start_client(stack, cli, "carol", pki, cert, key)
    wait_for("l2tpd to refuse carol",
             lambda: re.search(r"user 'carol' from .* refused: rejected by RADIUS server", d.log()),
             timeout=120)
    assert peers.ppp_addresses(cli) is None
    assert "Login OK" not in radius.proc.log()
    # refused for its issuer: FreeRADIUS's OpenSSL found no trusted CA
    assert "unable to get local issuer certificate" in radius.proc.log(), \
        radius.proc.log()[-6000:]
    wait_for("pppd to give up", lambda: "EAP" in read(log) and
             ("failure" in read(log).lower() or "Connection terminated" in read(log)), timeout=60)


@pytest.mark.vm
def test_a_certificate_for_another_name_is_refused(stack, bed):
    d, radius, pki, srv, cli = bed
    cert, key = pki.issue("mallory", "mallory")
    start_client(stack, cli, "carol", pki, cert, key)
    wait_for("l2tpd to refuse carol",
             lambda: re.search(r"user 'carol' from .* refused: rejected by RADIUS server", d.log()),
             timeout=120)
    assert peers.ppp_addresses(cli) is None
    assert "Login OK" not in radius.proc.log()
    # a valid certificate, refused for its name: check_cert_cn against the
    # EAP identity that l2tpd sent as User-Name
    assert "Certificate CN (mallory) does not match specified value (carol)" in \
        radius.proc.log(), radius.proc.log()[-6000:]

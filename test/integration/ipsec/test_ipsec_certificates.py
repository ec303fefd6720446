# SPDX-License-Identifier: GPL-2.0-or-later
"""Machine certificates (Windows' default for L2TP/IPsec): a CA, a server
certificate and a client certificate made with strongSwan's `pki` at test
time, as docs/ipsec.md tells an administrator; the server runs the shipped
docs/examples/ipsec/ configuration (l2tpd.conf, swanctl.conf with its
l2tp-cert connection). The client's certificate subject and issuer reach
l2tpd: `l2tpctl sessions` shows them, and a policy condition on the issuer
decides the session's policy.
"""
import re

import pytest

from lib import peers
from lib.netns import run, wait_for
from lib.ipsec_bed import Bed, CLIENT, LOCAL, SERVER, example_policy, read, session_up

# A policy before the example's ones that only certificate holders of our
# CA match (docs/policy.md: cert_issuer, cert_subject).
CERT_POLICY = """
policies {
    machine-certificates {
        conditions {
            cert_issuer = "%s"
            cert_subject = ~ "^C=CH, O=Example, CN=laptop-[0-9]+$"
            group = staff
        }
        permission = grant
        profile {
            auth = mschapv2
            pool = clients
            dns = 192.0.2.63
        }
    }
""" % peers.Pki.CA_DN


@pytest.mark.vm
def test_machine_certificate_client_with_shipped_config_and_issuer_policy(stack):
    bed = Bed(stack, shipped=True, policy_text=example_policy([("policies {\n", CERT_POLICY)]),
              client_swanctl=peers.client_swanctl_cert(SERVER, "vpn.example.com"),
              client_cert="laptop-7")
    bed.charon_cli.initiate("l2tp")
    bed.wait_child_sas(1)
    client_dn = bed.pki.client_dn("laptop-7")

    # charon chose the certificate connection and checked both ends
    clog = bed.charon_log()
    assert re.search(r"IKE_SA l2tp-cert\[\d+\] established", clog), clog
    assert re.search(r"IKE_SA vpn\[\d+\] established between %s\[%s\]\.\.\.%s\[vpn\.example\.com\]"
                     % (re.escape(CLIENT), re.escape(client_dn), re.escape(SERVER)),
                     read(bed.charon_cli.log)), read(bed.charon_cli.log)

    lac, log = bed.lac(bed.cli, CLIENT, user="alice")
    session_up(bed.cli)
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "30", LOCAL], ns=bed.cli)
    assert "3 received" in out, out

    # subject and issuer reached l2tpd: its log, l2tpctl sessions (JSON and
    # text), and the policy that matched on them
    assert re.search(r"tunnel \d+: over IPsec IKE_SA #\d+ \(IKEv1, peer %s:500, id '%s', "
                     r"certificate '%s' issued by '%s'\)"
                     % (re.escape(CLIENT), re.escape(client_dn), re.escape(client_dn),
                        re.escape(peers.Pki.CA_DN)), bed.l2tpd.log()), bed.l2tpd.log()
    s = bed.sessions()
    assert len(s) == 1, s
    assert s[0]["ipsec_identity"] == client_dn, s
    assert s[0]["ipsec_cert_subject"] == client_dn, s
    assert s[0]["ipsec_cert_issuer"] == peers.Pki.CA_DN, s
    assert s[0]["policy"] == "machine-certificates", s
    ok, text = bed.l2tpd.ctl("sessions")
    assert ok and "certificate '%s' issued by '%s'" % (client_dn, peers.Pki.CA_DN) in text, text
    wait_for("pppd to log the profile's DNS server",
             lambda: "primary   DNS address 192.0.2.63" in read(log), timeout=60)

    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()
    assert bed.esp_packets() > 0
    # the shipped child's rekey settings hold: one CHILD_SA, never
    # rekeyed by the server (rand_time = 0, docs/ipsec.md)
    children = re.findall(r"CHILD_SA l2tp\{\d+\} established", bed.charon_log())
    assert len(children) == 1, children

# SPDX-License-Identifier: GPL-2.0-or-later
"""Logins over IPsec, as a Windows user sees them: over one IKE SA of a
Windows-like client (charon, IKEv1 main mode, PSK), a granted login gets
its address, DNS and WINS servers and pings; refused logins reach the
client's PPP as the MS-CHAPv2 failure codes Windows shows as its errors
691, 649 and 646 (docs/interop.md), and l2tpd logs each with its
reason. A refusal ends the L2TP session, not the client's IPsec.
"""
import datetime
import re

import pytest

from lib.netns import run, wait_for
from lib.ipsec_bed import (Bed, CLIENT, LOCAL, PASSWORDS, example_policy, json_lines, read,
                           session_up)

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def policy_where_contractors_are_outside_hours():
    """The shipped policy, with the contractors' window moved to a day two
    days from today: erin is outside her hours whatever the time zone and
    even if the test crosses midnight."""
    other_day = DAYS[(datetime.datetime.utcnow().weekday() + 2) % 7]
    return example_policy([("time = Mon-Fri 08:00-18:00", "time = %s" % other_day)])


def stop_lac_and_wait_no_session(bed, lac):
    lac.proc.stop()
    wait_for("no session left on the server", lambda: bed.sessions() == [], timeout=60)


@pytest.mark.vm
def test_logins_over_one_ike_sa_get_dns_wins_or_their_refusal_code(stack):
    bed = Bed(stack, policy_text=policy_where_contractors_are_outside_hours())
    bed.charon_cli.initiate("l2tp")
    bed.wait_child_sas(1)

    # 1. alice (group staff): address, the profile's DNS servers in pppd's
    # log, and a ping across
    lac, log = bed.lac(bed.cli, CLIENT, user="alice")
    addr = session_up(bed.cli)
    assert addr[0].startswith("198.51.100."), addr
    text = wait_for("pppd to log the DNS servers",
                    lambda: "secondary DNS address" in read(log) and read(log), timeout=60)
    assert "primary   DNS address 192.0.2.53" in text, text
    assert "secondary DNS address 192.0.2.54" in text, text
    out = run(["ping", "-c", "3", "-i", "0.3", "-w", "30", LOCAL], ns=bed.cli)
    assert "3 received" in out, out
    s = bed.sessions()
    assert len(s) == 1 and s[0]["policy"] == "staff" and s[0]["ipsec_identity"] == CLIENT, s
    stop_lac_and_wait_no_session(bed, lac)

    # 2. WINS: pppd 2.4.9 never asks for it (no `usepeerwins` before
    # 2.5.0); our l2tp-client asks for DNS and WINS in IPCP as Windows does,
    # from port 1701 so that the same IPsec SA carries it.
    cl = bed.l2tp_client("l2tp-client-wins", [
        "--bind", CLIENT, "--local-port", "1701", "--user", "alice",
        "--password", PASSWORDS["alice"], "--ping", LOCAL, "--timeout", "90"])
    wait_for("l2tp-client to finish", lambda: not cl.alive(), timeout=150)
    up = [e for e in json_lines(cl.log()) if e.get("event") == "up"]
    assert len(up) == 1 and up[0]["ok"], cl.log()
    assert up[0]["dns"] == ["192.0.2.53", "192.0.2.54"], up[0]
    assert "192.0.2.55" in up[0]["nbns"], up[0]
    assert up[0]["ping_recv"] >= 3, up[0]
    wait_for("no session left on the server", lambda: bed.sessions() == [], timeout=60)

    # 3. refusals, each seen by pppd in the MS-CHAPv2 Failure packet and
    # logged by l2tpd with its reason
    for user, password, code, logged in (
            ("alice", "Not-Her-Password", 691,
             r"user 'alice' from %s(:1701)? refused: wrong password \([^,]+, E=691\)"),
            ("bob", None, 649,
             r"policy: user 'bob' from %s denied[^:]*: user-dial-in-deny \(E=649\)"),
            ("erin", None, 646,
             r"policy: user 'erin' from %s denied[^:]*: outside-hours \(E=646\)")):
        lac, log = bed.lac(bed.cli, CLIENT, user=user, password=password)
        wait_for("pppd of %s to give up" % user,
                 lambda: "CHAP authentication failed" in read(log), timeout=90)
        # RFC 2759 6: "E=eeeeeeeeee R=r C=cccc V=vvvvvvvvvv M=<msg>"
        assert re.search(r'rcvd \[CHAP Failure id=0x[0-9a-f]+ "E=%d R=0 C=[0-9A-F]{32} V=3 M='
                         % code, read(log)), read(log)
        assert re.search(logged % re.escape(CLIENT), bed.l2tpd.log()), bed.l2tpd.log()
        stop_lac_and_wait_no_session(bed, lac)

    # all of it over the one IKE SA, and nothing in clear on the wire
    assert len(re.findall(r"initiating Main Mode", read(bed.charon_cli.log))) == 1
    assert "vpn:" in bed.client_ike_sas()
    assert bed.udp_1701_in_clear() == [], bed.udp_1701_in_clear()
    assert bed.esp_packets() > 0

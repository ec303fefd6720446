# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel data path is ready before the client's first PPP frame.

l2tpd creates a session's kernel L2TP session and its connected PPPoL2TP
socket, which carry LCP and the login, when it sends the ICRP, not at the
ICCN (the channel and the ppp unit come at the grant): a
LAC sends its first LCP Configure-Request right behind its ICCN (RFC 2661
7.4.1), and a kernel that does not know the session yet passes it up to
the tunnel's socket, where the kernel plane's daemon drops it, so the
client waits for its 3 s restart timer (RFC 1661 4.6) before LCP opens
(docs/performance.md). Here both clients must see their first
Configure-Request answered: no retransmission. The assertions read what
the clients log and count, never the time.

Runs in the test VM (kernel L2TP and PPP).
"""
import json
import os
import re
import subprocess
import sys

import pytest

from lib.netns import run, wait_for
from lib import peers, raw_lac
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY
from lib.client import run_client, by_event

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"


@pytest.fixture
def lns(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    policy = open(EXAMPLE_POLICY).read().replace("max_sessions = 2", "max_sessions = 100")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="kernel", policy_text=policy)
    d.start()
    return d, srv, cli


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def lcp_confreq_ids(pppd_log):
    """The Identifiers of the LCP Configure-Requests pppd sent, in order.
    pppd keeps the Identifier when its restart timer resends a request
    (fsm_sconfreq(retransmit=1)); a new request gets a new one."""
    return re.findall(r"sent \[LCP ConfReq id=(0x[0-9a-f]+)", pppd_log)


@pytest.mark.vm
def test_pppd_first_lcp_configure_request_is_answered(stack, lns):
    d, srv, cli = lns
    peers.write_chap_secrets(sorted(PASSWORDS.items()))
    log = os.path.join(stack.workdir, "pppd-lac.log")
    lac = peers.Xl2tpd(stack, cli, "xl2tpd-lac")
    lac.configure_lac(CLIENT, SERVER, peers.pppd_lac_options("alice", log, peer_dns=False))
    lac.start()
    wait_for("ppp0 up in the client", lambda: peers.ppp_addresses(cli), timeout=120)
    text = read(log)
    ids = lcp_confreq_ids(text)
    assert ids, text
    assert len(ids) == len(set(ids)), "pppd resent an LCP Configure-Request:\n" + text
    # The session the kernel path carried is the one l2tpd made at the ICRP.
    assert re.search(r"session \d+/\d+ up: user 'alice' .* interface ppp\d+", d.log()), d.log()


@pytest.mark.vm
def test_our_client_sees_no_lcp_restart_over_twenty_sessions(stack, lns):
    d, srv, cli = lns
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--sessions", "20",
                               "--tunnels", "1", timeout=180)
    assert rc == 0, out
    assert len(by_event(recs, "up")) == 20, out
    summary = by_event(recs, "summary")[0]
    assert summary["lcp_confreq_sent"] >= 20, summary
    assert summary["lcp_confreq_retransmits"] == 0, summary
    # (the client has closed them by now: count the daemon's "up" lines)
    assert len(re.findall(r"session \d+/\d+ up: user 'alice'", d.log())) == 20, d.log()


# A bare LAC written by hand (lib/raw_lac.py): SCCRQ, SCCCN, ICRQ, then,
# when told on stdin, a CDN instead of the ICCN.
RAW_LAC = raw_lac.__file__


@pytest.mark.vm
def test_a_call_cleared_before_its_iccn_has_its_kernel_session_deleted(stack, lns):
    """The data-plane session made at the ICRP exists before any ICCN, and
    a CDN in place of the ICCN deletes it (once: the daemon's log says the
    session closed before it was up, and nothing is left)."""
    d, srv, cli = lns
    lac = subprocess.Popen(["ip", "netns", "exec", cli, sys.executable, RAW_LAC,
                            SERVER, CLIENT, "cdn"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        line = lac.stdout.readline().split()
        assert line and line[0] == "icrp", lac.stderr.read()
        tid, sid = int(line[1]), int(line[2])
        # No ICCN was sent, and the kernel has the session; no ppp unit:
        # that comes at the grant (docs/dataplane.md "Before and after
        # the grant").
        wait_for("the kernel session made at the ICRP",
                 lambda: "Session %d in tunnel %d" % (sid, tid) in kernel_sessions(srv),
                 timeout=60)
        assert not [l for l in links(srv) if l.startswith("ppp")], links(srv)
        lac.stdin.write("\n")
        lac.stdin.flush()
        assert lac.stdout.readline().strip() == "cdn"
        wait_for("the kernel session gone", lambda: kernel_sessions(srv) == "", timeout=120)
        assert not [l for l in links(srv) if l.startswith("ppp")], links(srv)
        wait_for("no session in l2tpd",
                 lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0, timeout=60)
        assert re.search(r"session %d/%d closed before it was up: CDN from the peer"
                         % (tid, sid), d.log()), d.log()
        assert "session %d/%d up" % (tid, sid) not in d.log()
    finally:
        lac.kill()
        lac.wait()


def links(ns):
    out = run(["ip", "-o", "link", "show"], ns=ns)
    return [l.split(":")[1].strip().split("@")[0] for l in out.splitlines() if ":" in l]


def kernel_sessions(ns):
    return run(["ip", "l2tp", "show", "session"], ns=ns, check=False).strip()

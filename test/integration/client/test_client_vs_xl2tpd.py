# SPDX-License-Identifier: GPL-2.0-or-later
"""Our l2tp-client against an independent LNS: xl2tpd + pppd (no IPsec).

The client (test/tools/l2tp-client) is the peer of the daemon's integration
tests and the load generator of the benchmark; these tests prove it against
the implementation Linux desktops and servers use, before it is trusted to
judge our own daemon. xl2tpd hands each session to the kernel's L2TP data
path (it needs the real kernel: the test VM); the client carries PPP in L2TP
data messages in userspace, so the two data paths meet on the wire.
"""
import json
import os
import re
import signal
import subprocess

import pytest

from lib.netns import run, wait_for
from lib import peers

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LNS_LOCAL = "198.51.100.1"
POOL_FIRST, POOL_LAST = 10, 30
POOL = "198.51.100.%d-198.51.100.%d" % (POOL_FIRST, POOL_LAST)
DNS, WINS = "192.0.2.53", "192.0.2.54"
# Test names stay short: the work dir is named after the test, and xl2tpd
# truncates its config file path at about 100 characters.
USER, PASSWORD = "alice", "Alice-Secret-1"


def client_binary():
    build = os.environ.get("L2TP_BUILD_DIR")
    assert build, "L2TP_BUILD_DIR is not set: it names the build folder holding l2tp-client"
    path = os.path.join(build, "test", "tools", "l2tp-client", "l2tp-client")
    assert os.access(path, os.X_OK), "%s is not built" % path
    return path


class Lns:
    """xl2tpd + pppd as the LNS in namespace srv; the client in cli."""

    def __init__(self, stack, workdir):
        self.stack, self.workdir = stack, workdir
        self.srv = stack.netns("srv")
        self.cli = stack.netns("cli")
        stack.veth(self.srv, "srv0", SERVER + "/24", self.cli, "cli0", CLIENT + "/24")
        self.pppd_log = os.path.join(workdir, "pppd-lns.log")
        self.xl2tpd = peers.Xl2tpd(stack, self.srv, "xl2tpd-lns")
        # The LNS side of the reference scenario (test/integration/reference).
        self.xl2tpd.configure_lns(SERVER, LNS_LOCAL, POOL,
                                  peers.pppd_lns_options(self.pppd_log, DNS, WINS))

    def start(self, secrets):
        peers.write_chap_secrets(secrets)
        self.xl2tpd.start()
        wait_for("xl2tpd listening", lambda: "Listening on IP address" in self.xl2tpd.proc.log(),
                 timeout=30)

    def client(self, *args, timeout=180):
        """Run l2tp-client in the client namespace with --json; returns
        (exit status, session lines, summary, raw stdout)."""
        cmd = ["ip", "netns", "exec", self.cli, client_binary(), "--server", SERVER,
               "--bind", CLIENT, "--json"] + list(args)
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=timeout)
        with open(os.path.join(self.workdir, "l2tp-client.out"), "a") as f:
            f.write("$ %s\n%s%s\n" % (" ".join(cmd), res.stdout, res.stderr))
        lines = [json.loads(l) for l in res.stdout.splitlines() if l.startswith("{")]
        summary = [l for l in lines if l["event"] == "summary"]
        assert len(summary) == 1, res.stdout + res.stderr
        return res.returncode, [l for l in lines if l["event"] != "summary"], summary[0], res.stdout

    def diagnostics(self):
        log = ""
        if os.path.exists(self.pppd_log):
            with open(self.pppd_log, errors="replace") as f:
                log = f.read()[-4000:]
        return "xl2tpd:\n%s\npppd:\n%s" % (self.xl2tpd.proc.log()[-4000:], log)


def in_pool(addr):
    parts = addr.split(".")
    return ".".join(parts[:3]) == "198.51.100" and POOL_FIRST <= int(parts[3]) <= POOL_LAST


def assert_session_up_and_pinged(line, pings):
    assert line["event"] == "up", line
    assert line["ok"] is True, line
    assert line["auth"] == "MS-CHAPv2" and line["auth_result"] == "ok", line
    assert in_pool(line["addr"]), line
    assert line["peer_addr"] == LNS_LOCAL, line
    # pppd with one ms-dns (ms-wins) gives it as primary and secondary
    assert line["dns"] and set(line["dns"]) == {DNS}, line
    assert line["nbns"] and set(line["nbns"]) == {WINS}, line
    assert line["ping_recv"] == pings and line["ping_sent"] >= pings, line
    assert line["tunnel_id"] and line["peer_tunnel_id"], line
    assert line["session_id"] and line["peer_session_id"], line


@pytest.mark.vm
def test_mschapv2_session_gets_address_dns_and_pings(stack, workdir):
    lns = Lns(stack, workdir)
    lns.start([(USER, PASSWORD)])
    rc, sessions, summary, out = lns.client("--user", USER, "--password", PASSWORD,
                                             "--ping", LNS_LOCAL, "--ping-count", "3")
    assert rc == 0, out + lns.diagnostics()
    assert len(sessions) == 1, out
    assert_session_up_and_pinged(sessions[0], 3)
    assert summary["up"] == 1 and summary["ok"] == 1 and summary["failed"] == 0, summary
    assert summary["ping_recv"] == 3, summary
    assert summary["drops"] == {}, summary
    # xl2tpd put the session on the kernel data path: the two data paths met
    assert "Using l2tp kernel support" in lns.xl2tpd.proc.log(), lns.diagnostics()
    # pppd saw MS-CHAPv2 succeed for our user, and an orderly end: the
    # client's LCP Terminate-Request ("Administrative close"), not a timeout
    with open(lns.pppd_log, errors="replace") as f:
        pppd = f.read()
    assert 'name = "alice"' in pppd and "sent [CHAP Success" in pppd, pppd
    # pppd's unit carried our echo requests and its replies (60-byte IPv4
    # packets): the userspace and kernel data paths met
    m = re.search(r"Sent (\d+) bytes, received (\d+) bytes", pppd)
    assert m and int(m.group(1)) >= 180 and int(m.group(2)) >= 180, pppd
    assert summary["stopccn_unacked"] == 0, summary
    assert "LCP terminated by peer" in pppd, pppd


@pytest.mark.vm
def test_wrong_password_refused_with_e691_exit_1(stack, workdir):
    lns = Lns(stack, workdir)
    lns.start([(USER, PASSWORD)])
    rc, sessions, summary, out = lns.client("--user", USER, "--password", "not-the-password",
                                             "--timeout", "60")
    assert rc == 1, out
    assert len(sessions) == 1, out
    s = sessions[0]
    assert s["event"] == "failed", s
    assert s["stage"] == "auth", s
    assert s["auth"] == "MS-CHAPv2" and s["auth_result"] == "fail", s
    assert s["auth_code"] == 691, s
    assert s["auth_message"], s  # the M= text of the MS-CHAPv2 Failure (pppd: "Access denied")
    assert "addr" not in s, s
    assert summary["failed"] == 1 and summary["up"] == 0, summary


@pytest.mark.vm
@pytest.mark.parametrize("tunnels", [1, 3])
def test_five_sessions_in_tunnels_all_pinged(stack, workdir, tunnels):
    lns = Lns(stack, workdir)
    lns.start([(USER, PASSWORD)])
    # Each tunnel from its own UDP port: xl2tpd gives every tunnel a kernel
    # socket connected to the peer, and two with the same 4-tuple steal each
    # other's packets (docs/dataplane-kernel.md). Load generators do the same.
    rc, sessions, summary, out = lns.client("--user", USER, "--password", PASSWORD,
                                             "--sessions", "5", "--tunnels", str(tunnels),
                                             "--separate-ports", "--ping", LNS_LOCAL,
                                             "--ping-count", "2", "--timeout", "120",
                                             timeout=300)
    assert rc == 0, out + lns.diagnostics()
    assert len(sessions) == 5, out
    for line in sessions:
        assert_session_up_and_pinged(line, 2)
    assert len({l["addr"] for l in sessions}) == 5, out
    assert len({l["tunnel_id"] for l in sessions}) == tunnels, out
    assert sorted(l["n"] for l in sessions) == [1, 2, 3, 4, 5], out
    assert summary["tunnels_up"] == tunnels, summary
    assert summary["up"] == 5 and summary["ok"] == 5, summary
    assert summary["setup_rate"] > 0, summary
    assert summary["setup_ms_min"] <= summary["setup_ms_median"] <= summary["setup_ms_p99"] \
        <= summary["setup_ms_max"], summary


@pytest.mark.vm
def test_hold_keeps_lcp_echo_going_and_sigterm_closes(stack, workdir):
    lns = Lns(stack, workdir)
    lns.start([(USER, PASSWORD)])
    out_path = os.path.join(workdir, "l2tp-client.hold.out")
    with open(out_path, "w") as out:
        proc = subprocess.Popen(["ip", "netns", "exec", lns.cli, client_binary(), "--server",
                                 SERVER, "--bind", CLIENT, "--json", "--user", USER,
                                 "--password", PASSWORD, "--hold-forever", "--lcp-echo", "1",
                                 "--report-echoes", "2"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        def log():
            with open(lns.pppd_log, errors="replace") as f:
                return f.read()
        wait_for("the session up", lambda: '"event":"up"' in open(out_path).read(), timeout=90)
        # The held session runs our 1 s LCP echoes; the client says when
        # pppd answered two of them (pppd does not log echoes once the link
        # runs). An event, not a duration: a slow machine only waits longer.
        wait_for("two LCP echoes answered", lambda: '"event":"echoes"' in open(out_path).read(),
                 timeout=90)
        assert proc.poll() is None, open(out_path).read()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = open(out_path).read()
    lines = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
    assert rc == 0, text
    assert [l["event"] for l in lines] == ["up", "echoes", "summary"], text
    assert lines[1]["answered"] >= 2, text
    summary = lines[-1]
    assert "aborted" not in summary, summary
    assert summary["dropped"] == 0 and summary["stopccn_unacked"] == 0, summary
    assert summary["lcp_echo_sent"] >= 2 and summary["lcp_echo_lost"] == 0, summary
    assert "LCP terminated by peer (Administrative close)" in log(), log()

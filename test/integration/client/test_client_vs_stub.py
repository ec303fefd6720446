# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tp-client on any host, against l2tp-lns-stub over loopback (no root).

The stub (test/tools/l2tp-client/lns-stub.c) is the smallest LNS our
libraries make in server role: one password for every user, addresses in
order from a pool, pings answered in userspace, refusals on demand. These
tests pin down the client's own behaviour (scale, refusal reporting, the
orderly close, exit statuses); test_client_vs_xl2tpd.py proves it against
an independent implementation in the VM.
"""
import json
import os
import signal
import subprocess

import pytest

from lib.netns import wait_for

DNS, WINS = "192.0.2.53", "192.0.2.54"
LNS_LOCAL = "198.51.100.1"


def tool(name):
    build = os.environ.get("L2TP_BUILD_DIR")
    assert build, "L2TP_BUILD_DIR is not set: it names the build folder holding l2tp-client"
    path = os.path.join(build, "test", "tools", "l2tp-client", name)
    assert os.access(path, os.X_OK), "%s is not built" % path
    return path


class Stub:
    def __init__(self, workdir, *args):
        self.log_path = os.path.join(workdir, "stub.err")
        self.proc = subprocess.Popen(
            [tool("l2tp-lns-stub"), "--listen", "127.0.0.1", "--port", "0", "--password", "pw",
             "--dns", DNS, "--nbns", WINS, "--local", LNS_LOCAL] + list(args),
            stdout=subprocess.PIPE, stderr=open(self.log_path, "w"), text=True)
        first = self.proc.stdout.readline().split()
        assert first and first[0] == "listening", first
        self.port = first[1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def stub_factory(workdir):
    stubs = []

    def make(*args):
        s = Stub(workdir, *args)
        stubs.append(s)
        return s
    yield make
    for s in stubs:
        s.stop()


def client_cmd(port, *args):
    return [tool("l2tp-client"), "--server", "127.0.0.1", "--port", str(port), "--json"] + list(args)


def run_client(workdir, port, *args, timeout=120):
    cmd = client_cmd(port, *args)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    with open(os.path.join(workdir, "l2tp-client.out"), "a") as f:
        f.write("$ %s\n%s%s\n" % (" ".join(cmd), res.stdout, res.stderr))
    lines = [json.loads(l) for l in res.stdout.splitlines() if l.startswith("{")]
    summary = [l for l in lines if l["event"] == "summary"]
    assert len(summary) == 1, res.stdout + res.stderr
    return res.returncode, [l for l in lines if l["event"] != "summary"], summary[0]


@pytest.mark.host
@pytest.mark.parametrize("ports", ["shared", "separate"])
def test_thousand_sessions_in_ten_tunnels_all_up_and_pinged(stub_factory, workdir, ports):
    stub = stub_factory("--max-sessions", "1000")
    extra = ["--separate-ports"] if ports == "separate" else []
    rc, sessions, summary = run_client(workdir, stub.port, "--user", "user{n}", "--password", "pw",
                                       "--tunnels", "10", "--sessions-per-tunnel", "100",
                                       "--ping", LNS_LOCAL, "--ping-count", "2", *extra)
    assert rc == 0, summary
    assert summary["up"] == 1000 and summary["ok"] == 1000 and summary["tunnels_up"] == 10, summary
    assert summary["ping_recv"] == 2000, summary
    assert summary["drops"] == {} and summary["stopccn_unacked"] == 0, summary
    assert len({s["addr"] for s in sessions}) == 1000
    assert {s["user"] for s in sessions} == {"user%d" % i for i in range(1, 1001)}
    assert all(s["dns"] == [DNS] and s["nbns"] == [WINS] for s in sessions)
    assert summary["setup_ms_min"] <= summary["setup_ms_median"] <= summary["setup_ms_p99"] \
        <= summary["setup_ms_max"], summary


@pytest.mark.host
@pytest.mark.parametrize("method,name", [("mschapv2", "MS-CHAPv2"), ("chap", "CHAP-MD5"),
                                         ("pap", "PAP")])
def test_each_auth_method_brings_a_session_up(stub_factory, workdir, method, name):
    stub = stub_factory()
    rc, sessions, _ = run_client(workdir, stub.port, "--user", "alice", "--password", "pw",
                                 "--auth", method)
    assert rc == 0, sessions
    assert sessions[0]["auth"] == name and sessions[0]["auth_result"] == "ok", sessions


@pytest.mark.host
def test_wrong_password_reports_691(stub_factory, workdir):
    stub = stub_factory()
    rc, sessions, summary = run_client(workdir, stub.port, "--user", "alice", "--password", "nope")
    assert rc == 1
    assert sessions[0]["event"] == "failed" and sessions[0]["stage"] == "auth", sessions
    assert sessions[0]["auth_code"] == 691, sessions
    assert summary["failed"] == 1, summary


@pytest.mark.host
@pytest.mark.parametrize("code", [646, 647, 648, 649])
def test_policy_refusal_code_reaches_the_report(stub_factory, workdir, code):
    stub = stub_factory("--refuse", str(code))
    rc, sessions, _ = run_client(workdir, stub.port, "--user", "alice", "--password", "pw")
    assert rc == 1
    assert sessions[0]["auth_code"] == code, sessions
    assert sessions[0]["auth_message"], sessions


@pytest.mark.host
def test_ports_limit_refusal_reports_the_cdn(stub_factory, workdir):
    stub = stub_factory("--max-sessions", "2")
    rc, sessions, summary = run_client(workdir, stub.port, "--user", "alice", "--password", "pw",
                                       "--sessions", "3")
    assert rc == 1
    assert summary["up"] == 2 and summary["failed"] == 1, summary
    refused = [s for s in sessions if s["event"] == "failed"][0]
    assert refused["stage"] == "l2tp", refused
    assert refused["l2tp_cause"] == "peer", refused
    assert refused["l2tp_result"] != 0, refused


@pytest.mark.host
def test_rate_limited_opening_brings_every_session_up(stub_factory, workdir):
    stub = stub_factory()
    rc, _, summary = run_client(workdir, stub.port, "--user", "alice", "--password", "pw",
                                "--sessions", "20", "--rate", "200")
    assert rc == 0 and summary["ok"] == 20, summary


@pytest.mark.host
def test_sigterm_while_holding_closes_orderly_with_exit_0(stub_factory, workdir):
    stub = stub_factory()
    out_path = os.path.join(workdir, "hold.out")
    with open(out_path, "w") as out:
        proc = subprocess.Popen(client_cmd(stub.port, "--user", "alice", "--password", "pw",
                                           "--sessions", "4", "--tunnels", "2",
                                           "--hold-forever"), stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for("four sessions up", lambda: open(out_path).read().count('"event":"up"') == 4,
                 timeout=30)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = [json.loads(l) for l in open(out_path).read().splitlines() if l.startswith("{")]
    assert rc == 0, lines
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["ok"] == 4, summary
    assert "aborted" not in summary and summary["stopccn_unacked"] == 0, summary


@pytest.mark.host
def test_sessions_killed_by_the_server_are_reported_down_with_exit_1(stub_factory, workdir):
    stub = stub_factory()
    out_path = os.path.join(workdir, "drop.out")
    with open(out_path, "w") as out:
        proc = subprocess.Popen(client_cmd(stub.port, "--user", "alice", "--password", "pw",
                                           "--sessions", "2", "--hold-forever"),
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for("two sessions up", lambda: open(out_path).read().count('"event":"up"') == 2,
                 timeout=30)
        stub.stop()  # StopCCN "shutting down" to every tunnel
        wait_for("two sessions down", lambda: open(out_path).read().count('"event":"down"') == 2,
                 timeout=30)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = [json.loads(l) for l in open(out_path).read().splitlines() if l.startswith("{")]
    down = [l for l in lines if l["event"] == "down"]
    assert all(d["l2tp_cause"] == "tunnel" and d["l2tp_result"] == 6 for d in down), down
    assert rc == 1
    assert lines[-1]["dropped"] == 2, lines[-1]


@pytest.mark.host
def test_no_server_fails_every_session_with_timeout(workdir):
    # a port where nobody listens (the stub's, after it stopped)
    stub = Stub(workdir)
    port = stub.port
    stub.stop()
    rc, sessions, summary = run_client(workdir, port, "--user", "alice", "--password", "pw",
                                       "--sessions", "2", "--timeout", "1", "--close-timeout", "1")
    assert rc == 1
    assert [s["reason"] for s in sessions] == ["timeout", "timeout"], sessions
    assert summary["aborted"] == "timeout", summary


@pytest.mark.host
def test_usage_error_exits_2():
    res = subprocess.run([tool("l2tp-client"), "--server", "127.0.0.1", "--sessions", "0",
                          "--user", "a", "--password", "b"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert res.returncode == 2
    assert "--sessions" in res.stderr

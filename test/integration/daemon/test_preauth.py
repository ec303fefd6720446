# SPDX-License-Identifier: GPL-2.0-or-later
"""Pre-authentication exhaustion (docs/l2tpd.md, "Before authentication"):
no TUN device before a login succeeds, the control socket under EMFILE,
its connection limit and idle timeout, and the failed-login back-off that
never locks a user out from another address. Userspace data path, in
network namespaces, with our test client."""
import os
import re
import socket
import subprocess

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS
from lib.client import run_client, by_event

SERVER, CLIENT, CLIENT2 = "192.0.2.1", "192.0.2.2", "192.0.2.3"


@pytest.fixture
def net(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


def start(stack, net, extra=""):
    d = L2tpd(stack, net[0], listen=SERVER, dataplane="userspace", extra=extra)
    d.start()
    return d


def ctl_connect(d):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(d.sock)
    return s


def read_all(s):
    chunks = []
    while True:
        b = s.recv(65536)
        if not b:
            return b"".join(chunks).decode()
        chunks.append(b)


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (proc(5) fields 14, 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def monitor_sync(mon, ns, tag):
    """Make probe links until the monitor reports one: then it runs, and
    every link change before the probe is in its output."""
    n = [0]

    def probe():
        n[0] += 1
        name = "%s%d" % (tag, n[0])
        run(["ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"], ns=ns)
        run(["ip", "link", "del", name], ns=ns)
        return re.search(r"\b%s[0-9]+[@:]" % tag, mon.log())
    wait_for("ip monitor", probe)


@pytest.mark.netns
def test_no_tun_device_exists_for_a_session_that_did_not_authenticate(stack, net):
    srv, cli = net
    d = start(stack, net)
    mon = stack.spawn("ip-monitor", ["ip", "-o", "monitor", "link"], ns=srv)
    monitor_sync(mon, srv, "start")
    rc, recs, out = run_client(cli, SERVER, "alice", "Not-Her-Password", "--sessions", "3")
    assert len(by_event(recs, "failed")) == 3, out
    assert d.log().count("refused: wrong password") == 3, d.log()
    # Everything the daemon did to links is in the monitor's output once
    # a later change of ours is.
    monitor_sync(mon, srv, "end")
    assert not re.search(r"l2tp[0-9]", mon.log()), mon.log()
    # A login that succeeds gets its device (the monitor does see them).
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out
    wait_for("TUN in the monitor", lambda: re.search(r"l2tp[0-9]", mon.log()))


@pytest.mark.netns
def test_control_socket_out_of_descriptors_pauses_instead_of_spinning(stack, net):
    d = start(stack, net)
    pid = d.proc.popen.pid
    held = []
    # Three connections more than the daemon holds now, then no descriptor.
    limit = open_fds(pid) + 3
    subprocess.run(["prlimit", "--pid", str(pid), "--nofile=%d:%d" % (limit, limit)], check=True)
    for _ in range(3):
        held.append(ctl_connect(d))
    wait_for("connections accepted", lambda: open_fds(pid) == limit)
    waiting = ctl_connect(d)  # in the backlog: accept() fails with EMFILE
    waiting.sendall(b"status\n")
    wait_for("EMFILE logged", lambda: "control socket: accept failed: Too many open files"
             in d.log())
    # Over a few of the daemon's retries (one per ACCEPT_RETRY_MS, each
    # logged), the daemon sleeps: a spinning loop burns a tick every 10 ms.
    start_retries = d.log().count("control socket: accepting again")
    t0 = cpu_ticks(pid)
    wait_for("three retries",
             lambda: d.log().count("control socket: accepting again") >= start_retries + 3)
    used = cpu_ticks(pid) - t0
    assert used < 50, "%d ticks of CPU over three retries" % used
    assert d.log().count("accept failed") == 1, d.log()  # logged once
    # Descriptors come back: the waiting request is served.
    for s in held:
        s.close()
    assert read_all(waiting).startswith("ok\n")
    waiting.close()
    ok, text = d.ctl("status")
    assert ok, text


@pytest.mark.netns
def test_control_connections_are_limited_and_idle_ones_closed(stack, net):
    d = start(stack, net, extra="limits {\n control_connections = 2\n }\n"
                                "timers {\n control_idle = 1\n }")
    idle = [ctl_connect(d), ctl_connect(d)]
    # The daemon accepts in order: once a third is refused, it holds both.
    def third_refused():
        s = ctl_connect(d)
        text = read_all(s)
        s.close()
        return text == "error: too many control connections\n"
    wait_for("third refused", third_refused)
    # Silent for control_idle: closed by the daemon (EOF, nothing sent).
    for s in idle:
        assert read_all(s) == ""
        s.close()
    assert "control socket: connection idle for 1s, closed" in d.log(), d.log()
    ok, text = d.ctl("status")
    assert ok, text


@pytest.mark.netns
def test_oversized_control_request_is_answered_and_closed(stack, net):
    d = start(stack, net)
    s = ctl_connect(d)
    s.sendall(b"a" * 600)
    assert read_all(s) == "error: request too long\n"
    s.close()


THROTTLE = ("limits {\n login_failures = 2\n peer_login_failures = %d\n }\n"
            "timers {\n login_backoff = 10m\n login_backoff_max = 10m\n }")


@pytest.mark.netns
def test_failed_logins_back_off_that_user_from_that_address_only(stack, net):
    srv, cli = net
    run(["ip", "addr", "add", CLIENT2 + "/24", "dev", "cli0"], ns=cli)
    d = start(stack, net, extra=THROTTLE % 100)
    rc, recs, out = run_client(cli, SERVER, "alice", "Not-Her-Password", "--sessions", "2")
    assert len(by_event(recs, "failed")) == 2, out
    assert "login back-off: alice from 192.0.2.2" in d.log(), d.log()
    # The right password from the same address: refused unchecked, with
    # the same 691 as a wrong one.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    failed = by_event(recs, "failed")
    assert rc == 1 and failed and failed[0]["auth_code"] == 691, out
    assert re.search(r"user 'alice' from 192\.0\.2\.2:\d+ refused unchecked: too many failed "
                     r"logins for this user from this address", d.log()), d.log()
    # Another user from that address is checked (bob has no dial-in
    # permission: 649, not 691), and alice from another address gets in.
    rc, recs, out = run_client(cli, SERVER, "bob", PASSWORDS["bob"])
    assert by_event(recs, "failed")[0]["auth_code"] == 649, out
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--bind", CLIENT2)
    assert rc == 0 and len(by_event(recs, "up")) == 1, out
    ok, st = d.ctl("json status")
    assert '"auth_throttled":1' in st, st


@pytest.mark.netns
def test_back_off_lines_print_the_user_name_escaped(stack, net):
    # A name with a quote and a newline: the back-off and "refused
    # unchecked" lines must not let it close the quotes or start a line.
    srv, cli = net
    d = start(stack, net, extra=THROTTLE % 100)
    evil = "mallory' from 203.0.113.9\nforged"
    rc, recs, out = run_client(cli, SERVER, evil, "Guess-1", "--sessions", "3")
    assert len(by_event(recs, "failed")) == 3, out
    escaped = "mallory\\x27 from 203.0.113.9\\x0aforged"
    log = d.log()
    assert re.search(r"login back-off: %s from 192\.0\.2\.2" % re.escape(escaped), log), log
    assert re.search(r"user '%s' from 192\.0\.2\.2:\d+ refused unchecked" % re.escape(escaped),
                     log), log
    assert not re.search(r"^forged", log, re.M), log
    assert "mallory'" not in log, log


@pytest.mark.netns
def test_password_spraying_backs_off_the_address(stack, net):
    srv, cli = net
    run(["ip", "addr", "add", CLIENT2 + "/24", "dev", "cli0"], ns=cli)
    d = start(stack, net, extra=THROTTLE % 3)
    rc, recs, out = run_client(cli, SERVER, "spray{n}", "Guess-1", "--sessions", "3",
                               "--auth", "any")
    assert len(by_event(recs, "failed")) == 3, out
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 1 and by_event(recs, "failed")[0]["auth_code"] == 691, out
    assert "refused unchecked: too many failed logins from this address" in d.log(), d.log()
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--bind", CLIENT2)
    assert rc == 0, out


@pytest.mark.netns
def test_session_over_the_descriptor_budget_is_refused_with_cdn_result_4(stack, net):
    srv, cli = net
    d = start(stack, net, extra="limits {\n sessions = 4\n control_connections = 2\n }")
    # Budget: 64 + 1 listener + 2 control connections fixed, 1 per
    # authenticated session (docs/l2tpd.md): room for one session.
    limit = 64 + 1 + 2 + 1
    subprocess.run(["prlimit", "--pid", str(d.proc.popen.pid),
                    "--nofile=%d:%d" % (limit, limit)], check=True)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--sessions", "2",
                               "--rate", "1")
    assert len(by_event(recs, "up")) == 1, out
    failed = by_event(recs, "failed")
    # Refused at the grant like an exhausted pool: E=649 (the client
    # closes on it before the server's CDN with result 4 arrives).
    assert len(failed) == 1 and failed[0]["auth_code"] == 649, out
    assert failed[0]["auth_message"] == "no resources for the session", out
    assert "refused: descriptor budget exhausted (sessions hold 1, this one needs 1 more, " \
        "limit %d" % limit in d.log(), d.log()

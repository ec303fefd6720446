# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpd under systemd's rules, without systemd: the shipped unit passes
`systemd-analyze verify`, and the daemon speaks the notify protocol
(sd_notify(3)) to a datagram socket the test holds, the way systemd would
see it: READY=1 once UDP 1701 and the control socket are bound, WATCHDOG=1
while it runs, RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1
on SIGTERM. And after start-up it holds CAP_NET_ADMIN and
CAP_NET_BIND_SERVICE only.
"""
import os
import re
import shutil
import signal
import socket
import subprocess

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, TOP, build_dir

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
UNIT = os.path.join(TOP, "l2tpd", "daemon", "l2tpd.service")

CAP_NET_BIND_SERVICE, CAP_NET_ADMIN = 10, 12
KEPT_CAPS = (1 << CAP_NET_ADMIN) | (1 << CAP_NET_BIND_SERVICE)


def unit_settings():
    out = {}
    for line in open(UNIT):
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            k, _, v = line.partition("=")
            out.setdefault(k, []).append(v)
    return out


@pytest.mark.host
def test_unit_passes_systemd_analyze_verify(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (package systemd)")
    exe = os.path.join(build_dir(), "l2tpd", "daemon", "l2tpd")
    # The unit names the installed /usr/sbin/l2tpd, which verify checks for
    # existence; point it at the built one, everything else unchanged.
    text = open(UNIT).read()
    assert "/usr/sbin/l2tpd" in text
    unit = tmp_path / "l2tpd.service"
    unit.write_text(text.replace("/usr/sbin/l2tpd", exe))
    res = subprocess.run(["systemd-analyze", "verify", str(unit)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=60)
    # Only our unit's lines count: verify also loads the units it names
    # (network-online.target, strongswan.service), which may be absent here.
    ours = [l for l in res.stdout.splitlines() if l.startswith("l2tpd.service")]
    assert ours == [], res.stdout
    assert res.returncode == 0 or "strongswan" in res.stdout, res.stdout


@pytest.mark.host
def test_unit_is_notify_with_watchdog_and_only_three_capabilities():
    u = unit_settings()
    assert u["Type"] == ["notify"]
    assert u["WatchdogSec"] and u["WatchdogSec"][0] != "0"
    assert u["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    # CAP_NET_RAW for start-up only (the raw ICMPv6 socket of router
    # solicitations); the daemon drops it with the rest once running
    caps = {"CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"}
    assert set(u["CapabilityBoundingSet"][0].split()) == caps
    assert set(u["AmbientCapabilities"][0].split()) == caps
    assert u["NoNewPrivileges"] == ["yes"]


class NotifySocket:
    """The end of NOTIFY_SOCKET that systemd holds: one datagram per
    sd_notify call, newline-separated assignments."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.messages = []

    def next(self, timeout=60):
        self.sock.settimeout(timeout)
        data = self.sock.recv(4096).decode()
        fields = dict(l.split("=", 1) for l in data.splitlines() if "=" in l)
        self.messages.append(fields)
        return fields

    def wait_for(self, key, value="1", timeout=60):
        """Read until a message with key=value; returns the ones before it."""
        seen = []
        while True:
            m = self.next(timeout)
            if m.get(key) == value:
                return seen
            seen.append(m)

    def close(self):
        self.sock.close()


def udp_bound(ns, addr, port=1701):
    out = run(["ss", "-H", "-u", "-l", "-n"], ns=ns)
    return re.search(r"\s%s:%d\s" % (re.escape(addr), port), out) is not None


@pytest.fixture
def notified(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    notify = NotifySocket(os.path.join(stack.sockdir, "notify.sock"))
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace")
    # 2 s: sd-event pings at a fraction of it, so WATCHDOG=1 keeps coming
    # during the test; systemd's own limit (WatchdogSec=30s) is far above.
    d.start(env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"}, wait=False)
    yield d, srv, notify
    notify.close()


@pytest.mark.netns
def test_ready_comes_after_the_sockets_are_bound(notified):
    d, srv, notify = notified
    before = notify.wait_for("READY")
    assert all("READY" not in m for m in before)
    # READY=1 is sent after bind(): at the moment it arrives, the UDP
    # socket and the control socket already exist.
    assert udp_bound(srv, SERVER), run(["ss", "-u", "-l", "-n"], ns=srv)
    assert os.path.exists(d.sock)
    ok, text = d.ctl("status")
    assert ok, text


@pytest.mark.netns
def test_watchdog_keeps_coming_while_it_runs(notified):
    d, srv, notify = notified
    notify.wait_for("READY")
    # Three pings in a row: the loop keeps running and keeps telling.
    for _ in range(3):
        notify.wait_for("WATCHDOG", timeout=30)
    assert d.proc.alive()


@pytest.mark.netns
def test_sighup_reports_reloading_then_ready(notified):
    d, srv, notify = notified
    notify.wait_for("READY")
    d.proc.popen.send_signal(signal.SIGHUP)
    between = notify.wait_for("RELOADING")
    assert all("READY" not in m for m in between)
    notify.wait_for("READY")
    wait_for("the reload logged", lambda: "policy reloaded" in d.log(), timeout=30)
    assert d.proc.alive()


@pytest.mark.netns
def test_sigterm_reports_stopping_and_exits(notified):
    d, srv, notify = notified
    notify.wait_for("READY")
    d.proc.popen.send_signal(signal.SIGTERM)
    notify.wait_for("STOPPING")
    assert d.proc.popen.wait(timeout=60) == 0, d.log()
    assert "stopped" in d.log()


def caps(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
                out[k] = int(v.strip(), 16)
    return out


@pytest.mark.netns
def test_after_start_only_net_admin_and_net_bind_service_are_held(notified):
    d, srv, notify = notified
    notify.wait_for("READY")
    # `ip netns exec` execs l2tpd: the spawned pid is the daemon's.
    with open("/proc/%d/comm" % d.proc.popen.pid) as f:
        assert f.read().strip() == "l2tpd"
    c = caps(d.proc.popen.pid)
    assert c["CapEff"] == KEPT_CAPS, {k: hex(v) for k, v in c.items()}
    assert c["CapPrm"] == KEPT_CAPS, {k: hex(v) for k, v in c.items()}
    assert c["CapBnd"] == KEPT_CAPS, {k: hex(v) for k, v in c.items()}
    assert c["CapInh"] == 0 and c["CapAmb"] == 0, {k: hex(v) for k, v in c.items()}

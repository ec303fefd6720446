# SPDX-License-Identifier: GPL-2.0-or-later
"""A session's network device exists only once its user has logged in
(issue 12 item 2: per-session kernel objects as late as the data path
allows; docs/dataplane.md "Before and after the grant").

Userspace plane: no TUN before the grant. Kernel plane: before the grant
only the kernel L2TP session and its PPPoL2TP socket (LCP and the login
run on that socket); the /dev/ppp channel, the ppp unit and pppN come at
the grant. Our client holds its login back until the test creates a file
(--auth-gate), so the session waits at authentication for as long as the
test looks at it, without a timer. The kernel variant runs in the test
VM (kernel L2TP and PPP), the userspace one on the host.
"""
import json
import os
import re

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, build_dir

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
PLANES = ["userspace", pytest.param("kernel", marks=pytest.mark.vm)]
# A session's interface: l2tpT-S (userspace, TUN) or pppN (kernel).
IFACE = r"(?:l2tp|ppp)[0-9-]+"
# The character device behind a session's descriptors: the TUN, or the
# PPP channel and unit.
DEVICE = {"userspace": "/dev/net/tun", "kernel": "/dev/ppp"}


@pytest.fixture(params=PLANES)
def plane(request, stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return request.param, srv, cli


def session_links(ns):
    return [l for l in run(["ip", "-o", "link", "show"], ns=ns).splitlines()
            if re.match(r"\d+: %s[:@]" % IFACE, l)]


def kernel_sessions(ns):
    """Sessions the kernel's L2TP knows in the namespace (ip l2tp)."""
    out = run(["ip", "l2tp", "show", "session"], ns=ns)
    return re.findall(r"^Session (\d+) in tunnel (\d+)", out, re.M)


def device_fds(pid, device):
    """The daemon's descriptors open on a character device."""
    n = 0
    base = "/proc/%d/fd" % pid
    for fd in os.listdir(base):
        try:
            if os.readlink(os.path.join(base, fd)) == device:
                n += 1
        except OSError:
            pass  # closed meanwhile
    return n


def sessions(d):
    ok, text = d.ctl("json sessions")
    assert ok, text
    return json.loads(text)  # a list, one object per session


def status(d):
    ok, text = d.ctl("json status")
    assert ok, text
    return json.loads(text)


def gated_client(stack, cli, gate, name):
    exe = os.path.join(build_dir(), "test", "tools", "l2tp-client", "l2tp-client")
    return stack.spawn(name, [exe, "--server", SERVER, "--user", "alice",
                              "--password", PASSWORDS["alice"], "--auth-gate", gate,
                              "--hold-forever", "--json", "--timeout", "300"], ns=cli)


def waiting_at_auth(d):
    s = sessions(d)
    return len(s) == 1 and s[0]["state"] == "auth"


@pytest.mark.netns
def test_session_waiting_at_authentication_has_no_netdev_until_it_logs_in(stack, plane):
    dataplane, srv, cli = plane
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane)
    d.start()
    pid = d.proc.popen.pid
    gate = os.path.join(stack.workdir, "auth-gate")
    client = gated_client(stack, cli, gate, "client-gated")
    # LCP is open and the server's Challenge went out: the session waits
    # for a Response the client holds back.
    wait_for("the session at authentication", lambda: waiting_at_auth(d), timeout=60)
    assert session_links(srv) == [], run(["ip", "-o", "link", "show"], ns=srv)
    assert device_fds(pid, DEVICE[dataplane]) == 0
    if dataplane == "kernel":
        # LCP and the Challenge crossed the kernel session's PPPoL2TP
        # socket: that session exists, nothing else does.
        assert len(kernel_sessions(srv)) == 1, run(["ip", "l2tp", "show", "session"], ns=srv)
    assert status(d)["sessions_preauth"] == 1
    # The login goes ahead: the device is made at the grant.
    open(gate, "w").close()
    wait_for("alice up", lambda: '"event":"up"' in client.log().replace(" ", ""), timeout=60)
    links = session_links(srv)
    assert len(links) == 1, links
    ifname = sessions(d)[0]["interface"]
    assert re.match(r"\d+: %s[:@]" % re.escape(ifname), links[0]), (ifname, links)
    # Its descriptors: the TUN, or the PPP channel and unit.
    assert device_fds(pid, DEVICE[dataplane]) == (2 if dataplane == "kernel" else 1)
    # The granted session is addressed as before: our end and the peer.
    addrs = run(["ip", "-o", "-4", "addr", "show"], ns=srv)
    assert re.search(r"%s\s+inet 198\.51\.100\.1 peer 198\.51\.100\.\d+/32" % IFACE, addrs), addrs
    assert status(d)["sessions_preauth"] == 0
    client.stop()


@pytest.mark.netns
def test_unauthenticated_session_cleared_by_auth_timeout_leaves_no_kernel_object(stack, plane):
    dataplane, srv, cli = plane
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane,
              extra="timers {\n auth_timeout = 2s\n }")
    d.start()
    pid = d.proc.popen.pid
    gate = os.path.join(stack.workdir, "never")  # never created
    client = gated_client(stack, cli, gate, "client-never")
    wait_for("the session at authentication", lambda: waiting_at_auth(d), timeout=60)
    # auth_timeout clears the call (CDN result 3); the test only waits
    # for that event.
    wait_for("the pre-auth timeout", lambda: status(d)["preauth_timeouts"] == 1, timeout=60)
    wait_for("no sessions", lambda: sessions(d) == [], timeout=30)
    assert session_links(srv) == []
    assert device_fds(pid, DEVICE[dataplane]) == 0
    if dataplane == "kernel":
        # The PPPoL2TP socket is closed off the loop (the closer thread):
        # the kernel session goes with it.
        wait_for("kernel session gone", lambda: kernel_sessions(srv) == [], timeout=30)
    assert not re.search(r"session \d+/\d+ up:", d.log()), d.log()
    client.stop()

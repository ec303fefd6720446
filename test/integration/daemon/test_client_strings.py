# SPDX-License-Identifier: GPL-2.0-or-later
"""What a client sends cannot forge a log line or an l2tpctl line
(docs/security.md "What the server guarantees"), and the control socket
answers every request, even one with a NUL byte.

A user name with a newline followed by a well-formed "session up" line is a
real user of the policy (quoted section names take \\n), so it logs in and
reaches every place a user name is printed: the log, l2tpctl sessions in
text and in JSON."""
import json
import os
import re
import socket
import subprocess

import pytest

from lib.netns import wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY, build_dir
from lib.client import client_path, run_client, by_event

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
FORGED = ("12:00:00.000 l2tpd info: session 4242/4242 up: user 'root' peer 192.0.2.9:1701 "
          "address 198.51.100.9 interface l2tp9 policy 'staff'")
EVIL_USER = "eve\n" + FORGED


@pytest.fixture
def net(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


def policy_with_evil_user():
    """The example policy plus EVIL_USER, with alice's password."""
    text = open(EXAMPLE_POLICY).read()
    quoted = EVIL_USER.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    user = ('users {\n    "%s" {\n        nt_hash = 9796a0639fdf788beb0e767b1f6f226a\n'
            '        dial_in = policy\n        groups = staff\n    }\n' % quoted)
    assert text.count("users {\n") == 1
    return text.replace("users {\n", user)


def l2tpctl(d, *args):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "--socket", d.sock] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=20)
    return res.returncode, res.stdout.decode("utf-8"), res.stderr.decode("utf-8")


def forged_lines(text):
    """Lines that look like a "session 4242/4242 up" log line of their own."""
    return [l for l in text.splitlines()
            if re.match(r"^(<\d>)?(\S+ l2tpd \w+: )?session 4242/4242 up", l)]


@pytest.mark.netns
def test_user_name_with_a_newline_cannot_forge_a_log_line(stack, net):
    srv, cli = net
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace",
              policy_text=policy_with_evil_user())
    d.start()
    holder = stack.spawn("client-eve", [client_path(), "--server", SERVER, "--user", EVIL_USER,
                                        "--password", PASSWORDS["alice"], "--hold-forever",
                                        "--json"], ns=cli)
    wait_for("eve up", lambda: '"event":"up"' in holder.log().replace(" ", "")
             or not holder.alive(), timeout=30)
    assert '"event":"up"' in holder.log().replace(" ", ""), holder.log()
    wait_for("session up logged", lambda: re.search(r"session \d+/\d+ up: user 'eve", d.log()))
    log = d.log()
    # one line, the name escaped: the newline and the quotes as \xNN
    escaped = "eve\\x0a" + FORGED.replace("'", "\\x27")
    assert re.search(r"session \d+/\d+ up: user '%s' peer " % re.escape(escaped), log), log
    assert forged_lines(log) == [], log
    # l2tpctl sessions: the same escaping, no extra line
    rc, out, err = l2tpctl(d, "sessions")
    assert rc == 0, err
    assert escaped in out and forged_lines(out) == [], out
    assert len(out.splitlines()) == 2, out     # the header and one session
    # JSON: the exact name, escaped per RFC 8259
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "--json", "--socket", d.sock, "sessions"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    assert res.returncode == 0, res.stderr
    assert b"\\n12:00:00.000" in res.stdout, res.stdout
    assert [s["user"] for s in json.loads(res.stdout)] == [EVIL_USER], res.stdout
    holder.stop()


@pytest.mark.netns
def test_unknown_user_name_with_a_newline_is_logged_escaped(stack, net):
    srv, cli = net
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace")
    d.start()
    rc, recs, out = run_client(cli, SERVER, EVIL_USER, "x")
    assert rc == 1 and by_event(recs, "failed"), out
    wait_for("refusal logged", lambda: "refused: no such user" in d.log())
    log = d.log()
    assert "user 'eve\\x0a12:00:00.000 l2tpd info: session 4242/4242 up: user \\x27root" in log, log
    assert forged_lines(log) == [], log


def ctl_raw(d, data):
    """Send raw bytes on the control socket; the whole answer (b"" if the
    daemon closed without one). A hung connection fails on the timeout."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(20)
        s.connect(d.sock)
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


@pytest.mark.netns
def test_control_socket_answers_a_request_with_a_nul_byte(stack, net):
    srv, cli = net
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace")
    d.start()
    assert ctl_raw(d, b"status\0\n") == b"error: request contains a NUL byte\n"
    # a NUL with no newline after it: answered too, not waited on
    assert ctl_raw(d, b"sta\0") == b"error: request contains a NUL byte\n"
    # a request too long for the buffer
    assert ctl_raw(d, b"a" * 512) == b"error: request too long\n"
    # an unknown word comes back escaped
    assert ctl_raw(d, b"st\x1b[2Jatus\n").startswith(b"error: unknown request 'st\\x1b[2Jatus'")
    # and the daemon still serves
    assert ctl_raw(d, b"status\n").startswith(b"ok\n")

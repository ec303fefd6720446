# SPDX-License-Identifier: GPL-2.0-or-later
"""Following one session (docs/operations.md): with log_level = debug every
state transition of L2TP (tunnel and call) and PPP (phase, LCP, IPCP) is a
debug line with the session's identifiers; with a quieter level,
`l2tpctl trace on` shows them for the sessions selected, and only for
those. The daemon runs in a namespace with the userspace data path, the
clients are our own (test/tools/l2tp-client)."""
import os
import re
import subprocess

import pytest

from lib.netns import wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY, build_dir

SERVER = "192.0.2.1"
CLIENT = "192.0.2.2"


def l2tpctl(d, *args):
    env = {k: v for k, v in os.environ.items() if k != "L2TPCTL_SOCKET"}
    res = subprocess.run([os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl"), "--socket",
                          d.sock] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=20, env=env)
    return res.returncode, res.stdout, res.stderr


def policy_with_bob():
    text = open(EXAMPLE_POLICY).read()
    allowed = text.replace("dial_in = deny                  # E=649: no dial-in permission",
                           "dial_in = allow")
    assert allowed != text
    return allowed


def start(stack, level):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy_with_bob())
    with open(d.conf) as f:
        text = f.read()
    assert "log_level = debug" in text
    with open(d.conf, "w") as f:
        f.write(text.replace("log_level = debug", "log_level = " + level))
    d.start()
    return d, cli


def held(stack, cli, user):
    from lib.client import client_path
    p = stack.spawn("client-" + user, [client_path(), "--server", SERVER, "--user", user,
                                       "--password", PASSWORDS[user], "--hold-forever",
                                       "--json"], ns=cli)
    wait_for(user + " up", lambda: '"event":"up"' in p.log().replace(" ", ""), timeout=30)
    return p


def down(p):
    return not p.alive() or '"event":"down"' in p.log().replace(" ", "")


def ids_of(d, user):
    """(tunnel id, session id) of the user's session, from l2tpctl."""
    import json
    rc, out, err = l2tpctl(d, "--json", "sessions", "--user", user)
    assert rc == 0, out + err
    s = json.loads(out)
    assert len(s) == 1, s
    return s[0]["tunnel"], s[0]["session"]


def in_order(lines, wanted):
    """Each regex of wanted matches a line after the previous one's."""
    i = 0
    for w in wanted:
        while i < len(lines) and not re.search(w, lines[i]):
            i += 1
        assert i < len(lines), "no line matching %r in order in:\n%s" % (w, "\n".join(lines))
        i += 1


@pytest.mark.netns
def test_debug_level_shows_one_sessions_whole_negotiation_in_order(stack):
    d, cli = start(stack, "debug")
    alice = held(stack, cli, "alice")
    tid, sid = ids_of(d, "alice")
    me = r"session %d/%d( user 'alice')?: trace " % (tid, sid)
    lines = [l for l in d.log().splitlines() if " trace " in l]
    # RFC 2661 7.2 and 7.4.2, then RFC 1661 3.2 and 4.1
    in_order(lines, [
        r"tunnel %d: trace l2tp tunnel idle -> wait-ctl-conn \(rx-SCCRQ\)" % tid,
        r"tunnel %d: trace l2tp tunnel wait-ctl-conn -> established \(rx-SCCCN\)" % tid,
        me + r"l2tp call idle -> wait-connect \(rx-ICRQ\)",
        me + r"l2tp call wait-connect -> established \(rx-ICCN\)",
        me + r"ppp phase Dead -> Establish \(start\)",
        me + r"ppp LCP Initial -> Starting \(Open\)",
        me + r"ppp LCP .* -> Opened \(RCA|RCR\+\)",
        me + r"ppp phase Establish -> Authenticate \(LCP up\)",
        r"session %d/%d user 'alice': trace ppp phase Authenticate -> Network \(auth success\)"
        % (tid, sid),
        me + r"ppp IPCP Initial -> Starting \(Open\)",
        me + r"ppp IPCP .* -> Opened",
    ])
    # and the teardown, once the administrator ends it
    rc, out, err = l2tpctl(d, "disconnect", "--session", "%d/%d" % (tid, sid))
    assert rc == 0, out + err
    wait_for("alice down", lambda: down(alice), timeout=30)
    wait_for("call closed", lambda: re.search(
        r"session %d/%d user 'alice': trace l2tp call established -> closed \(local-close\)"
        % (tid, sid), d.log()))
    lines = [l for l in d.log().splitlines() if " trace " in l]
    in_order(lines, [
        me + r"ppp phase Network -> Terminate \(Administrative",
        me + r"ppp LCP Opened -> Closing \(Close\)",
        me + r"l2tp call established -> closed \(local-close\)",
    ])


@pytest.mark.netns
def test_l2tpctl_trace_logs_the_selected_session_only(stack):
    d, cli = start(stack, "info")
    alice = held(stack, cli, "alice")
    bob = held(stack, cli, "bob")
    a = ids_of(d, "alice")
    b = ids_of(d, "bob")
    # info level: nothing of the negotiations so far
    assert " trace " not in d.log(), d.log()
    rc, out, err = l2tpctl(d, "trace", "on", "--user", "alice")
    assert rc == 0 and "tracing on for 1 session(s)" in out, out + err
    # bad words are usage errors; nothing selected is the daemon's error
    rc, out, err = l2tpctl(d, "trace", "maybe", "--user", "alice")
    assert rc == 2, out + err
    rc, out, err = l2tpctl(d, "trace", "on", "--user", "nobody")
    assert rc == 1 and "no session matches" in err, out + err
    rc, out, err = l2tpctl(d, "disconnect", "--all", "--yes")
    assert rc == 0, out + err
    wait_for("both down", lambda: down(alice) and down(bob), timeout=30)
    alice_re = r"session %d/%d user 'alice': trace " % a
    wait_for("alice's call closed", lambda: re.search(
        alice_re + r"l2tp call established -> closed \(local-close\)", d.log()))
    lines = [l for l in d.log().splitlines() if " trace " in l]
    in_order(lines, [
        alice_re + r"ppp phase Network -> Terminate",
        alice_re + r"ppp LCP Opened -> Closing \(Close\)",
        alice_re + r"ppp IPCP Opened -> Starting \(Down\)",
        alice_re + r"l2tp call established -> closed \(local-close\)",
    ])
    # only alice: not bob's session, no tunnel lines (no bit of their own)
    assert all(re.search(alice_re, l) for l in lines), "\n".join(lines)
    assert not any("session %d/%d" % b in l for l in lines)
    assert "tracing on by the administrator" in d.log()

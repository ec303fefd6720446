# SPDX-License-Identifier: GPL-2.0-or-later
"""Operations on the host (docs/operations.md): one daemon per
configuration, the modes of the daemon's sockets, how l2tpctl finds the
daemon, and l2tpctl --json errors. The daemon runs in a namespace of its
own with the userspace data path; no client is needed."""
import grp
import json
import os
import re
import stat
import subprocess

import pytest

from lib.netns import wait_for
from lib.l2tpd import L2tpd, build_dir

SERVER = "192.0.2.1"


def l2tpctl_exe():
    return os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")


def l2tpctl(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k != "L2TPCTL_SOCKET"}
    full_env.update(env or {})
    res = subprocess.run([l2tpctl_exe()] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=20, env=full_env)
    return res.returncode, res.stdout, res.stderr


def start(stack, **kw):
    ns = stack.netns("srv")
    stack.veth(ns, "srv0", SERVER + "/24", stack.netns("cli"), "cli0", "192.0.2.2/24")
    d = L2tpd(stack, ns, listen=SERVER, dataplane="userspace", **kw)
    d.start()
    return d


@pytest.mark.netns
def test_a_second_daemon_with_the_same_config_refuses_and_the_first_keeps_serving(stack):
    d = start(stack)
    exe = os.path.join(build_dir(), "l2tpd", "daemon", "l2tpd")
    second = stack.spawn("l2tpd-second", [exe, "--config", d.conf, "--policy", d.policy],
                         ns=d.ns)
    rc = second.popen.wait(timeout=30)
    assert rc != 0, second.log()
    pid = d.proc.popen.pid
    # ip netns exec execs l2tpd in place: the pid spawned is the daemon's.
    assert re.search(r"another l2tpd \(pid %d\) is running with the control socket %s"
                     % (pid, re.escape(d.sock)), second.log()), second.log()
    # Neither of the first daemon's sockets was unlinked.
    assert stat.S_ISSOCK(os.stat(d.sock).st_mode)
    assert stat.S_ISSOCK(os.stat(d.ipsec_sock).st_mode)
    rc, out, err = l2tpctl("--socket", d.sock, "status")
    assert rc == 0 and "ports:" in out, out + err
    ok, text = d.ctl("status")
    assert ok, text
    assert d.proc.alive()


@pytest.mark.netns
def test_the_daemon_restarts_after_a_clean_stop_with_the_lock_file_left(stack):
    d = start(stack)
    assert d.proc.stop() == 0, d.log()
    assert os.path.exists(d.sock + ".lock")
    d.start()
    assert d.ctl("status")[0]


def other_group():
    """A group of this host that is not root's: the control group."""
    for g in grp.getgrall():
        if g.gr_gid != 0:
            return g
    pytest.skip("no group besides root on this host")


@pytest.mark.netns
def test_socket_modes_owner_and_group_are_the_documented_ones(stack):
    g = other_group()
    d = start(stack, extra="control_group = %s" % g.gr_name)
    st = os.stat(d.sock)
    # docs/operations.md: control_socket 0600, 0660 with control_group
    assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    assert (st.st_uid, st.st_gid) == (0, g.gr_gid)
    # docs/operations.md: ipsec_socket 0600, root only (the plugin runs as root)
    st = os.stat(d.ipsec_sock)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    assert (st.st_uid, st.st_gid) == (0, 0)
    st = os.stat(d.sock + ".lock")
    assert stat.S_IMODE(st.st_mode) == 0o644 and st.st_uid == 0, oct(st.st_mode)


@pytest.mark.netns
def test_socket_mode_without_a_control_group_is_root_only(stack):
    d = start(stack)
    st = os.stat(d.sock)
    assert stat.S_IMODE(st.st_mode) == 0o600 and (st.st_uid, st.st_gid) == (0, 0), oct(st.st_mode)


@pytest.mark.netns
def test_l2tpctl_finds_the_daemon_by_socket_env_and_config(stack, tmp_path):
    d = start(stack)
    wrong = str(tmp_path / "nothing.sock")
    # --config: the control_socket key of that file, read by the daemon's parser
    rc, out, err = l2tpctl("--config", d.conf, "status")
    assert rc == 0 and "ports:" in out, out + err
    # L2TPCTL_SOCKET beats --config
    rc, out, err = l2tpctl("--config", d.conf, "status", env={"L2TPCTL_SOCKET": wrong})
    assert rc == 1 and wrong in err, out + err
    rc, out, err = l2tpctl("status", env={"L2TPCTL_SOCKET": d.sock})
    assert rc == 0 and "ports:" in out, out + err
    # --socket beats L2TPCTL_SOCKET
    rc, out, err = l2tpctl("--socket", d.sock, "status", env={"L2TPCTL_SOCKET": wrong})
    assert rc == 0 and "ports:" in out, out + err
    # a broken --config is an error with file:line:col, not a silent default
    broken = tmp_path / "broken.conf"
    broken.write_text("l2tpd {\n  control_socket = %s\n  max_sessions = many\n}\n" % d.sock)
    rc, out, err = l2tpctl("--config", str(broken), "status")
    assert rc == 1 and re.search(r"broken\.conf:3:\d+: ", err), out + err
    # the order is in the help
    rc, out, err = l2tpctl("--help")
    assert rc == 0 and "L2TPCTL_SOCKET" in out and "--config FILE" in out, out


def json_error(rc, out, err, code):
    assert rc != 0, (out, err)
    obj = json.loads(out)
    assert obj["error"]["code"] == code, out
    assert obj["error"]["message"], out
    assert err == "", err
    return obj["error"]["message"]


@pytest.mark.netns
def test_l2tpctl_json_reports_every_kind_of_failure_as_one_object(stack, tmp_path):
    d = start(stack)
    j = ("--json", "--socket", d.sock)
    # daemon unreachable
    msg = json_error(*l2tpctl("--json", "--socket", str(tmp_path / "none.sock"), "status"),
                     "unreachable")
    assert "not running" in msg
    # unknown command
    json_error(*l2tpctl(*j, "frobnicate"), "unknown_command")
    # unknown option
    json_error(*l2tpctl("--json", "--frob", "status"), "usage")
    # bad arguments
    json_error(*l2tpctl(*j, "disconnect", "user"), "usage")
    json_error(*l2tpctl(*j, "status", "extra"), "usage")
    # the daemon refuses the request
    msg = json_error(*l2tpctl(*j, "disconnect", "user", "nobody"), "daemon")
    assert "no session" in msg
    # a broken --config
    broken = tmp_path / "broken.conf"
    broken.write_text("l2tpd {\n  log_level = loud\n}\n")
    msg = json_error(*l2tpctl("--json", "--config", str(broken), "status"), "config")
    assert re.search(r"broken\.conf:2:\d+: ", msg), msg
    # and success is still the plain JSON answer
    rc, out, err = l2tpctl(*j, "status")
    assert rc == 0 and json.loads(out)["ports"] == 128, out + err


def rewrite_conf(d, old, new):
    with open(d.conf) as f:
        text = f.read()
    assert old in text, text
    with open(d.conf, "w") as f:
        f.write(text.replace(old, new))


@pytest.mark.netns
def test_reload_applies_a_live_setting_of_l2tpd_conf(stack):
    d = start(stack, extra="limits {\n sessions = 128\n }")
    rewrite_conf(d, "sessions = 128", "sessions = 7")
    rc, out, err = l2tpctl("--socket", d.sock, "reload")
    assert rc == 0 and "settings reloaded" in out and "restart" not in out, out + err
    rc, out, err = l2tpctl("--socket", d.sock, "status")
    assert "ports:     0 in use of 7" in out, out
    # log_level is live too: from debug to error, the notice of the next
    # reload is not logged any more
    rewrite_conf(d, "log_level = debug", "log_level = error")
    assert l2tpctl("--socket", d.sock, "reload")[0] == 0
    n = d.log().count("policy reloaded")
    assert l2tpctl("--socket", d.sock, "reload")[0] == 0
    assert d.log().count("policy reloaded") == n, d.log()


@pytest.mark.netns
def test_reload_names_the_settings_that_wait_for_a_restart(stack):
    d = start(stack)
    rewrite_conf(d, "dataplane = userspace", "dataplane = kernel")
    rewrite_conf(d, "listen = %s" % SERVER, "listen = 192.0.2.9")
    rc, out, err = l2tpctl("--socket", d.sock, "reload")
    assert rc == 0 and "not applied until restart: listen, dataplane" in out, out + err
    assert re.search(r"reload: .*l2tpd\.conf: not applied until restart: listen, dataplane",
                     d.log()), d.log()
    rc, out, err = l2tpctl("--socket", d.sock, "status")
    assert "dataplane: userspace" in out, out


@pytest.mark.netns
def test_reload_refuses_a_broken_l2tpd_conf_and_keeps_serving(stack):
    d = start(stack, extra="limits {\n sessions = 128\n }")
    rewrite_conf(d, "sessions = 128", "sessions = 7\n }\n timers {\n hello_interval = often")
    rc, out, err = l2tpctl("--socket", d.sock, "reload")
    assert rc == 1 and re.search(r"l2tpd\.conf:\d+:\d+: ", err), out + err
    assert "running settings are kept" in err
    assert re.search(r"l2tpd\.conf:\d+:\d+: ", d.log())
    # nothing of the broken file applied, the daemon answers
    rc, out, err = l2tpctl("--socket", d.sock, "status")
    assert rc == 0 and "ports:     0 in use of 128" in out, out


# ---- sessions with a client: filters, sort, disconnect selectors, drain ----

CLIENT = "192.0.2.2"


def start_with_client(stack, policy_text=None):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy_text)
    d.start()
    return d, cli


def held(stack, cli, name, user):
    from lib.client import client_path
    from lib.l2tpd import PASSWORDS
    p = stack.spawn(name, [client_path(), "--server", SERVER, "--user", user, "--password",
                           PASSWORDS[user], "--hold-forever", "--json"], ns=cli)
    wait_for(user + " up", lambda: '"event":"up"' in p.log().replace(" ", ""), timeout=30)
    return p


def down(p):
    return not p.alive() or '"event":"down"' in p.log().replace(" ", "")


def sessions(d, *args):
    rc, out, err = l2tpctl("--json", "--socket", d.sock, "sessions", *args)
    assert rc == 0, out + err
    return json.loads(out)



def policy_with_bob():
    from lib.l2tpd import EXAMPLE_POLICY
    text = open(EXAMPLE_POLICY).read()
    allowed = text.replace("dial_in = deny                  # E=649: no dial-in permission",
                           "dial_in = allow")
    assert allowed != text
    return allowed


@pytest.mark.netns
def test_sessions_filters_and_sort_and_disconnect_by_each_selector(stack):
    d, cli = start_with_client(stack, policy_with_bob())
    alice = held(stack, cli, "client-alice", "alice")
    bob = held(stack, cli, "client-bob", "bob")
    wait_for("both up", lambda: [s["state"] for s in sessions(d)] == ["up", "up"])
    by_user = {s["user"]: s for s in sessions(d)}
    a, b = by_user["alice"], by_user["bob"]
    assert [s["user"] for s in sessions(d, "--user", "bob")] == ["bob"]
    assert [s["user"] for s in sessions(d, "--user", "BOB")] == ["bob"]  # as logins: no case
    assert [s["user"] for s in sessions(d, "--address", a["address"])] == ["alice"]
    assert [s["user"] for s in sessions(d, "--interface", b["interface"])] == ["bob"]
    assert len(sessions(d, "--peer", CLIENT)) == 2
    assert [s["user"] for s in sessions(d, "--peer", a["peer"])] == ["alice"]
    assert len(sessions(d, "--policy", a["policy"])) == 2
    assert sessions(d, "--policy", "no-such-policy") == []
    assert sessions(d, "--user", "alice", "--address", b["address"]) == []   # all must match
    # sorts: by user, and by address (numeric)
    assert [s["user"] for s in sessions(d, "--sort", "user")] == ["alice", "bob"]
    addrs = [s["address"] for s in sessions(d, "--sort", "address")]
    assert addrs == sorted(addrs, key=lambda x: tuple(int(p) for p in x.split(".")))
    # the text table filters too
    rc, out, err = l2tpctl("--socket", d.sock, "sessions", "--user", "alice")
    assert rc == 0 and "alice" in out and "bob" not in out, out + err
    # bad filter words: usage errors, client-side and daemon-side
    rc, out, err = l2tpctl("--socket", d.sock, "sessions", "--sort", "height")
    assert rc == 1 and "unknown sort key" in err, out + err
    rc, out, err = l2tpctl("--socket", d.sock, "sessions", "--colour", "red")
    assert rc == 2, out + err

    # disconnect by address: bob only
    rc, out, err = l2tpctl("--socket", d.sock, "disconnect", "--address", b["address"])
    assert rc == 0 and "1 session(s) disconnected" in out, out + err
    wait_for("bob down", lambda: down(bob), timeout=30)
    wait_for("one left", lambda: [s["user"] for s in sessions(d)] == ["alice"])
    assert alice.alive() and not down(alice)
    # by interface
    bob = held(stack, cli, "client-bob2", "bob")
    wait_for("bob up", lambda: len(sessions(d, "--user", "bob")) == 1)
    ifname = sessions(d, "--user", "bob")[0]["interface"]
    rc, out, err = l2tpctl("--socket", d.sock, "disconnect", "--interface", ifname)
    assert rc == 0, out + err
    wait_for("bob down", lambda: down(bob), timeout=30)
    assert not down(alice)
    # nothing matches: an error, not a silent success
    rc, out, err = l2tpctl("--json", "--socket", d.sock, "disconnect", "--user", "nobody")
    assert rc == 1 and json.loads(out)["error"]["code"] == "daemon", out + err
    # --all wants --yes
    rc, out, err = l2tpctl("--socket", d.sock, "disconnect", "--all")
    assert rc == 2 and "--yes" in err, out + err
    assert not down(alice)
    rc, out, err = l2tpctl("--socket", d.sock, "disconnect", "--all", "--yes")
    assert rc == 0, out + err
    wait_for("alice down", lambda: down(alice), timeout=30)
    wait_for("no sessions", lambda: sessions(d) == [])


@pytest.mark.netns
def test_drain_refuses_new_tunnels_keeps_sessions_up_and_ends_with_drain_off(stack):
    from lib.client import run_client, by_event
    from lib.l2tpd import PASSWORDS
    d, cli = start_with_client(stack, policy_with_bob())
    alice = held(stack, cli, "client-alice", "alice")
    rc, out, err = l2tpctl("--socket", d.sock, "drain")
    assert rc == 0 and "draining" in out, out + err
    rc, out, err = l2tpctl("--socket", d.sock, "status")
    assert "draining:  yes" in out, out
    rc, out, err = l2tpctl("--json", "--socket", d.sock, "status")
    assert json.loads(out)["draining"] is True
    # a new client: StopCCN result 2, error 4 (RFC 2661 4.4.2), and a log line
    rc, recs, out = run_client(cli, SERVER, "bob", PASSWORDS["bob"])
    assert rc != 0 and not by_event(recs, "up"), out
    assert re.search(r"tunnel from 192\.0\.2\.2:\d+ refused with StopCCN result 2, error 4: "
                     r"draining", d.log()), d.log()
    # the session up stays
    assert not down(alice) and [s["user"] for s in sessions(d)] == ["alice"]
    rc, out, err = l2tpctl("--socket", d.sock, "drain", "off")
    assert rc == 0, out + err
    rc, out, err = l2tpctl("--json", "--socket", d.sock, "status")
    assert json.loads(out)["draining"] is False
    rc, recs, out = run_client(cli, SERVER, "bob", PASSWORDS["bob"])
    assert rc == 0 and by_event(recs, "up"), out
    # drain is not kept across a restart
    rc, out, err = l2tpctl("--socket", d.sock, "drain", "on")
    assert rc == 0
    alice.stop()
    assert d.proc.stop() == 0
    d.start()
    rc, out, err = l2tpctl("--json", "--socket", d.sock, "status")
    assert json.loads(out)["draining"] is False
    rc, out, err = l2tpctl("--socket", d.sock, "drain", "sideways")
    assert rc == 2, out + err


@pytest.mark.host
def test_l2tpctl_json_covers_the_offline_policy_commands(tmp_path):
    broken = tmp_path / "policy.conf"
    broken.write_text("users {\n  alice {\n    dial_in = maybe\n  }\n}\n")
    rc, out, err = l2tpctl("--json", "policy", "check", str(broken))
    msg = json_error(rc, out, err, "policy")
    assert re.search(r"policy\.conf:3:\d+: ", msg), msg
    json_error(*l2tpctl("--json", "policy", "check"), "usage")
    json_error(*l2tpctl("--json", "policy", "frobnicate"), "unknown_command")
    from lib.l2tpd import EXAMPLE_POLICY
    rc, out, err = l2tpctl("--json", "policy", "check", EXAMPLE_POLICY)
    assert rc == 0 and json.loads(out)["ok"] is True, out + err

# SPDX-License-Identifier: GPL-2.0-or-later
"""The installed l2tpd under a notify harness (the end of NOTIFY_SOCKET
systemd would hold): READY, a session, l2tpctl for the control group and
not for others, reload, stop. Shared by the host test (the package
unpacked into a root, /run and /etc/group of that root bind-mounted in a
private mount namespace) and the VM test (dpkg -i into the VM's overlay)."""
import os
import re
import signal
import stat
import subprocess

from lib.netns import wait_for
from lib.l2tpd import PASSWORDS
from lib.client import run_client, by_event
from daemon.test_systemd import NotifySocket

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
NOBODY = 65534


def admin_config(packaged, dataplane):
    """The shipped l2tpd.conf as an administrator of this test bed edits
    it: our address, no IPsec (no charon here), a data plane."""
    text = re.sub(r"^(\s*)listen\s*=.*$", r"\1listen = %s" % SERVER, packaged, count=1, flags=re.M)
    text = re.sub(r"^(\s*)require_ipsec\s*=.*$", r"\1require_ipsec = no", text, count=1,
                  flags=re.M)
    text = re.sub(r"^(\s*)#?\s*dataplane\s*=.*$", r"\1dataplane = %s" % dataplane, text, count=1,
                  flags=re.M)
    assert "listen = %s" % SERVER in text and "require_ipsec = no" in text, text
    assert "dataplane = %s" % dataplane in text, text
    return text


def ctl_as_nobody(ctl, sock, groups, *args):
    """l2tpctl as an unprivileged user with the given supplementary groups."""
    cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--inh-caps=-all"]
    cmd += ["--groups=" + ",".join(str(g) for g in groups)] if groups else ["--clear-groups"]
    res = subprocess.run(cmd + [ctl, "--socket", sock] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=30)
    return res.returncode, res.stdout


def serve_reload_stop(stack, srv, cli, cmd, ctl, sock, run_dir, gid):
    """Start CMD (the installed daemon) in namespace SRV with NOTIFY_SOCKET;
    SOCK, RUN_DIR: the control socket and /run/l2tpd as this process sees
    them; GID: the group l2tpd."""
    notify = NotifySocket(os.path.join(stack.sockdir, "notify.sock"))
    try:
        proc = stack.spawn("l2tpd", cmd, ns=srv, env={"NOTIFY_SOCKET": notify.path})
        before = notify.wait_for("READY", timeout=120)
        assert all("READY" not in m for m in before)
        assert proc.alive(), proc.log()

        # /run/l2tpd 2750 root:l2tpd, the socket 0660 root:l2tpd in it.
        st = os.stat(run_dir)
        assert stat.S_IMODE(st.st_mode) == 0o2750 and st.st_gid == gid, (oct(st.st_mode), st.st_gid)
        st = os.stat(sock)
        assert stat.S_ISSOCK(st.st_mode), oct(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o660 and st.st_uid == 0 and st.st_gid == gid, \
            (oct(st.st_mode), st.st_uid, st.st_gid)
        rc, out = ctl_as_nobody(ctl, sock, [gid], "status")
        assert rc == 0, out
        rc, out = ctl_as_nobody(ctl, sock, [], "status")
        assert rc != 0, out

        # A session: the client logs in and gets an address.
        rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
        assert rc == 0, out + proc.log()
        assert len(by_event(recs, "up")) == 1, out
        assert re.search(r"session \d+/\d+ up: user 'alice'", proc.log()), proc.log()

        proc.popen.send_signal(signal.SIGHUP)
        between = notify.wait_for("RELOADING")
        assert all("READY" not in m for m in between)
        notify.wait_for("READY")
        wait_for("the reload logged", lambda: "policy reloaded" in proc.log(), timeout=30)

        proc.popen.send_signal(signal.SIGTERM)
        notify.wait_for("STOPPING")
        assert proc.popen.wait(timeout=60) == 0, proc.log()
        assert not os.path.exists(sock)
    finally:
        notify.close()


def veths(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


def group_id(etc_group, name="l2tpd"):
    for line in open(etc_group):
        f = line.strip().split(":")
        if f[0] == name:
            return int(f[2])
    raise AssertionError("no group %s in %s" % (name, etc_group))

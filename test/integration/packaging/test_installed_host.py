# SPDX-License-Identifier: GPL-2.0-or-later
"""The packaged l2tpd, unpacked into a clean root, set up as its postinst
does (systemd-sysusers and systemd-tmpfiles on that root), run under a
notify harness in a private mount namespace that sees that root's /run and
/etc/group: READY, a session (userspace data path), l2tpctl for the group
l2tpd only, reload, stop. The same in the VM with dpkg -i:
test_installed_vm.py."""
import os
import shutil
import subprocess
import tempfile

import pytest

from lib.l2tpd import EXAMPLE_POLICY
from debpkg import deb_path, missing_tools
from installed import admin_config, group_id, serve_reload_stop, veths


@pytest.fixture
def root():
    # Traversable by the unprivileged l2tpctl of the test (not tmp_path, 0700).
    d = tempfile.mkdtemp(prefix="l2tpd-root-", dir="/tmp")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.netns
def test_unpacked_package_runs_serves_reloads_and_stops(built_packages, stack, root):
    missing = missing_tools("systemd-sysusers", "systemd-tmpfiles", "setpriv", "unshare")
    if missing:
        pytest.skip("needs %s (systemd, util-linux)" % ", ".join(missing))
    subprocess.run(["dpkg-deb", "-x", deb_path("l2tpd"), root], check=True)
    # What the postinst does, on this root.
    subprocess.run(["systemd-sysusers", "--root", root, "l2tpd.conf"], check=True)
    subprocess.run(["systemd-tmpfiles", "--root", root, "--create", "l2tpd.conf"], check=True)
    gid = group_id(os.path.join(root, "etc", "group"))

    etc = os.path.join(root, "etc", "l2tpd")
    conf, policy = os.path.join(etc, "l2tpd.conf"), os.path.join(etc, "policy.conf")
    with open(conf) as f:
        text = admin_config(f.read(), "userspace")
    with open(conf, "w") as f:
        f.write(text)
    shutil.copy(EXAMPLE_POLICY, policy)

    srv, cli = veths(stack)
    # The daemon's /run is the root's, so /run/l2tpd/l2tpd.sock of the
    # shipped configuration is ROOT/run/l2tpd/l2tpd.sock here; its
    # getgrnam("l2tpd") reads the root's /etc/group. The host's stay as
    # they are (a private mount namespace).
    cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c",
           'mount --bind "$0/run" /run && mount --bind "$0/etc/group" /etc/group && exec "$@"',
           root, os.path.join(root, "usr", "sbin", "l2tpd"), "--config", conf, "--policy", policy]
    serve_reload_stop(stack, srv, cli, cmd, os.path.join(root, "usr", "bin", "l2tpctl"),
                      os.path.join(root, "run", "l2tpd", "l2tpd.sock"),
                      os.path.join(root, "run", "l2tpd"), gid)

# SPDX-License-Identifier: GPL-2.0-or-later
"""In the test VM (its root is an overlay the VM may write): dpkg -i the
packages the host tests built (build/pkg/), then run the installed
/usr/sbin/l2tpd with the installed configuration paths under the notify
harness on the kernel data path: READY, a session, l2tpctl for the group
l2tpd only, reload, stop."""
import grp
import os
import re
import shutil
import subprocess

import pytest

from lib.l2tpd import EXAMPLE_POLICY
from debpkg import PKG_DIR, PACKAGES, deb_path
from installed import admin_config, serve_reload_stop, veths


PLUGIN = "/usr/lib/ipsec/plugins/libstrongswan-l2tp.so"


@pytest.fixture
def installed():
    """dpkg -i the packages; afterwards purge them and put back the plugin
    the ipsec tests copied there (peers.install_our_charon_plugin), so the
    VM's later tests see what they saw before."""
    if os.environ.get("IN_TEST_VM") != "1":
        pytest.skip("installs packages into the root: only in the test VM's overlay")
    try:
        debs = [deb_path(n) for n in PACKAGES]
    except (AssertionError, FileNotFoundError):
        pytest.skip("no packages in %s: the host tests build them (./run test runs "
                    "test/integration/packaging first)" % PKG_DIR)
    saved = open(PLUGIN, "rb").read() if os.path.exists(PLUGIN) else None
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        yield debs, env
    finally:
        subprocess.run(["dpkg", "--purge"] + list(PACKAGES), env=env, timeout=300)
        if saved is not None:
            with open(PLUGIN, "wb") as f:
                f.write(saved)


@pytest.mark.vm
def test_dpkg_installed_unit_command_serves_reloads_and_stops(stack, installed):
    debs, env = installed
    res = subprocess.run(["dpkg", "-i"] + debs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout
    # The postinst made the group and /run/l2tpd.
    gid = grp.getgrnam("l2tpd").gr_gid

    # The unit's command, with the installed default paths.
    unit = open("/lib/systemd/system/l2tpd.service").read()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.M).group(1).split()
    check = re.search(r"^ExecStartPre=(.+)$", unit, re.M).group(1).split()
    assert exec_start == ["/usr/sbin/l2tpd"] and check == ["/usr/sbin/l2tpd", "--check"]

    with open("/etc/l2tpd/l2tpd.conf") as f:
        text = admin_config(f.read(), "kernel")
    with open("/etc/l2tpd/l2tpd.conf", "w") as f:
        f.write(text)
    shutil.copy(EXAMPLE_POLICY, "/etc/l2tpd/policy.conf")
    res = subprocess.run(check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stdout

    srv, cli = veths(stack)
    serve_reload_stop(stack, srv, cli, exec_start, "/usr/bin/l2tpctl", "/run/l2tpd/l2tpd.sock",
                      "/run/l2tpd", gid)

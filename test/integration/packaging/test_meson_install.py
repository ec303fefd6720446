# SPDX-License-Identifier: GPL-2.0-or-later
"""`meson install` from source (docs/operations.md, "From source"): the
files of the packages, and a re-install keeps the administrator's
configuration."""
import json
import os
import stat
import subprocess

import pytest

from lib.l2tpd import build_dir
from debpkg import missing_tools


def meson_install(destdir):
    res = subprocess.run(["meson", "install", "-C", build_dir(), "--no-rebuild", "--destdir",
                          str(destdir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stdout
    return res.stdout


@pytest.mark.host
def test_install_ships_config_man_pages_completion_and_keeps_changed_config(tmp_path):
    if missing_tools("meson"):
        pytest.skip("meson is not installed")
    opts = json.loads(subprocess.run(["meson", "introspect", "--buildoptions", build_dir()],
                                     stdout=subprocess.PIPE, text=True, check=True).stdout)
    opt = {o["name"]: o["value"] for o in opts}
    prefix = opt["prefix"]

    def path(d, *parts):
        base = d if os.path.isabs(d) else os.path.join(prefix, d)
        return os.path.join(str(tmp_path), base.lstrip("/"), *parts)

    meson_install(tmp_path)
    conf = path(opt["sysconfdir"], "l2tpd", "l2tpd.conf")
    policy = path(opt["sysconfdir"], "l2tpd", "policy.conf")
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(policy).st_mode) == 0o600
    for p in (path(opt["sbindir"], "l2tpd"), path(opt["bindir"], "l2tpctl"),
              path(opt["mandir"], "man8", "l2tpd.8"), path(opt["mandir"], "man8", "l2tpctl.8"),
              path(opt["mandir"], "man5", "l2tpd.conf.5"),
              path(opt["mandir"], "man5", "l2tpd-policy.5"),
              path(opt["datadir"], "bash-completion", "completions", "l2tpctl"),
              path(opt["datadir"], "doc", "l2tpd", "operations.md"),
              path(opt["datadir"], "doc", "l2tpd", "examples", "l2tpd", "policy.conf"),
              path(prefix, "lib", "tmpfiles.d", "l2tpd.conf"),
              path(prefix, "lib", "sysusers.d", "l2tpd.conf"),
              path("/lib/systemd/system", "l2tpd.service")):
        assert os.path.exists(p), p

    # The administrator's changes survive a second install.
    with open(conf, "a") as f:
        f.write("# changed by the administrator\n")
    os.chmod(policy, 0o640)
    meson_install(tmp_path)
    assert open(conf).read().endswith("# changed by the administrator\n")
    assert stat.S_IMODE(os.stat(policy).st_mode) == 0o640

# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian packages (debian/): they build with dpkg-buildpackage, lintian
finds no errors, they hold what meson install installs and what
docs/operations.md lists, the conffiles are a safe default, and the plugin
is pinned to the strongswan-charon it was built against."""
import os
import re
import subprocess

import pytest

from lib.l2tpd import TOP
from debpkg import PACKAGES, deb_control_file, deb_field, deb_files, deb_path, missing_tools

# What dpkg-buildpackage adds to what meson installs.
DEBIAN_ONLY = re.compile(r"^/usr/share/doc/[^/]+/(copyright|changelog\.gz)$"
                         r"|^/usr/share/lintian/overrides/")


@pytest.mark.host
def test_lintian_reports_no_errors(built_packages):
    if missing_tools("lintian"):
        pytest.skip("lintian is not installed (./run setup installs it)")
    changes = [f for f in os.listdir(built_packages) if f.endswith(".changes")]
    assert len(changes) == 1, changes
    res = subprocess.run(["lintian", os.path.join(built_packages, changes[0])],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    errors = [l for l in res.stdout.splitlines() if l.startswith("E:")]
    assert errors == [], res.stdout
    # Warnings are allowed only with a reason in debian/*.lintian-overrides.
    assert [l for l in res.stdout.splitlines() if l.startswith("W:")] == [], res.stdout


@pytest.mark.host
def test_packages_hold_exactly_what_meson_install_installs(built_packages):
    # dh_auto_install ran `meson install` into debian/tmp.
    tmp = os.path.join(built_packages, "src", "debian", "tmp")
    installed = set()
    for d, dirs, files in os.walk(tmp):
        for f in files:
            installed.add(os.path.join(d, f)[len(tmp):])
    packaged = set()
    for name in PACKAGES:
        for p in deb_files(name):
            if DEBIAN_ONLY.search(p):
                continue
            # dh_compress: man pages gain .gz
            packaged.add(re.sub(r"^(/usr/share/man/.*)\.gz$", r"\1", p))
    assert installed == packaged, (sorted(installed - packaged), sorted(packaged - installed))
    for must in ("/usr/sbin/l2tpd", "/usr/bin/l2tpctl", "/lib/systemd/system/l2tpd.service",
                 "/etc/l2tpd/l2tpd.conf", "/etc/l2tpd/policy.conf",
                 "/usr/lib/tmpfiles.d/l2tpd.conf", "/usr/lib/sysusers.d/l2tpd.conf",
                 "/usr/share/bash-completion/completions/l2tpctl",
                 "/usr/share/man/man8/l2tpd.8", "/usr/share/man/man8/l2tpctl.8",
                 "/usr/share/man/man5/l2tpd.conf.5", "/usr/share/man/man5/l2tpd-policy.5",
                 "/usr/share/doc/l2tpd/operations.md",
                 "/usr/share/doc/l2tpd/examples/l2tpd/policy.conf",
                 "/usr/lib/ipsec/plugins/libstrongswan-l2tp.so",
                 "/etc/strongswan.d/charon/l2tp.conf"):
        assert must in installed, must


@pytest.mark.host
def test_operations_md_lists_what_the_packages_install(built_packages):
    """Every path in the table of docs/operations.md 'What gets installed
    where' is in a package, and in the one the table names."""
    text = open(os.path.join(TOP, "docs", "operations.md")).read()
    section = text.split("### What gets installed where", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(/[^`]+)` \| `([a-z0-9-]+)` \|", section, re.M)
    assert len(rows) >= 10, section
    files = {name: deb_files(name) for name in PACKAGES}
    for path, pkg in rows:
        assert pkg in files, (path, pkg)
        if path.endswith("/"):
            assert any(f.startswith(path) for f in files[pkg]), (path, pkg)
        else:
            assert path in files[pkg] or path + ".gz" in files[pkg], (path, pkg)


@pytest.mark.host
def test_conffiles_are_the_safe_default_and_pass_check(built_packages, tmp_path):
    conffiles = deb_control_file("l2tpd", "conffiles").split()
    assert sorted(conffiles) == ["/etc/l2tpd/l2tpd.conf", "/etc/l2tpd/policy.conf"]
    assert "/etc/strongswan.d/charon/l2tp.conf" in \
        deb_control_file("libcharon-l2tp-plugin", "conffiles").split()
    root = str(tmp_path / "root")
    for name in PACKAGES:
        subprocess.run(["dpkg-deb", "-x", deb_path(name), root], check=True)
    conf = os.path.join(root, "etc", "l2tpd", "l2tpd.conf")
    policy = os.path.join(root, "etc", "l2tpd", "policy.conf")
    assert re.search(r"^\s*require_ipsec\s*=\s*yes\b", open(conf).read(), re.M)
    assert re.search(r"^\s*control_group\s*=\s*l2tpd\b", open(conf).read(), re.M)
    assert os.stat(policy).st_mode & 0o077 == 0, oct(os.stat(policy).st_mode)
    # The installed daemon accepts its own default and lets nobody in.
    exe = os.path.join(root, "usr", "sbin", "l2tpd")
    res = subprocess.run([exe, "--check", "--config", conf, "--policy", policy],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert res.returncode == 0, res.stdout
    assert "(0 users, 0 groups, 0 pools, 0 policies)" in res.stdout, res.stdout
    version = deb_field("l2tpd", "Version")
    for prog in ("usr/sbin/l2tpd", "usr/bin/l2tpctl"):
        out = subprocess.run([os.path.join(root, prog), "--version"], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
        assert out == "%s %s\n" % (os.path.basename(prog), version), out


@pytest.mark.host
def test_plugin_depends_on_the_exact_strongswan_charon_it_was_built_against(built_packages):
    built_with = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "strongswan-charon"],
                                stdout=subprocess.PIPE, text=True, check=True).stdout
    deps = [d.strip() for d in deb_field("libcharon-l2tp-plugin", "Depends").split(",")]
    assert "strongswan-charon (= %s)" % built_with in deps, deps


@pytest.mark.host
def test_unit_group_and_run_directory_agree(built_packages, tmp_path):
    root = str(tmp_path / "root")
    subprocess.run(["dpkg-deb", "-x", deb_path("l2tpd"), root], check=True)
    unit = open(os.path.join(root, "lib/systemd/system/l2tpd.service")).read()
    exec_start = re.search(r"^ExecStart=(\S+)", unit, re.M).group(1)
    assert os.access(os.path.join(root, exec_start.lstrip("/")), os.X_OK), exec_start
    # tmpfiles.d makes /run/l2tpd for the group; RuntimeDirectory= would
    # recreate it root:root at every start.
    assert "RuntimeDirectory" not in re.sub(r"#.*", "", unit)
    tmpfiles = open(os.path.join(root, "usr/lib/tmpfiles.d/l2tpd.conf")).read()
    assert re.search(r"^d /run/l2tpd 2750 root l2tpd\b", tmpfiles, re.M), tmpfiles
    sysusers = open(os.path.join(root, "usr/lib/sysusers.d/l2tpd.conf")).read()
    assert re.search(r"^g l2tpd\b", sysusers, re.M), sysusers
    # The group exists before tmpfiles gives it the directory.
    postinst = deb_control_file("l2tpd", "postinst")
    assert 0 <= postinst.index("systemd-sysusers") < postinst.index("systemd-tmpfiles"), postinst

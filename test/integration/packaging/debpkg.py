# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the packaging tests: build the Debian packages from a copy
of the source under build/pkg/src (dpkg-buildpackage writes ../*.deb:
build/pkg/), and look inside them. docs/operations.md, "Install"."""
import os
import shutil
import subprocess

from lib.l2tpd import TOP

PKG_DIR = os.path.join(TOP, "build", "pkg")
PACKAGES = ("l2tpd", "libcharon-l2tp-plugin")


def missing_tools(*tools):
    return [t for t in tools if not shutil.which(t)]


def copy_source(dst):
    """The files git knows (tracked or not ignored), without build/: what a
    fresh checkout would hold, plus work not committed yet."""
    try:
        out = subprocess.run(["git", "-C", TOP, "ls-files", "-co", "--exclude-standard", "-z"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
        files = [f for f in out.decode().split("\0") if f and not f.startswith("build/")]
    except (OSError, subprocess.CalledProcessError):
        files = None
    if files is None:
        shutil.copytree(TOP, dst, symlinks=True,
                        ignore=lambda d, names: ["build", ".git"] if d == TOP else [])
        return
    for f in files:
        src = os.path.join(TOP, f)
        if not os.path.lexists(src):    # deleted in the work tree, not yet in git
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, f), follow_symlinks=False)


def deb_path(name):
    """build/pkg/NAME_VERSION_ARCH.deb (the one of the last build)."""
    debs = [f for f in os.listdir(PKG_DIR) if f.startswith(name + "_") and f.endswith(".deb")]
    assert len(debs) == 1, debs
    return os.path.join(PKG_DIR, debs[0])


def deb_files(name):
    """Paths in a .deb (files and links, no directories), '/etc/...' form."""
    out = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb_path(name)], stdout=subprocess.PIPE,
                         check=True).stdout
    listing = subprocess.run(["tar", "-tv"], input=out, stdout=subprocess.PIPE, check=True).stdout
    paths = []
    for line in listing.decode().splitlines():
        if line.startswith("d"):
            continue
        path = line.split()[5]
        paths.append(path[1:] if path.startswith(".") else path)
    return paths


def deb_field(name, field):
    return subprocess.run(["dpkg-deb", "-f", deb_path(name), field], stdout=subprocess.PIPE,
                          text=True, check=True).stdout.strip()


def deb_control_file(name, member):
    res = subprocess.run(["dpkg-deb", "--ctrl-tarfile", deb_path(name)], stdout=subprocess.PIPE,
                         check=True)
    return subprocess.run(["tar", "-xO", "./" + member], input=res.stdout, stdout=subprocess.PIPE,
                          check=True).stdout.decode()


def build_packages():
    """dpkg-buildpackage -us -uc -b in a fresh copy; returns build/pkg.
    The build log is build/pkg/build.log."""
    shutil.rmtree(PKG_DIR, ignore_errors=True)
    src = os.path.join(PKG_DIR, "src")
    os.makedirs(PKG_DIR)
    copy_source(src)
    env = dict(os.environ)
    env["DEB_BUILD_OPTIONS"] = "nocheck parallel=%d" % min(os.cpu_count() or 1, 4)
    env["DEB_BUILD_PROFILES"] = "nocheck"
    log = os.path.join(PKG_DIR, "build.log")
    with open(log, "w") as f:
        res = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, stdout=f,
                             stderr=subprocess.STDOUT, env=env, timeout=1800)
    assert res.returncode == 0, open(log).read()[-5000:]
    return PKG_DIR

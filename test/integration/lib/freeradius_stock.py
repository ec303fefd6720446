# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's own FreeRADIUS configuration with our example applied, as an
administrator would (docs/radius.md, "Pointing l2tpd at FreeRADIUS or
NPS"): a copy of /etc/freeradius/3.0 (read, never changed) in the test's
folder, then the documented steps on the copy: docs/examples/radius/
freeradius/clients.conf appended to clients.conf, the virtual server
`l2tpd` in sites-available/ and linked from sites-enabled/, the example
users at the top of mods-config/files/authorize, and the inner-tunnel
server's reply copied out (its post-auth `if (0)` made `if (1)`) for PEAP.

What the test changes beyond the steps, and only in radiusd.conf of the
copy, is where the server lives: raddbdir (the copy), logdir and
localstatedir (the test's folder, so the detail files and the PID file
stay there), and no `user`/`group` switch (the copy is root's). Every
module, policy and site is Debian's stock one.
"""
import glob
import os
import re
import shutil
import subprocess

from .freeradius import FreeRadius, parse_detail
from .l2tpd import TOP

STOCK = "/etc/freeradius/3.0"
EXAMPLE = os.path.join(TOP, "docs", "examples", "radius")


def example_secret():
    """The shared secret of the example's client entry."""
    with open(os.path.join(EXAMPLE, "freeradius", "clients.conf")) as f:
        m = re.search(r"^\s*secret\s*=\s*(\S+)", f.read(), re.M)
    assert m, "no secret in the example clients.conf"
    return m.group(1)


class StockFreeRadius(FreeRadius):
    """freeradius -X on the stock configuration plus the example, in
    namespace ns; start(), stop() and proc as FreeRadius."""

    def __init__(self, stack, ns, name="freeradius-stock"):
        self.stack, self.ns, self.name = stack, ns, name
        self.root = os.path.join(stack.workdir, name)
        self.dir = os.path.join(self.root, "raddb")
        self.logdir = os.path.join(self.root, "log")
        self.proc = None
        self.runs = 0
        self.debug = True	# freeradius -X: the tests read its log
        shutil.copytree(STOCK, self.dir, symlinks=True)
        self._apply_example()
        self._relocate()

    def _apply_example(self):
        ex = os.path.join(EXAMPLE, "freeradius")
        with open(os.path.join(ex, "clients.conf")) as src, \
                open(os.path.join(self.dir, "clients.conf"), "a") as dst:
            dst.write("\n" + src.read())
        shutil.copy(os.path.join(ex, "l2tpd"), os.path.join(self.dir, "sites-available", "l2tpd"))
        os.symlink("../sites-available/l2tpd", os.path.join(self.dir, "sites-enabled", "l2tpd"))
        # PEAP: the inner tunnel's reply (the users file's items) goes to
        # the outer Access-Accept: its post-auth "if (0)" made "if (1)"
        inner = os.path.join(self.dir, "sites-available", "inner-tunnel")
        with open(inner) as f:
            text = f.read()
        assert text.count("\tif (0) {") == 1, "inner-tunnel: no single 'if (0) {'"
        with open(inner, "w") as f:
            f.write(text.replace("\tif (0) {", "\tif (1) {"))
        users = os.path.join(self.dir, "mods-config", "files", "authorize")
        with open(os.path.join(ex, "users")) as f:
            ours = f.read()
        with open(users) as f:
            stock = f.read()
        with open(users, "w") as f:
            f.write(ours + "\n" + stock)

    def _relocate(self):
        conf = os.path.join(self.dir, "radiusd.conf")
        with open(conf) as f:
            text = f.read()
        for key, value in (("raddbdir", self.dir), ("logdir", self.logdir),
                           ("localstatedir", self.root)):
            text, n = re.subn(r"^%s = .*$" % key, "%s = %s" % (key, value), text, flags=re.M)
            assert n == 1, "radiusd.conf: no single '%s = ' line" % key
        text, n = re.subn(r"^(\s*)(user|group) = ", r"\1# \2 = ", text, flags=re.M)
        assert n == 2, "radiusd.conf: no user/group lines"
        with open(conf, "w") as f:
            f.write(text)
        os.makedirs(os.path.join(self.logdir, "radacct"))
        os.makedirs(os.path.join(self.root, "run", "freeradius"))

    def check(self):
        """freeradius -XC: the configuration loads (its output)."""
        res = subprocess.run(["freeradius", "-XC", "-d", self.dir], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=120)
        return res.returncode, res.stdout

    def records(self):
        """The records of every detail file (the detail module writes one
        per NAS and day: radacct/<NAS address>/detail-YYYYMMDD), in order."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.logdir, "radacct", "*", "detail-*"))):
            with open(path) as f:
                out += parse_detail(f.read())
        return out

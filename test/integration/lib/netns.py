# SPDX-License-Identifier: GPL-2.0-or-later
"""Network namespaces, veth pairs and daemons for integration tests.

Everything a test creates is registered with a Stack, and Stack.close() tears
it all down in reverse order (processes first, then namespaces), also when
the test failed. Names carry the pid so parallel runs never collide.
Addresses come from the documentation ranges only (RFC 5737, RFC 3849).
"""
import os
import signal
import shutil
import subprocess
import tempfile
import time

PREFIX = "l2t%d" % os.getpid()


def run(cmd, check=True, ns=None, **kw):
    """Run a command (list), optionally inside namespace ns; return stdout."""
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns] + list(cmd)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, **kw)
    if check and res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (" ".join(cmd), res.returncode,
                                                     res.stdout, res.stderr))
    return res.stdout


def wait_for(what, predicate, timeout=60.0, interval=0.2):
    """Poll predicate until it returns a true value; fail naming what.

    The deadline only bounds a hung test: it is not a performance assertion.
    """
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:  # a probe that fails counts as "not yet"
            last = exc
            last_ok = False
        else:
            last_ok = bool(last)
        if last_ok:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s (last: %r)" % (timeout, what, last))


class Process:
    def __init__(self, name, popen, log_path):
        self.name = name
        self.popen = popen
        self.log_path = log_path

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def alive(self):
        return self.popen.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        if self.popen.poll() is not None:
            return self.popen.returncode
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            return self.popen.poll()
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            return self.popen.wait()


class Stack:
    """Owns namespaces and processes of one test; close() removes them all."""

    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.namespaces = []
        self.processes = []
        self.veth_count = 0
        # Sockets and FIFOs: never on 9p, which cannot hold them.
        self.sockdir = tempfile.mkdtemp(prefix=PREFIX + "-", dir="/tmp")

    def netns(self, short):
        name = "%s-%s" % (PREFIX, short)
        run(["ip", "netns", "add", name])
        self.namespaces.append(name)
        run(["ip", "link", "set", "lo", "up"], ns=name)
        return name

    def veth(self, ns_a, if_a, addr_a, ns_b, if_b, addr_b):
        """A veth pair between two namespaces, with addresses (CIDR) or None."""
        self.veth_count += 1
        tmp_a = "%s%da" % (PREFIX[:8], self.veth_count)
        tmp_b = "%s%db" % (PREFIX[:8], self.veth_count)
        run(["ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b])
        for tmp, ns, ifname, addr in ((tmp_a, ns_a, if_a, addr_a), (tmp_b, ns_b, if_b, addr_b)):
            run(["ip", "link", "set", tmp, "netns", ns])
            run(["ip", "link", "set", tmp, "name", ifname], ns=ns)
            if addr:
                run(["ip", "addr", "add", addr, "dev", ifname], ns=ns)
            run(["ip", "link", "set", ifname, "up"], ns=ns)

    def spawn(self, name, cmd, ns=None, env=None, wrap_private_run=False):
        """Start a daemon; its output goes to WORKDIR/NAME.out.

        wrap_private_run gives it a private mount namespace with a tmpfs on
        /run, so two instances of a daemon with fixed /run paths (charon)
        can run side by side.
        """
        log_path = os.path.join(self.workdir, name + ".out")
        if wrap_private_run:
            cmd = ["unshare", "-m", "sh", "-c",
                   'mount -t tmpfs run-%s /run && exec "$@"' % name, "sh"] + list(cmd)
        if ns is not None:
            cmd = ["ip", "netns", "exec", ns] + list(cmd)
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        out = open(log_path, "w")
        popen = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=full_env,
                                 start_new_session=True)
        out.close()
        proc = Process(name, popen, log_path)
        self.processes.append(proc)
        return proc

    def close(self):
        for proc in reversed(self.processes):
            proc.stop()
        # Anything else left in our namespaces (pppd started by xl2tpd...).
        for ns in self.namespaces:
            pids = run(["ip", "netns", "pids", ns], check=False).split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        for ns in reversed(self.namespaces):
            run(["ip", "netns", "del", ns], check=False)
        self.namespaces = []
        self.processes = []
        shutil.rmtree(self.sockdir, ignore_errors=True)


def leftover_namespaces():
    out = run(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX)]

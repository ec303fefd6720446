# SPDX-License-Identifier: GPL-2.0-or-later
"""Our daemon, l2tpd, as a test peer: config and policy files in the test's
work dir, the control socket in /tmp (never on 9p), started in a namespace,
and a small client for the control socket (the same protocol l2tpctl uses).
"""
import os
import socket
import textwrap

from .netns import wait_for

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLE_POLICY = os.path.join(TOP, "docs", "examples", "l2tpd", "policy.conf")

# Passwords of the example users (docs/examples/l2tpd/policy.conf).
PASSWORDS = {
    "alice": "Alice-Secret-1",
    "bob": "Bob-Secret-2",
    "carol": "Carol-Secret-3",
    "dave": "Dave-Secret-4",
    "erin": "Erin-Secret-5",
}


def build_dir():
    d = os.environ.get("L2TP_BUILD_DIR")
    if not d:
        raise RuntimeError("L2TP_BUILD_DIR is not set: run through ./run test")
    return d


class L2tpd:
    def __init__(self, stack, ns, listen, local_address="198.51.100.1", dataplane="auto",
                 policy_text=None, extra="", require_ipsec=False):
        self.stack, self.ns = stack, ns
        self.dir = os.path.join(stack.workdir, "l2tpd")
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(stack.sockdir, "l2tpd.sock")
        # the charon plugin connects here (docs/ipsec.md); never /run on the host
        self.ipsec_sock = os.path.join(stack.sockdir, "charon.sock")
        self.conf = os.path.join(self.dir, "l2tpd.conf")
        if policy_text is None:
            self.policy = EXAMPLE_POLICY
        else:
            self.policy = os.path.join(self.dir, "policy.conf")
            with open(self.policy, "w") as f:
                f.write(textwrap.dedent(policy_text))
        with open(self.conf, "w") as f:
            f.write(textwrap.dedent("""\
                l2tpd {
                    listen = %s
                    dataplane = %s
                    control_socket = %s
                    log_level = debug
                    require_ipsec = %s
                    ipsec_socket = %s
                    local_address = %s
                    %s
                }
                """) % (listen, dataplane, self.sock, "yes" if require_ipsec else "no",
                        self.ipsec_sock, local_address, extra))
        self.proc = None

    def start(self, env=None, wait=True):
        """Start l2tpd in its namespace; with wait, until it logs "ready".
        env: extra environment (NOTIFY_SOCKET, WATCHDOG_USEC for the
        systemd tests)."""
        exe = os.path.join(build_dir(), "l2tpd", "daemon", "l2tpd")
        self.proc = self.stack.spawn("l2tpd", [exe, "--config", self.conf, "--policy", self.policy],
                                     ns=self.ns, env=env)
        if not wait:
            return
        wait_for("l2tpd ready", lambda: "ready: control socket" in self.log() or not self.proc.alive(),
                 timeout=60)
        assert self.proc.alive(), self.log()

    def log(self):
        return self.proc.log() if self.proc else ""

    def ctl(self, request):
        """One request on the control socket; returns (ok, text)."""
        return ctl_request(self.sock, request)


def ctl_request(sock, request, timeout=10):
    """One request on a control socket (the protocol l2tpctl speaks, one
    line in, the reply until the daemon closes): (True, the text after
    "ok") or (False, the "error: ..." line). OSError when nobody answers."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock)
        s.sendall((request + "\n").encode())
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    text = b"".join(chunks).decode()
    first, _, rest = text.partition("\n")
    return first == "ok", rest if first == "ok" else first

#!/usr/bin/python3
"""The main job where the kernel lacks L2TP/PPP: inside the test VM, l2tpd
with the shipped example configuration serves a sample client (xl2tpd +
pppd, as on a Linux desktop) in a second network namespace. Its log streams
as it happens; then l2tpctl shows the session, a ping crosses, and the
administrator disconnects it. Run by `./run` through test/vm/vm-run."""
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "integration"))
from lib import peers  # noqa: E402
from lib.netns import Stack, run, wait_for  # noqa: E402
from lib.l2tpd import L2tpd, PASSWORDS, build_dir  # noqa: E402

SERVER, CLIENT, LOCAL = "192.0.2.1", "192.0.2.2", "198.51.100.1"


class Tail:
    """Print new lines of a file as they appear."""
    def __init__(self, path, prefix):
        self.path, self.prefix, self.pos = path, prefix, 0

    def poll(self):
        try:
            with open(self.path, errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except OSError:
            return
        for line in data.splitlines():
            if not line.startswith("xl2tpd["):
                print(self.prefix + line, flush=True)


def step(text):
    print("\n### " + text, flush=True)


def main():
    workdir = os.path.join(os.environ.get("VM_RESULTS", tempfile.mkdtemp()), "demo")
    os.makedirs(workdir, exist_ok=True)
    stack = Stack(workdir)
    ctl = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    try:
        step("network namespaces: server 192.0.2.1 <-> client 192.0.2.2")
        srv = stack.netns("server")
        cli = stack.netns("client")
        stack.veth(srv, "eth0", SERVER + "/24", cli, "eth0", CLIENT + "/24")

        step("l2tpd with docs/examples/l2tpd/policy.conf (kernel data path; no IPsec in this demo)")
        d = L2tpd(stack, srv, listen=SERVER, dataplane="kernel")
        d.start()
        tail = Tail(d.proc.log_path, "  l2tpd | ")
        tail.poll()

        step("a Linux desktop client (xl2tpd + pppd, MS-CHAPv2) connects as alice")
        peers.write_chap_secrets(sorted(PASSWORDS.items()))
        lac = peers.Xl2tpd(stack, cli, "client")
        log = os.path.join(workdir, "pppd-client.log")
        lac.configure_lac(CLIENT, SERVER, """
            user alice
            noauth
            refuse-pap
            refuse-chap
            refuse-mschap
            refuse-eap
            noccp
            nodefaultroute
            usepeerdns
            ipcp-accept-local
            ipcp-accept-remote
            logfile %s
            """ % log)
        lac.start()
        deadline = time.monotonic() + 60
        addr = None
        while time.monotonic() < deadline and not addr:
            tail.poll()
            addr = peers.ppp_addresses(cli)
            time.sleep(0.2)
        tail.poll()
        if not addr:
            print("the session did not come up; logs in", workdir)
            return 1
        print("  client | ppp0 %s peer %s" % addr, flush=True)

        step("ping from the client to the server's end of the link")
        print(run(["ping", "-c", "3", "-i", "0.3", "-w", "20", LOCAL], ns=cli, check=False), flush=True)

        step("l2tpctl status / sessions")
        for cmd in (["status"], ["sessions"]):
            out = subprocess.run([ctl, "--socket", d.sock] + cmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True).stdout
            print(out, flush=True)

        step("l2tpctl disconnect user alice")
        out = subprocess.run([ctl, "--socket", d.sock, "disconnect", "user", "alice"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        print(out, flush=True)
        wait_for("the client's link to go", lambda: peers.ppp_addresses(cli) is None, timeout=30)
        time.sleep(0.5)
        tail.poll()
        step("done: this is what l2tpd does for each client; see docs/operations.md")
        return 0
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())

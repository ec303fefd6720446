#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The main job where the kernel lacks L2TP/PPP/ESP: inside the test VM,
the shipped L2TP/IPsec server (docs/examples/ipsec/: l2tpd.conf with
require_ipsec = yes, charon with our plugin and swanctl.conf, the policy of
docs/examples/l2tpd/) serves a Windows-like client (charon with the shipped
client-swanctl.conf, then xl2tpd + pppd with MS-CHAPv2, as on a Linux
desktop) in a second network namespace. The logs stream as it happens; then
a ping crosses, l2tpctl shows the session with its IPsec identity, and the
administrator's disconnect ends the session and the client's IPsec.
Run by `./run` through test/vm/vm-run; the set-up is the tests' own
(test/integration/lib/ipsec_bed.py)."""
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "integration"))
from lib import peers  # noqa: E402
from lib.netns import Stack, run  # noqa: E402
from lib.l2tpd import build_dir  # noqa: E402
from lib.ipsec_bed import Bed, CLIENT, LOCAL, SERVER  # noqa: E402

# charon logs every IKE step at this level; show the milestones only
CHARON_SHOWN = ("l2tp:", "established", "initiating", "deleting", "closing", "received DELETE",
                "selected proposal", "authentication of", "CHILD_SA", "failed", "error")


class Tail:
    """Print new lines of a file as they appear (those matching `only`)."""
    def __init__(self, path, prefix, only=None):
        self.path, self.prefix, self.only, self.pos = path, prefix, only, 0

    def poll(self):
        try:
            with open(self.path, errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except OSError:
            return
        for line in data.splitlines():
            if line.startswith("xl2tpd["):
                continue
            if self.only and (not any(k in line for k in self.only) or "[LIB]" in line):
                continue
            print(self.prefix + line, flush=True)


def step(text):
    print("\n### " + text, flush=True)


def main():
    workdir = os.path.join(os.environ.get("VM_RESULTS", tempfile.mkdtemp()), "demo")
    os.makedirs(workdir, exist_ok=True)
    stack = Stack(workdir)
    ctl = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    tails = []

    def poll():
        for t in tails:
            t.poll()

    def l2tpctl(*args):
        print("$ l2tpctl " + " ".join(args), flush=True)
        out = subprocess.run([ctl, "--socket", bed.l2tpd.sock] + list(args),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        print(out, flush=True)

    def wait(what, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            poll()
            got = predicate()
            if got:
                return got
            time.sleep(0.2)
        poll()
        print("timed out waiting for %s; logs in %s" % (what, workdir), flush=True)
        return None

    try:
        step("server %s (l2tpd + charon with our plugin) <-> client %s (charon + xl2tpd + pppd)"
             % (SERVER, CLIENT))
        print("server: docs/examples/ipsec/l2tpd.conf (require_ipsec = yes), "
              "docs/examples/ipsec/swanctl.conf (l2tp-psk and l2tp-cert; certificates made "
              "with pki), docs/examples/l2tpd/policy.conf", flush=True)
        print("client: docs/examples/ipsec/client-swanctl.conf (IKEv1 main mode, PSK, "
              "like Windows)", flush=True)
        print("(setting up: pki makes a CA and the server's certificate, which takes a "
              "while under qemu)", flush=True)
        bed = Bed(stack, shipped=True)
        tails[:] = [Tail(bed.l2tpd.proc.log_path, "  l2tpd  | "),
                    Tail(bed.charon_srv.log, "  charon | ", CHARON_SHOWN)]
        poll()

        step("the client dials IPsec (swanctl --initiate): IKEv1 main mode, then quick mode "
             "for UDP/1701; the plugin reports the SAs to l2tpd")
        bed.charon_cli.initiate("l2tp")
        if not wait("l2tpd to learn the CHILD_SA",
                    lambda: "1 L2TP CHILD_SA" in bed.l2tpd.ctl("status")[1], 60):
            return 1

        step("L2TP and PPP inside ESP: xl2tpd + pppd (MS-CHAPv2) log in as alice")
        lac, log = bed.lac(bed.cli, CLIENT, user="alice")
        addr = wait("the client's ppp0", lambda: peers.ppp_addresses(bed.cli), 90)
        if not addr:
            return 1
        print("  client | ppp0 %s peer %s" % addr, flush=True)
        wait("pppd's DNS servers", lambda: "DNS address" in open(log).read(), 30)
        for line in open(log).read().splitlines():
            if "DNS address" in line or "local  IP address" in line:
                print("  pppd   | " + line, flush=True)

        step("ping from the client to the server's end of the link")
        print(run(["ping", "-c", "3", "-i", "0.3", "-w", "30", LOCAL], ns=bed.cli, check=False),
              flush=True)
        poll()

        step("on the wire between the namespaces")
        print("ESP packets: %d; L2TP (UDP 1701) datagrams in clear: %d"
              % (bed.esp_packets(), len(bed.udp_1701_in_clear())), flush=True)

        step("l2tpctl status / sessions: the session and its IPsec identity")
        l2tpctl("status")
        l2tpctl("sessions")

        step("l2tpctl disconnect user alice: the session ends, and l2tpd asks charon to "
             "delete the client's IKE SA")
        l2tpctl("disconnect", "user", "alice")
        wait("the client's link to go", lambda: peers.ppp_addresses(bed.cli) is None, 30)
        # only once the tunnel's StopCCN exchange is over (RFC 2661 5.7, about
        # 30 s): until then it travels in ESP (docs/security.md)
        wait("the client's IKE SA to go", lambda: "vpn:" not in bed.client_ike_sas(), 150)
        print("$ swanctl --list-sas   (client)", flush=True)
        print(bed.client_ike_sas() or "(no SAs)", flush=True)
        time.sleep(0.5)
        poll()
        step("done: this is what the shipped configuration does for each client; "
             "see docs/ipsec.md")
        return 0
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 with a real client (docs/addresses.md, "IPv6"): the Linux
desktop's L2TP client, xl2tpd + pppd with +ipv6, gets IPV6CP, then the
kernel on its ppp0 takes our Router Advertisement (accept_ra, as on any
host that is not a router) and forms its global address in the session's
/64 by SLAAC (RFC 4862), with a default route through our link-local
address; it pings an address of the server across the tunnel from that
address, so the reply proves the /64 is routed to the session's link.
Both data paths, in the test VM (the client needs the kernel's PPP)."""
import os
import re

import pytest

from lib.netns import run, wait_for
from lib import peers
from lib.l2tpd import L2tpd, PASSWORDS

from test_router_adv import policy

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
SERVER6 = "2001:db8:ff::1"      # an address of the server host, outside the pool


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def global_address(ns):
    """The ppp0's global IPv6 address once DAD is over, or None."""
    out = run(["ip", "-6", "-o", "addr", "show", "dev", "ppp0", "scope", "global"], ns=ns,
              check=False)
    for line in out.split("\n"):
        m = re.search(r"inet6 (\S+)/64", line)
        if m and "tentative" not in line:
            return m.group(1)
    return None


@pytest.mark.vm
@pytest.mark.parametrize("dataplane", ["kernel", "userspace"])
def test_pppd_autoconfigures_from_our_advertisement_and_pings_across(stack, dataplane):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    run(["ip", "-6", "addr", "add", SERVER6 + "/128", "dev", "lo"], ns=srv)
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane, policy_text=policy())
    d.start()
    peers.write_chap_secrets(sorted(PASSWORDS.items()))
    # a host, not a router: the kernel takes advertisements on ppp0
    run(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=0",
         "net.ipv6.conf.default.accept_ra=1", "net.ipv6.conf.default.autoconf=1"], ns=cli)
    log = os.path.join(stack.workdir, "pppd.log")
    lac = peers.Xl2tpd(stack, cli, "xl2tpd-lac")
    lac.configure_lac(CLIENT, SERVER, peers.pppd_lac_options("alice", log) + "+ipv6\n")
    lac.start()
    addr = wait_for("a global address on ppp0 by SLAAC", lambda: global_address(cli), timeout=90)
    assert addr.startswith("2001:db8:1:"), addr
    routes = run(["ip", "-6", "route", "show", "default"], ns=cli)
    assert re.search(r"default via fe80::\S+ dev ppp0 proto ra", routes), routes
    # the RDNSS option: pppd does not write it anywhere; the kernel's
    # advertisement parsing is what counts here, the option is checked by
    # the host test with our client
    out = run(["ping", "-6", "-c", "3", "-i", "0.3", "-w", "20", "-I", addr, SERVER6], ns=cli)
    assert "3 received" in out, out + d.log() + read(log)
    lac.proc.stop()
    wait_for("the session's prefix route gone", lambda: "2001:db8:1:" not in run(
        ["ip", "-6", "route", "show", "root", "2001:db8:1::/48"], ns=srv), timeout=30)

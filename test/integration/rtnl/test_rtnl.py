# SPDX-License-Identifier: GPL-2.0-or-later
"""The one rtnetlink client (lib/rtnl.h), against the kernel, in a namespace
this test creates: the semantics docs/development.md ("The rtnetlink
client") chose where the two data planes' copies disagreed.

- A point-to-point address is added with CREATE|REPLACE: adding it twice is
  not an error, and a renegotiated IPv6 peer moves the peer route (with
  CREATE|EXCL, which the userspace copy used, the second add fails with
  EEXIST, and ignoring that left the old peer's route).
- The LAN of a pool address needs a connected *unicast* route: the LAN's
  broadcast address also has a gateway-less route through the LAN (type
  broadcast), and the copy without the RTN_UNICAST check took it for a
  client address to proxy-ARP.
- Errors are the kernel's own errno.
"""
import errno
import os

import pytest

from lib.l2tpd import build_dir
from lib.netns import run

pytestmark = pytest.mark.netns

LAN = "192.0.2.1/24"


def tool(ns, *args, check=True):
    path = os.path.join(build_dir(), "test", "tools", "rtnl", "rtnl-tool")
    out = run(["ip", "netns", "exec", ns, path] + [str(a) for a in args], check=False).strip()
    if check:
        assert out == "ok", "%s: %s" % (" ".join(map(str, args)), out)
    return out


@pytest.fixture
def ns(stack):
    """lan0: a broadcast LAN with 192.0.2.0/24; ptp0: the session's
    interface stand-in (a veth, up, no address)."""
    a, b = stack.netns("rtnl"), stack.netns("rtpeer")
    stack.veth(a, "lan0", LAN, b, "eth0", "192.0.2.254/24")
    stack.veth(a, "ptp0", None, b, "eth1", None)
    return a


def addrs6(ns, dev):
    return run(["ip", "-6", "-o", "addr", "show", "dev", dev], ns=ns)


def routes6(ns, dev):
    return run(["ip", "-6", "route", "show", "dev", dev], ns=ns)


def test_ipv4_point_to_point_address_adds_twice_and_routes_the_peer(ns):
    tool(ns, "addr", "add", "ptp0", "198.51.100.1", "198.51.100.2", 32)
    tool(ns, "addr", "add", "ptp0", "198.51.100.1", "198.51.100.2", 32)  # IPCP again
    out = run(["ip", "-4", "-o", "addr", "show", "dev", "ptp0"], ns=ns)
    assert out.count("inet 198.51.100.1 peer 198.51.100.2/32") == 1, out
    assert "scope global" in out
    assert "198.51.100.2 proto kernel" in run(["ip", "route", "show", "dev", "ptp0"], ns=ns)
    tool(ns, "addr", "del", "ptp0", "198.51.100.1", "198.51.100.2", 32)
    assert "198.51.100.1" not in run(["ip", "-4", "-o", "addr", "show", "dev", "ptp0"], ns=ns)


def test_ipv6_link_local_peer_is_replaced_on_renegotiation(ns):
    tool(ns, "addr", "add", "ptp0", "fe80::1", "fe80::2", 128, "nodad")
    out = addrs6(ns, "ptp0")
    assert "fe80::1 peer fe80::2/128 scope link nodad" in out, out
    # IPV6CP renegotiated: same local identifier, a new peer identifier.
    tool(ns, "addr", "add", "ptp0", "fe80::1", "fe80::3", 128, "nodad")
    out = addrs6(ns, "ptp0")
    assert "fe80::1 peer fe80::3/128" in out, out
    assert "fe80::2" not in out, out
    r = routes6(ns, "ptp0")
    assert "fe80::3 proto kernel" in r and "fe80::2 " not in r, r


def test_lan_lookup_takes_a_unicast_address_on_the_lan(ns):
    out = tool(ns, "lan", "192.0.2.77", check=False)
    assert out.startswith("ifindex ") and out.endswith(" lan0"), out
    # ... but not through the interface the session itself uses
    assert tool(ns, "lan", "192.0.2.77", "lan0", check=False) == "error %d" % -errno.ENETUNREACH


def test_lan_lookup_behind_the_sessions_own_peer_route_is_the_connected_subnet(ns):
    # Proxy ARP turned on for a session already up (a reload): the FIB
    # answers with the session's /32 peer route, the LAN is the connected
    # subnet that holds the address.
    run(["ip", "route", "add", "192.0.2.77/32", "dev", "ptp0"], ns=ns)
    assert "dev ptp0" in run(["ip", "route", "get", "192.0.2.77"], ns=ns)
    out = tool(ns, "lan", "192.0.2.77", "ptp0", check=False)
    assert out.startswith("ifindex ") and out.endswith(" lan0"), out
    # Not when the subnet's broadcast or our own address is behind it.
    run(["ip", "route", "add", "192.0.2.255/32", "dev", "ptp0"], ns=ns)
    unreach = "error %d" % -errno.ENETUNREACH
    assert tool(ns, "lan", "192.0.2.255", "ptp0", check=False) == unreach
    # Nor outside every connected subnet.
    run(["ip", "route", "add", "203.0.113.9/32", "dev", "ptp0"], ns=ns)
    assert tool(ns, "lan", "203.0.113.9", "ptp0", check=False) == unreach


def test_lan_lookup_refuses_the_lans_broadcast_address(ns):
    # The FIB has a gateway-less route to it through lan0 (type broadcast).
    assert "broadcast 192.0.2.255 dev lan0" in run(["ip", "route", "get", "192.0.2.255"], ns=ns)
    assert tool(ns, "lan", "192.0.2.255", check=False) == "error %d" % -errno.ENETUNREACH


def test_lan_lookup_refuses_our_own_routed_and_unreachable_addresses(ns):
    unreach = "error %d" % -errno.ENETUNREACH
    assert tool(ns, "lan", "192.0.2.1", check=False) == unreach       # ours (local, lo)
    run(["ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.254"], ns=ns)
    assert tool(ns, "lan", "203.0.113.9", check=False) == unreach     # via a gateway
    assert tool(ns, "lan", "198.18.0.1", check=False) == unreach      # no route at all
    run(["ip", "link", "set", "lan0", "down"], ns=ns)
    assert tool(ns, "lan", "192.0.2.77", check=False) == unreach      # LAN down


def test_proxy_neighbour_and_route_add_replace_and_delete_idempotently(ns):
    tool(ns, "neigh", "add", "lan0", "192.0.2.50")
    tool(ns, "neigh", "add", "lan0", "192.0.2.50")
    assert "192.0.2.50 dev lan0" in run(["ip", "neigh", "show", "proxy"], ns=ns)
    tool(ns, "neigh", "del", "lan0", "192.0.2.50")
    tool(ns, "neigh", "del", "lan0", "192.0.2.50")      # gone already: fine
    assert "192.0.2.50" not in run(["ip", "neigh", "show", "proxy"], ns=ns)

    tool(ns, "route", "add", "ptp0", "10.9.0.0", 16)
    tool(ns, "route", "add", "lan0", "10.9.0.0", 16)    # a newer session takes it over
    out = run(["ip", "route", "show", "10.9.0.0/16"], ns=ns)
    assert "dev lan0" in out and "proto static" in out and "scope link" in out, out
    tool(ns, "route", "del", "ptp0", "10.9.0.0", 16)    # not ours any more: stays
    assert "dev lan0" in run(["ip", "route", "show", "10.9.0.0/16"], ns=ns)
    tool(ns, "route", "del", "lan0", "10.9.0.0", 16)
    tool(ns, "route", "del", "lan0", "10.9.0.0", 16)    # gone already: fine
    assert run(["ip", "route", "show", "10.9.0.0/16"], ns=ns).strip() == ""


def test_errors_are_the_kernels_errno(ns):
    # a host bit in a route prefix: the kernel's EINVAL, not libnl's EIO
    assert tool(ns, "route", "add", "ptp0", "10.9.0.1", 16, check=False) == \
        "error %d" % -errno.EINVAL
    # deleting an address that is not there: EADDRNOTAVAIL from the kernel
    assert tool(ns, "addr", "del", "ptp0", "198.51.100.7", "198.51.100.8", 32, check=False) == \
        "error %d" % -errno.EADDRNOTAVAIL

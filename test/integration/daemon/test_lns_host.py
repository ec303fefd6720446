# SPDX-License-Identifier: GPL-2.0-or-later
"""l2tpd with our LAC + PPP client as the peer, in network namespaces:
logins, refusals with their codes, limits, timeouts, l2tpctl, reload,
restart, framed routes.

Each test runs on the data planes it names through the `net` fixture: the
userspace one on this host's kernel (no L2TP, no PPP), and, where the
issue asks for it, the kernel one in the test VM (the `vm` mark on that
parameter; `./run test` runs those there). Tests that exercise only the
daemon's logic stay on the userspace path (`net` parametrized with
"userspace" alone)."""
import datetime
import json
import os
import re
import signal
import subprocess
import time

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY, build_dir
from lib.client import run_client, by_event, client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"

BOTH_PLANES = ["userspace", pytest.param("kernel", marks=pytest.mark.vm)]
USERSPACE_ONLY = pytest.mark.parametrize("net", ["userspace"], indirect=True)
# A session's interface: l2tpN (userspace, TUN) or pppN (kernel).
IFACE = r"(?:l2tp|ppp)[0-9-]+"


class Net(tuple):
    """(server namespace, client namespace), and the data plane in use."""
    dataplane = None


@pytest.fixture(params=BOTH_PLANES)
def net(request, stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    n = Net((srv, cli))
    n.dataplane = request.param
    return n


def start(stack, net, **kw):
    d = L2tpd(stack, net[0], listen=SERVER, dataplane=net.dataplane, **kw)
    d.start()
    return d


def l2tpctl(d, *args):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "--socket", d.sock] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=20)
    return res.returncode, res.stdout, res.stderr


def l2tpctl_json(d, *args):
    exe = os.path.join(build_dir(), "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "--json", "--socket", d.sock] + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=20)
    return res.returncode, res.stdout, res.stderr


def tun_links(ns):
    """Session interfaces left in a namespace: l2tpN TUN devices or pppN units."""
    return [l for l in run(["ip", "-o", "link", "show"], ns=ns).splitlines()
            if re.match(r"\d+: %s[:@]" % IFACE, l)]


def pool_addresses(ns):
    """Addresses of the example pool or our link address still configured."""
    return [l for l in run(["ip", "-o", "-4", "addr", "show"], ns=ns).splitlines()
            if "198.51.100." in l]


@pytest.mark.netns
def test_login_gets_address_dns_wins_and_ping_crosses(stack, net):
    srv, cli = net
    d = start(stack, net)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL)
    assert rc == 0, out
    up = by_event(recs, "up")
    assert len(up) == 1, out
    s = up[0]
    assert s["auth"] == "MS-CHAPv2" and s["auth_result"] == "ok", s
    assert s["addr"].startswith("198.51.100.") and s["peer_addr"] == LOCAL, s
    assert s["dns"] == ["192.0.2.53", "192.0.2.54"] and s["nbns"] == ["192.0.2.55"], s
    # Three replies; the kernel path may lose the very first request while
    # the interface comes up, and the client then sends one more.
    assert s["ping_recv"] == 3 and s["ping_sent"] >= 3, s
    assert re.search(r"session \d+/\d+ up: user 'alice' peer 192\.0\.2\.2:\d+ address %s "
                     r"interface %s policy 'staff'" % (re.escape(s["addr"]), IFACE), d.log()), d.log()
    # The client left: the session is gone and its address back in the pool.
    wait_for("session gone", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    # Interfaces may be deleted off the event loop (TUN deletion is slow).
    wait_for("no session interfaces", lambda: tun_links(srv) == [], timeout=30)
    rc2, recs2, out2 = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc2 == 0 and by_event(recs2, "up")[0]["addr"] == s["addr"], out2


UDP_SEND = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
try:
    s.sendto(b"\\xc8\\x02" + bytes(10), (sys.argv[3], 1701))
    print("sent")
except PermissionError:
    print("EPERM")
"""


def cleartext_status(d):
    ok, text = d.ctl("status")
    assert ok, text
    m = re.search(r"^cleartext L2TP dropped: (\d+)$", text, re.M)
    ok, js = d.ctl("json status")
    assert ok, js
    return (int(m.group(1)) if m else None), json.loads(js)["cleartext_l2tp_dropped"]


@USERSPACE_ONLY
def test_require_ipsec_drops_and_counts_l2tp_leaving_without_ipsec(stack, net):
    """docs/security.md "Nothing in clear": with require_ipsec = yes an L2TP
    datagram from port 1701 whose route is no IPsec transform never leaves
    (here there is no IPsec at all); without it, no rule."""
    srv, cli = net
    d = start(stack, net, require_ipsec=True)
    assert cleartext_status(d) == (0, 0)
    assert "rt ipsec missing" in run(["nft", "list", "chain", "inet", "l2tpd",
                                      "cleartext_guard"], ns=srv)
    assert run(["/usr/bin/python3", "-c", UDP_SEND, SERVER, "1701", CLIENT], ns=srv).strip() \
        == "EPERM"
    assert cleartext_status(d) == (1, 1)
    # other ports are not its business
    assert run(["/usr/bin/python3", "-c", UDP_SEND, SERVER, "1702", CLIENT], ns=srv).strip() \
        == "sent"
    assert cleartext_status(d) == (1, 1)
    d.proc.stop()
    d2 = L2tpd(stack, srv, listen=SERVER, dataplane=net.dataplane)
    d2.start()
    assert cleartext_status(d2) == (None, None)
    assert "cleartext_guard" not in run(["nft", "list", "ruleset"], ns=srv)
    assert run(["/usr/bin/python3", "-c", UDP_SEND, SERVER, "1701", CLIENT], ns=srv).strip() \
        == "sent"


@USERSPACE_ONLY
@pytest.mark.netns
@pytest.mark.parametrize("user,password,code", [
    ("alice", "Not-Her-Password", 691),
    ("mallory", "Whatever-1", 691),
    ("bob", PASSWORDS["bob"], 649),
    ("carol", PASSWORDS["carol"], 647),
    ("dave", PASSWORDS["dave"], 648),
])
def test_refusal_carries_the_mschapv2_code(stack, net, user, password, code):
    srv, cli = net
    d = start(stack, net)
    rc, recs, out = run_client(cli, SERVER, user, password)
    assert rc == 1, out
    failed = by_event(recs, "failed")
    assert len(failed) == 1 and failed[0]["auth_code"] == code, out
    assert re.search(r"user '?%s'? .*E=%d" % (user, code), d.log()), d.log()
    ok, st = d.ctl("json status")
    assert json.loads(st)["auth_failures"] == 1, st


@USERSPACE_ONLY
@pytest.mark.netns
def test_outside_allowed_hours_is_646(stack, net):
    srv, cli = net
    d = start(stack, net, policy_text=policy_outside_now())
    rc, recs, out = run_client(cli, SERVER, "erin", PASSWORDS["erin"])
    assert rc == 1 and by_event(recs, "failed")[0]["auth_code"] == 646, out


def policy_outside_now(permission="grant"):
    """The example policy with the contractors' window moved to the three
    hours starting two hours ahead (UTC): it excludes now whenever the test
    runs, so the outcome never depends on the hour. (The daemon has no
    clock to inject, and libfaketime cannot stand in: its timerfd_settime
    shifts sd-event's monotonic deadlines, which then fail with EINVAL.)"""
    now = datetime.datetime.utcnow()
    start_h = (now.hour + 2) % 24
    end_h = (now.hour + 5) % 24
    policy = open(EXAMPLE_POLICY).read().replace(
        "time = Mon-Fri 08:00-18:00     # E=646 outside these hours\n"
        "        }\n"
        "        permission = grant",
        "time = Mon-Sun %02d:00-%02d:00\n"
        "        }\n"
        "        permission = %s" % (start_h, end_h, permission)).replace(
        "default_dial_in = deny", "default_dial_in = deny\n    timezone = UTC")
    assert "Mon-Sun" in policy and "timezone = UTC" in policy
    return policy


@USERSPACE_ONLY
@pytest.mark.netns
def test_deny_policy_out_of_its_window_is_649_not_646(stack, net):
    # A deny policy's window failing is no reason for "outside allowed
    # hours": nothing would have admitted erin, so 649 (no-matching-policy).
    srv, cli = net
    d = start(stack, net, policy_text=policy_outside_now("deny"))
    rc, recs, out = run_client(cli, SERVER, "erin", PASSWORDS["erin"])
    assert rc == 1 and by_event(recs, "failed")[0]["auth_code"] == 649, out
    assert "no-matching-policy" in d.log(), d.log()


@USERSPACE_ONLY
@pytest.mark.netns
def test_pattern_at_its_match_limit_refuses_with_649(stack, net):
    # A deny policy whose pattern gives up on this name cannot be skipped:
    # the staff policy after it must not admit the user (fail closed).
    srv, cli = net
    name = "a" * 40 + "b"
    policy = open(EXAMPLE_POLICY).read().replace(
        "users {\n",
        "users {\n    %s {\n        nt_hash = 15c5ffc601cf71efef58296f81a4593d\n"
        "        dial_in = policy\n        groups = staff\n    }\n" % name, 1).replace(
        "policies {\n",
        "policies {\n    slow-pattern {\n        conditions { user = ~\"^(a|aa)+$\" }\n"
        "        permission = deny\n    }\n", 1)
    assert "slow-pattern" in policy and name in policy
    d = start(stack, net, policy_text=policy)
    rc, recs, out = run_client(cli, SERVER, name, PASSWORDS["erin"])
    assert rc == 1 and by_event(recs, "failed")[0]["auth_code"] == 649, out
    assert "condition-error" in d.log(), d.log()


@pytest.mark.netns
def test_ports_limit_refuses_the_next_session_with_cdn_result_4(stack, net):
    srv, cli = net
    d = start(stack, net, extra="limits {\n sessions = 2\n }")
    rc, recs, out = run_client(cli, SERVER, "user{n}", "x", "--sessions", "3", "--auth", "any")
    # Two calls get PPP (and fail authentication: no such users), the third
    # is refused by the L2TP layer for lack of ports.
    failed = by_event(recs, "failed")
    assert len(failed) == 3, out
    refused = [r for r in failed if r.get("l2tp_result") == 4]
    assert len(refused) == 1, out
    # ... and the administrator reads why in one line.
    assert re.search(r"incoming call from 192\.0\.2\.2:\d+ refused with CDN result 4: "
                     r"all ports in use \(2 of 2 ports in use", d.log()), d.log()


@pytest.mark.netns
def test_max_sessions_per_user_from_the_profile(stack, net):
    srv, cli = net
    d = start(stack, net)
    # The staff profile allows 2 sessions per user; the third is refused.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--sessions", "3",
                               "--rate", "1")
    assert len(by_event(recs, "up")) == 2, out
    assert len(by_event(recs, "failed")) == 1, out
    assert "too-many-sessions" in d.log() or "max_sessions" in d.log(), d.log()


@pytest.mark.netns
def test_l2tpctl_status_sessions_and_disconnect(stack, net):
    srv, cli = net
    d = start(stack, net)
    holder = stack.spawn("client-alice", [client_path(), "--server", SERVER, "--user", "alice",
                                          "--password", PASSWORDS["alice"], "--hold-forever",
                                          "--json"], ns=cli)
    wait_for("alice up", lambda: '"event":"up"' in holder.log().replace(" ", ""), timeout=30)
    rc, out, err = l2tpctl(d, "status")
    assert rc == 0 and "ports:     1 in use of 128" in out, out + err
    rc, out, err = l2tpctl(d, "sessions")
    assert rc == 0 and re.search(r"alice\s+192\.0\.2\.2:\d+\s+198\.51\.100\.\d+\s+%s\s+up" % IFACE, out), out
    rc, out, err = l2tpctl_json(d, "sessions")
    sessions = json.loads(out)
    assert rc == 0 and [s["user"] for s in sessions] == ["alice"], out + err
    rc, out, err = l2tpctl(d, "disconnect", "user", "nobody")
    assert rc == 1 and "no session" in err, (out, err)
    rc, out, err = l2tpctl(d, "disconnect", "user", "alice")
    assert rc == 0, err
    wait_for("the client sees its session end", lambda: not holder.alive() or '"event":"down"'
             in holder.log().replace(" ", ""), timeout=30)
    wait_for("no sessions", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    # Interfaces may be deleted off the event loop (TUN deletion is slow).
    wait_for("no session interfaces", lambda: tun_links(srv) == [], timeout=30)


@USERSPACE_ONLY
@pytest.mark.netns
def test_reload_applies_a_good_policy_and_keeps_the_old_on_error(stack, net):
    srv, cli = net
    policy = open(EXAMPLE_POLICY).read()
    d = start(stack, net, policy_text=policy)
    rc, recs, out = run_client(cli, SERVER, "bob", PASSWORDS["bob"])
    assert rc == 1, out
    # A broken file: refused with file:line:col, the running policy stays.
    with open(d.policy, "w") as f:
        f.write(policy.replace("pools {", "pools {{"))
    rc, out, err = l2tpctl(d, "reload")
    assert rc == 1 and re.search(r"policy\.conf:\d+:\d+: ", err), err
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out
    # Bob is allowed now: the reload takes effect for new logins.
    with open(d.policy, "w") as f:
        f.write(policy.replace("dial_in = deny                  # E=649: no dial-in permission",
                               "dial_in = allow"))
    rc, out, err = l2tpctl(d, "reload")
    assert rc == 0 and "policy reloaded" in out, out + err
    rc, recs, out = run_client(cli, SERVER, "bob", PASSWORDS["bob"])
    assert rc == 0, out


@USERSPACE_ONLY
@pytest.mark.netns
def test_many_sessions_each_with_its_own_ping(stack, net):
    srv, cli = net
    policy = open(EXAMPLE_POLICY).read().replace("max_sessions = 2", "max_sessions = 100")
    d = start(stack, net, policy_text=policy)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--sessions", "40",
                               "--tunnels", "4", "--separate-ports", "--ping", LOCAL,
                               "--ping-count", "2", timeout=120)
    assert rc == 0, out
    up = by_event(recs, "up")
    assert len(up) == 40, out
    assert len({r["addr"] for r in up}) == 40, out
    assert all(r["ping_recv"] == 2 for r in up), out


@pytest.mark.netns
def test_daemon_killed_and_restarted_leaves_nothing_behind(stack, net):
    srv, cli = net
    d = start(stack, net)
    holder = stack.spawn("client-hold", [client_path(), "--server", SERVER, "--user", "alice",
                                         "--password", PASSWORDS["alice"], "--hold-forever",
                                         "--json"], ns=cli)
    wait_for("alice up", lambda: '"event":"up"' in holder.log().replace(" ", ""), timeout=30)
    assert len(tun_links(srv)) == 1
    assert pool_addresses(srv) != []
    d.proc.stop(signal.SIGKILL)
    # Nothing the daemon made outlives it: the TUN devices (closed fds) or
    # the ppp units, their addresses, and the kernel's L2TP tunnels (bound
    # to the daemon's sockets).
    wait_for("session interfaces gone with the process", lambda: tun_links(srv) == [], timeout=30)
    wait_for("their addresses gone", lambda: pool_addresses(srv) == [], timeout=30)
    if net.dataplane == "kernel":
        wait_for("kernel L2TP tunnels gone",
                 lambda: run(["ip", "l2tp", "show", "tunnel"], ns=srv).strip() == "", timeout=30)
    holder.stop()
    d.start()
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL)
    assert rc == 0, out
    wait_for("no sessions", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    wait_for("no interfaces after the clean end", lambda: tun_links(srv) == [], timeout=30)


def held_client(stack, cli, name, user="alice", extra=()):
    return stack.spawn(name, [client_path(), "--server", SERVER, "--user", user,
                              "--password", PASSWORDS[user], "--hold-forever", "--json"]
                       + list(extra), ns=cli)


def client_events(proc, event):
    out = []
    for line in proc.log().splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            if r.get("event") == event:
                out.append(r)
    return out


@pytest.mark.netns
@pytest.mark.parametrize("key,reason", [("session_timeout", "session timeout"),
                                        ("idle_timeout", "idle timeout")])
def test_profile_timeouts_end_the_session(stack, net, key, reason):
    srv, cli = net
    policy = open(EXAMPLE_POLICY).read().replace(
        "idle_timeout = 30m", "%s = 3s" % key)
    assert "%s = 3s" % key in policy
    d = start(stack, net, policy_text=policy)
    holder = held_client(stack, cli, "client-" + key)
    wait_for("alice up", lambda: client_events(holder, "up"), timeout=30)
    # The server ends it (the deadline below only bounds a hung test).
    wait_for("the server to end the session", lambda: client_events(holder, "down"), timeout=30)
    # The client hears the CDN before the daemon has freed the session
    # (the kernel plane deletes its interface first) and logged it down.
    down = r"session \d+/\d+ down: user 'alice' .*: %s" % reason
    wait_for("the session's down line", lambda: re.search(down, d.log()))
    wait_for("no sessions", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    # Interfaces may be deleted off the event loop (TUN deletion is slow).
    wait_for("no session interfaces", lambda: tun_links(srv) == [], timeout=30)


@USERSPACE_ONLY
@pytest.mark.netns
def test_a_silent_client_is_found_dead_by_lcp_echo(stack, net):
    srv, cli = net
    d = start(stack, net, extra="timers {\n lcp_echo_interval = 1s\n lcp_echo_failures = 2\n }")
    holder = held_client(stack, cli, "client-silent")
    wait_for("alice up", lambda: client_events(holder, "up"), timeout=30)
    # Freeze the client: it answers nothing any more, LCP echoes included.
    os.kill(holder.popen.pid, signal.SIGSTOP)
    try:
        wait_for("the server to drop the dead peer",
                 lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0, timeout=30)
    finally:
        os.kill(holder.popen.pid, signal.SIGCONT)
    assert re.search(r"session \d+/\d+ down: user 'alice' .*(echo|dead)", d.log(), re.I), d.log()
    # Interfaces may be deleted off the event loop (TUN deletion is slow).
    wait_for("no session interfaces", lambda: tun_links(srv) == [], timeout=30)


@pytest.mark.netns
def test_reload_with_sessions_up_keeps_them_and_their_addresses(stack, net):
    srv, cli = net
    policy = open(EXAMPLE_POLICY).read().replace("max_sessions = 2", "max_sessions = 100")
    d = start(stack, net, policy_text=policy)
    holder = held_client(stack, cli, "client-many", extra=["--sessions", "20", "--tunnels", "2",
                                                            "--separate-ports"])
    wait_for("20 sessions up", lambda: len(client_events(holder, "up")) == 20, timeout=60)
    before = {s["address"] for s in json.loads(d.ctl("json sessions")[1])}
    assert len(before) == 20
    for _ in range(3):
        ok, text = d.ctl("reload")
        assert ok, text
    after = {s["address"] for s in json.loads(d.ctl("json sessions")[1])}
    assert after == before
    assert client_events(holder, "down") == []
    # A new login gets an address none of the 20 holds: the leases survived.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL)
    assert rc == 0, out
    assert by_event(recs, "up")[0]["addr"] not in before, out


FRAMED = ["10.77.0.0/24", "10.78.1.0/28"]


def framed_policy():
    policy = open(EXAMPLE_POLICY).read().replace(
        "        groups = staff\n    }\n    bob {",
        "        groups = staff\n        routes = %s\n    }\n    bob {" % ", ".join(FRAMED), 1)
    assert "routes = 10.77.0.0/24" in policy
    return policy


def routes_to(ns, prefix):
    return run(["ip", "-o", "route", "show", prefix], ns=ns).strip()


def summary(proc):
    for line in reversed(proc.log().splitlines()):
        if line.startswith("{") and '"summary"' in line:
            return json.loads(line)
    return None


@pytest.mark.netns
def test_framed_routes_follow_the_session_and_carry_traffic_to_the_client(stack, net):
    srv, cli = net
    d = start(stack, net, policy_text=framed_policy())
    holder = held_client(stack, cli, "client-framed")
    wait_for("alice up", lambda: client_events(holder, "up"), timeout=60)
    sess = json.loads(d.ctl("json sessions")[1])
    assert len(sess) == 1, sess
    ifname = sess[0]["interface"]
    assert sess[0]["framed_routes"] == FRAMED, sess
    # The user's routes point at her session's interface.
    for prefix in FRAMED:
        r = wait_for("route %s" % prefix, lambda: routes_to(srv, prefix), timeout=30)
        assert r.startswith(prefix) and ("dev %s " % ifname) in r + " ", r
    # Traffic to an address in a framed network goes down her session:
    # the server sends it, the client receives it (an echo request it
    # does not answer: it counts it as `echo_not_echo_reply`).
    before = sess[0]["tx_packets"]
    run(["ping", "-c", "3", "-i", "0.2", "-W", "1", "10.77.0.5"], ns=srv, check=False)
    after = json.loads(d.ctl("json sessions")[1])[0]["tx_packets"]
    assert after - before >= 3, (before, after)
    holder.stop()
    drops = (summary(holder) or {}).get("drops") or {}
    assert drops.get("echo_not_echo_reply", 0) >= 3, holder.log()
    # The session ended: its routes are gone with it.
    wait_for("no sessions", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    for prefix in FRAMED:
        assert routes_to(srv, prefix) == ""
    assert re.search(r"framed route 10\.77\.0\.0/24 dev %s" % re.escape(ifname), d.log()), d.log()


@USERSPACE_ONLY
@pytest.mark.netns
def test_shared_tun_mode_from_l2tpd_conf_carries_every_session(stack, net):
    srv, cli = net
    policy = open(EXAMPLE_POLICY).read().replace("max_sessions = 2", "max_sessions = 10")
    d = start(stack, net, policy_text=policy,
              extra="userspace {\n tun = shared\n shared_interface = vpn-shared\n }")
    assert "one shared TUN vpn-shared" in d.log(), d.log()
    holder = held_client(stack, cli, "client-shared", extra=["--sessions", "3", "--ping", LOCAL])
    wait_for("3 sessions up", lambda: len(client_events(holder, "up")) == 3, timeout=60)
    up = client_events(holder, "up")
    assert all(r["ping_recv"] == 3 for r in up), up
    sess = json.loads(d.ctl("json sessions")[1])
    assert {s["interface"] for s in sess} == {"vpn-shared"}, sess
    # One device for all, one /32 route per client through it.
    links = [l for l in run(["ip", "-o", "link", "show"], ns=srv).splitlines() if "vpn-shared" in l]
    assert len(links) == 1 and tun_links(srv) == [], links
    for r in up:
        assert "dev vpn-shared" in routes_to(srv, r["addr"]), routes_to(srv, r["addr"])
    holder.stop()
    wait_for("no sessions", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    for r in up:
        assert routes_to(srv, r["addr"]) == ""


def filtered_policy(filters):
    """The example policy with packet filters in the staff profile."""
    policy = open(EXAMPLE_POLICY).read().replace(
        "            max_sessions = 2\n",
        "            max_sessions = 2\n" + filters, 1)
    assert filters in policy
    return policy


def nft_map(ns, name):
    return run(["nft", "list", "map", "inet", "l2tpd", name], ns=ns, check=False)


@pytest.mark.netns
def test_filter_in_permits_its_rule_and_drops_the_rest(stack, net):
    srv, cli = net
    # From the client: ICMP to the server's link address only.
    d = start(stack, net, policy_text=filtered_policy("""\
            filter_in {
                default = deny
                ping-server {
                    action = permit
                    protocol = icmp
                    destination = 198.51.100.1/32
                }
            }
"""))
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL)
    assert rc == 0 and by_event(recs, "up")[0]["ping_recv"] == 3, out
    # 192.0.2.1 answers pings without the filter (the server's LAN side).
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", SERVER,
                               "--ping-wait", "2000")
    assert rc == 1, out
    up = by_event(recs, "up") or by_event(recs, "failed")
    assert up and up[0]["ping_recv"] == 0 and up[0]["ping_sent"] >= 1, out


@pytest.mark.netns
def test_filter_out_drops_traffic_towards_the_client(stack, net):
    srv, cli = net
    d = start(stack, net, policy_text=filtered_policy("""\
            filter_out {
                no-icmp {
                    action = deny
                    protocol = icmp
                }
            }
"""))
    holder = held_client(stack, cli, "client-filter-out")
    wait_for("alice up", lambda: client_events(holder, "up"), timeout=60)
    sess = json.loads(d.ctl("json sessions")[1])[0]
    ifname = sess["interface"]
    assert sess["filter_out"] == "g1_p0_out" and sess["filter_in"] == "", sess
    # One element per session in the map; the rules in the policy's chain.
    assert ('"%s" : jump g1_p0_out' % ifname) in nft_map(srv, "sessions_out"), \
        nft_map(srv, "sessions_out")
    # The client's echo requests get in, the replies never get out.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL,
                               "--ping-wait", "2000")
    assert rc == 1, out
    r = (by_event(recs, "up") or by_event(recs, "failed"))[0]
    assert r["ping_recv"] == 0 and r["ping_sent"] >= 1, out
    holder.stop()
    wait_for("no sessions", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    # Elements and the chain go with the last session.
    assert ifname not in nft_map(srv, "sessions_out")
    assert "g1_p0_out" not in run(["nft", "list", "table", "inet", "l2tpd"], ns=srv)


@USERSPACE_ONLY
@pytest.mark.netns
def test_filter_chains_leave_with_the_daemon(stack, net):
    srv, cli = net
    d = start(stack, net, policy_text=filtered_policy("""\
            filter_in {
                default = deny
            }
"""))
    holder = held_client(stack, cli, "client-filter-stop")
    wait_for("alice up", lambda: client_events(holder, "up"), timeout=60)
    assert "jump g1_p0_in" in nft_map(srv, "sessions_in")
    d.proc.stop(signal.SIGTERM)
    assert run(["nft", "list", "tables"], ns=srv).strip() == ""


@USERSPACE_ONLY
@pytest.mark.netns
def test_after_a_reload_new_sessions_get_the_new_filters_and_old_ones_keep_theirs(stack, net):
    srv, cli = net
    deny_all = filtered_policy("""\
            filter_in {
                default = deny
            }
""")
    d = start(stack, net, policy_text=deny_all)
    old = held_client(stack, cli, "client-gen1")
    wait_for("first session up", lambda: client_events(old, "up"), timeout=60)
    ok, text = d.ctl("reload")
    assert ok, text
    new = held_client(stack, cli, "client-gen2")
    wait_for("second session up", lambda: client_events(new, "up"), timeout=60)
    table = run(["nft", "list", "table", "inet", "l2tpd"], ns=srv)
    assert "chain g1_p0_in" in table and "chain g2_p0_in" in table, table
    old.stop()
    wait_for("one session left", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 1)
    table = run(["nft", "list", "table", "inet", "l2tpd"], ns=srv)
    assert "chain g1_p0_in" not in table and "chain g2_p0_in" in table, table


@USERSPACE_ONLY
@pytest.mark.netns
def test_a_killed_daemons_filter_table_is_replaced_at_the_next_start(stack, net):
    srv, cli = net
    d = start(stack, net, policy_text=filtered_policy("""\
            filter_in {
                default = deny
            }
"""))
    holder = held_client(stack, cli, "client-filter-kill")
    wait_for("alice up", lambda: client_events(holder, "up"), timeout=60)
    ifname = json.loads(d.ctl("json sessions")[1])[0]["interface"]
    d.proc.stop(signal.SIGKILL)
    holder.stop()
    # SIGKILL leaves the table, naming an interface a new session may reuse.
    assert ifname in nft_map(srv, "sessions_in")
    d.start()
    # the filter table exactly (l2tpd_edge and l2tpd_mss are other tables)
    assert "table inet l2tpd\n" not in run(["nft", "list", "tables"], ns=srv)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out

# SPDX-License-Identifier: GPL-2.0-or-later
"""DHCP pools (docs/addresses.md): l2tpd leases its clients' addresses from
Debian's dnsmasq on a LAN namespace, a block at a time with its own client
ids, hands them out at IPCP, keeps them across a reload, releases them at
stop, and refuses logins with the pool's reason (E=649) when the server is
silent or out of addresses.

Why dnsmasq (issue 15 item 7 lets us choose): it runs in the foreground
with a private lease file and no configuration file or service, answers
relayed requests (giaddr) as ISC and Windows servers do, and writes each
lease with its client id, which is what the test checks. Userspace data
plane: the daemon's DHCP side does not depend on it.

Topology: cli (192.0.2.2) -- srv (192.0.2.1; LAN 203.0.113.1/24 on lan0)
-- lan (203.0.113.2, dnsmasq)."""
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS
from lib.client import run_client, by_event, client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LAN_US, LAN_DHCP = "203.0.113.1", "203.0.113.2"
LOCAL = "198.51.100.1"

POLICY = """\
server {
    auth_methods = mschapv2
}
pools {
    lan {
        dhcp_interface = lan0
        dhcp_block = %(block)d
    }
}
users {
    alice {
        nt_hash = 9796a0639fdf788beb0e767b1f6f226a
        dial_in = allow
    }
}
policies {
    everyone {
        permission = grant
        profile {
            auth = mschapv2
            pool = lan
            max_sessions = 10
        }
    }
}
"""


@pytest.fixture
def lan(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    lanns = stack.netns("lan")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    stack.veth(srv, "lan0", LAN_US + "/24", lanns, "lan1", LAN_DHCP + "/24")
    # A router, as a concentrator is (l2tpd warns of proxy ARP without it).
    run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=srv)
    return srv, cli, lanns


class Dnsmasq:
    def __init__(self, stack, ns, first, last, lease="2m"):
        self.stack, self.ns = stack, ns
        self.leasefile = os.path.join(stack.workdir, "dnsmasq.leases")
        self.args = ["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                     "--interface=lan1", "--bind-interfaces", "--user=root",
                     "--pid-file=", "--log-dhcp", "--log-facility=-",
                     "--dhcp-range=%s,%s,255.255.255.0,%s" % (first, last, lease),
                     "--dhcp-leasefile=" + self.leasefile]
        self.proc = None

    def start(self):
        self.proc = self.stack.spawn("dnsmasq-%d" % id(self), self.args, ns=self.ns)
        wait_for("dnsmasq listening", lambda: "DHCP, IP range" in self.proc.log()
                 or not self.proc.alive(), timeout=30)
        assert self.proc.alive(), self.proc.log()

    def stop(self):
        self.proc.stop()

    def leases(self):
        """{address: client id as bytes} from the lease file."""
        out = {}
        try:
            with open(self.leasefile) as f:
                for line in f:
                    fields = line.split()
                    if len(fields) >= 5:
                        cid = bytes(int(x, 16) for x in fields[4].split(":")) \
                            if fields[4] != "*" else b""
                        out[fields[2]] = cid
        except FileNotFoundError:
            pass
        return out

    def log(self):
        return self.proc.log() if self.proc else ""


METRICS_PORT = 9117
SCRAPE = """
import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10).read().decode())
"""


def start_l2tpd(stack, srv, block):
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace",
              policy_text=POLICY % {"block": block},
              extra="metrics {\n        listen = 127.0.0.1:%d\n    }" % METRICS_PORT)
    d.start()
    return d


def metric(srv, name, **labels):
    """One sample of the daemon's Prometheus page, or None."""
    page = run([sys.executable, "-c", SCRAPE, str(METRICS_PORT)], ns=srv)
    want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    for line in page.splitlines():
        m = re.match(r"([a-z0-9_]+)\{(.*)\} (\d+)$", line)
        if m and m.group(1) == name and \
                ",".join(sorted(m.group(2).split(","))) == want:
            return int(m.group(3))
    return None


def held(stack, cli, name):
    return stack.spawn(name, [client_path(), "--server", SERVER, "--user", "alice",
                              "--password", PASSWORDS["alice"], "--hold-forever", "--json"],
                       ns=cli)


def events(proc, event):
    return [json.loads(l) for l in proc.log().splitlines()
            if l.startswith("{") and json.loads(l).get("event") == event]


def leased_lines(d):
    return re.findall(r"dhcp pool 'lan': leased (203\.0\.113\.\d+)", d.log())


def our_ids(leases):
    """Every client id is ours: type 0, "l2tpd:<MAC>:lan:<n>"."""
    return all(re.fullmatch(rb"\x00l2tpd:[0-9a-f]{12}:lan:\d+", c) for c in leases.values())


@pytest.mark.netns
def test_a_block_is_leased_handed_out_refused_when_exhausted_and_released_at_stop(stack, lan):
    srv, cli, lanns = lan
    dns = Dnsmasq(stack, lanns, "203.0.113.100", "203.0.113.102")
    dns.start()
    d = start_l2tpd(stack, srv, block=2)
    # The first block, before any client: two leases with our client ids.
    wait_for("two leases", lambda: len(leased_lines(d)) == 2)
    wait_for("two leases in dnsmasq's file", lambda: len(dns.leases()) == 2)
    assert our_ids(dns.leases()), dns.leases()
    assert set(dns.leases()) == set(leased_lines(d))
    assert metric(srv, "l2tpd_dhcp_pool_leases", pool="lan", state="ready") == 2
    # every answer was dnsmasq's, to us; our own broadcasts are not counted
    # (dnsmasq may offer one address to two requests at once: the second
    # REQUEST is NAKed and that lease starts over, RFC 2131 4.4.1)
    assert metric(srv, "l2tpd_dhcp_pool_events_total", pool="lan", event="dropped") == 0
    assert metric(srv, "l2tpd_dhcp_pool_events_total", pool="lan", event="received") >= 4

    # A client gets one at IPCP, and traffic crosses.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL)
    assert rc == 0, out
    up = by_event(recs, "up")[0]
    assert up["addr"] in dns.leases() and up["ping_recv"] == 3, out
    # Its session ended: the lease is kept, ready for the next one.
    wait_for("session gone", lambda: json.loads(d.ctl("json status")[1])["sessions"] == 0)
    assert len(dns.leases()) == 2

    # Two sessions held take both; the next block starts (the range has
    # one address left, the other request goes unanswered).
    h1, h2 = held(stack, cli, "c1"), held(stack, cli, "c2")
    wait_for("two up", lambda: events(h1, "up") and events(h2, "up"))
    wait_for("the third lease", lambda: len(dns.leases()) == 3)
    assert our_ids(dns.leases()), dns.leases()
    wait_for("the third lease ready", lambda: len(leased_lines(d)) == 3)
    h3 = held(stack, cli, "c3")
    wait_for("three up", lambda: events(h3, "up"))
    addrs = {events(h, "up")[0]["addr"] for h in (h1, h2, h3)}
    assert addrs == set(dns.leases()), (addrs, dns.leases())

    # dnsmasq is out of addresses: the next login is refused at once with
    # the pool's reason (E=649), and a line says why.
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 1, out
    assert by_event(recs, "failed")[0]["auth_code"] == 649, out
    assert "dhcp pool 'lan': no leased address ready for a session" in d.log(), d.log()
    assert re.search(r"pool-exhausted", d.log()), d.log()
    assert metric(srv, "l2tpd_dhcp_pool_leases", pool="lan", state="in_use") == 3
    assert metric(srv, "l2tpd_dhcp_pool_events_total", pool="lan", event="exhausted") >= 1

    # Stop: sessions end, every lease is released (RFC 2131 4.4.6).
    d.proc.stop()
    wait_for("dnsmasq saw the releases", lambda: dns.log().count("DHCPRELEASE") >= 3)
    wait_for("no leases left", lambda: dns.leases() == {})


@pytest.mark.netns
def test_a_silent_dhcp_server_refuses_logins_at_once(stack, lan):
    srv, cli, lanns = lan
    d = start_l2tpd(stack, srv, block=2)          # no dnsmasq on the LAN
    wait_for("the pool is running", lambda: "dhcp pool 'lan': leasing from" in d.log())
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 1, out
    assert by_event(recs, "failed")[0]["auth_code"] == 649, out
    assert "dhcp pool 'lan': no leased address ready for a session (0 in use, 2 being " \
        "requested)" in d.log(), d.log()
    # The loop stays responsive meanwhile.
    ok, st = d.ctl("json status")
    assert ok, st
    # The server comes up: the pool's next attempt leases, logins work.
    dns = Dnsmasq(stack, lanns, "203.0.113.100", "203.0.113.110")
    dns.start()
    wait_for("a lease after the server came", lambda: leased_lines(d), timeout=120)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out


@pytest.mark.netns
def test_leases_survive_a_reload(stack, lan):
    srv, cli, lanns = lan
    dns = Dnsmasq(stack, lanns, "203.0.113.100", "203.0.113.110")
    dns.start()
    d = start_l2tpd(stack, srv, block=2)
    wait_for("two leases", lambda: len(leased_lines(d)) == 2)
    before = dns.leases()
    h1 = held(stack, cli, "c1")
    wait_for("up", lambda: events(h1, "up"))
    addr = events(h1, "up")[0]["addr"]
    for _ in range(2):
        ok, text = d.ctl("reload")
        assert ok, text
    assert "DHCPRELEASE" not in dns.log()
    assert dns.leases() == before
    assert events(h1, "down") == []
    # the other ready lease goes to the next login
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out
    assert by_event(recs, "up")[0]["addr"] in before
    assert by_event(recs, "up")[0]["addr"] != addr
    # the pool removed from the policy: ready leases released now, the
    # one in use when its session ends
    policy = open(d.policy).read().replace("dhcp_interface = lan0\n        dhcp_block = 2",
                                           "ipv4 = 198.51.100.10-198.51.100.20")
    with open(d.policy, "w") as f:
        f.write(policy)
    ok, text = d.ctl("reload")
    assert ok, text
    wait_for("ready ones released", lambda: len(dns.leases()) == 1)
    assert list(dns.leases()) == [addr]
    os.kill(h1.popen.pid, signal.SIGTERM)
    wait_for("the last released", lambda: dns.leases() == {})


@pytest.mark.netns
def test_check_warns_of_a_missing_interface_and_refuses_bad_keys_with_file_line(stack, lan):
    srv, cli, lanns = lan
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=POLICY % {"block": 3})
    exe = os.path.join(os.environ["L2TP_BUILD_DIR"], "l2tpd", "daemon", "l2tpd")
    check = ["ip", "netns", "exec", srv, exe, "--check", "--config", d.conf, "--policy", d.policy]
    out = run(check, ns=None)
    assert "warning" not in out, out              # lan0 is there, with an address
    with open(d.policy, "w") as f:
        f.write((POLICY % {"block": 3}).replace("lan0", "nosuch0"))
    out = run(check, ns=None)
    assert "warning: pool 'lan': dhcp_interface nosuch0: no such interface, or no IPv4 " \
        "address on it" in out, out
    with open(d.policy, "w") as f:
        f.write((POLICY % {"block": 3}).replace("dhcp_block = 3", "dhcp_block = 5000"))
    res = subprocess.run(check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = (POLICY % {"block": 3}).splitlines().index("        dhcp_block = 3") + 1
    assert res.returncode == 1, res.stdout
    assert "policy.conf:%d:22: expected a number from 1 to 1000 for 'dhcp_block'" % line \
        in res.stdout, res.stdout


@pytest.mark.netns
def test_a_lease_in_use_is_renewed_at_t1_and_a_nak_ends_its_session(stack, lan):
    """dnsmasq's shortest lease is two minutes: T1 comes after one (this
    test waits for two, bounded by wait_for)."""
    srv, cli, lanns = lan
    dns = Dnsmasq(stack, lanns, "203.0.113.100", "203.0.113.110", lease="2m")
    dns.start()
    d = start_l2tpd(stack, srv, block=1)
    wait_for("a lease", lambda: len(leased_lines(d)) == 1)
    h1 = held(stack, cli, "c1")
    wait_for("up", lambda: events(h1, "up"))
    addr = events(h1, "up")[0]["addr"]
    acks = lambda: len(re.findall(r"DHCPACK\(lan1\) %s " % re.escape(addr), dns.log()))
    assert acks() == 1, dns.log()
    wait_for("the renewal at T1",
             lambda: metric(srv, "l2tpd_dhcp_pool_events_total", pool="lan", event="renewed"),
             timeout=150)
    assert acks() == 2, dns.log()
    # the first REQUEST (SELECTING) and the renewal's
    assert len(re.findall(r"DHCPREQUEST\(lan1\) %s " % re.escape(addr), dns.log())) == 2, \
        dns.log()
    assert events(h1, "down") == []
    assert addr in dns.leases()

    # The server forgets the lease and serves another range: the next
    # renewal is NAKed (RFC 2131 4.4.5), the lease is lost, and so is the
    # session, since its address may be someone else's now.
    dns.stop()
    os.unlink(dns.leasefile)
    dns2 = Dnsmasq(stack, lanns, "203.0.113.150", "203.0.113.160", lease="2m")
    dns2.args.append("--dhcp-authoritative")
    dns2.start()
    wait_for("the NAK", lambda: metric(srv, "l2tpd_dhcp_pool_events_total", pool="lan",
                                       event="nak"), timeout=150)
    wait_for("the session ended", lambda: events(h1, "down"))
    assert re.search(r"dhcp pool 'lan': lease of %s lost .*its session ends" % re.escape(addr),
                     d.log()), d.log()
    # logged when the session is freed, which may come after the CDN
    wait_for("the session's down line",
             lambda: re.search(r"session \d+/\d+ down: user 'alice' .*: DHCP lease lost", d.log()))


@pytest.mark.netns
def test_a_renamed_pool_takes_over_the_interface_while_the_old_one_ends(stack, lan):
    """A reload that renames the pool: the old one retires (its ready lease
    released at once, the one in use at its session's end) while the new
    one leases on the same interface; answers reach the right one."""
    srv, cli, lanns = lan
    dns = Dnsmasq(stack, lanns, "203.0.113.100", "203.0.113.110")
    dns.start()
    d = start_l2tpd(stack, srv, block=2)
    wait_for("two leases", lambda: len(leased_lines(d)) == 2)
    h1 = held(stack, cli, "c1")
    wait_for("up", lambda: events(h1, "up"))
    addr = events(h1, "up")[0]["addr"]
    with open(d.policy) as f:
        policy = f.read()
    with open(d.policy, "w") as f:
        f.write(policy.replace("    lan {", "    lan2 {").replace("pool = lan", "pool = lan2"))
    ok, text = d.ctl("reload")
    assert ok, text
    wait_for("the new pool's block",
             lambda: len(re.findall(r"dhcp pool 'lan2': leased", d.log())) == 2)
    wait_for("the old pool's ready lease released",
             lambda: sorted(c.split(b":")[2] for c in dns.leases().values())
             == [b"lan", b"lan2", b"lan2"])
    assert dns.leases()[addr].split(b":")[2] == b"lan"
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out
    assert dns.leases()[by_event(recs, "up")[0]["addr"]].split(b":")[2] == b"lan2"
    assert events(h1, "down") == []
    os.kill(h1.popen.pid, signal.SIGTERM)
    wait_for("the old pool's last lease released", lambda: addr not in dns.leases())
    assert "dhcp pool 'lan': not in the policy any more; its 1 lease(s) in use" in d.log()


@pytest.mark.netns
def test_a_dhcp_pool_as_the_server_wide_source_serves_a_profile_without_pool(stack, lan):
    """RRAS's "IP Address Assignment: Automatically" set once for the
    server (docs/addresses.md, "Server-wide address assignment"): the DHCP
    pool named in server.pool gives the address of a login whose profile
    names no pool."""
    srv, cli, lanns = lan
    policy = POLICY.replace("            pool = lan\n", "").replace(
        "    auth_methods = mschapv2\n", "    auth_methods = mschapv2\n    pool = lan\n")
    assert "pool = lan" in policy and "profile {\n            auth = mschapv2\n            " \
        "max_sessions" in policy, policy
    dns = Dnsmasq(stack, lanns, "203.0.113.100", "203.0.113.110")
    dns.start()
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy % {"block": 2})
    d.start()
    wait_for("two leases", lambda: len(leased_lines(d)) == 2)
    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"], "--ping", LOCAL)
    assert rc == 0, out
    up = by_event(recs, "up")[0]
    assert up["addr"] in dns.leases() and up["ping_recv"] == 3, out
    exe = os.path.join(os.environ["L2TP_BUILD_DIR"], "l2tpd", "l2tpctl", "l2tpctl")
    res = subprocess.run([exe, "policy", "test", d.policy, "user=alice"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=20)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "profile names no pool: from the DHCP server on lan0 (server DHCP pool 'lan'; " \
           "leased when the session starts)" in res.stdout, res.stdout
    assert "ipv4 source:     server DHCP pool lan" in res.stdout, res.stdout

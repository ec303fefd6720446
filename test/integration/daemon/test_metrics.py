# SPDX-License-Identifier: GPL-2.0-or-later
"""The Prometheus endpoint (`metrics { listen }`, docs/operations.md): every
page passes Prometheus's own `promtool check metrics`, also while a load of
sessions comes up; the counters move with what happened (a login, a wrong
password); per-session counters only when asked; other paths and methods
get their HTTP status. In namespaces, userspace data path."""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from lib.netns import run, wait_for
from lib.l2tpd import L2tpd, PASSWORDS, EXAMPLE_POLICY
from lib.client import run_client, by_event, client_path

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
PORT = 9568

SCRAPE = r"""
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=30)
c.request(sys.argv[3], sys.argv[4])
r = c.getresponse()
body = r.read()
sys.stdout.write("%d %s\n" % (r.status, r.getheader("Content-Type")))
sys.stdout.buffer.write(body)
"""


@pytest.fixture
def net(stack):
    srv, cli = stack.netns("srv"), stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


def start(stack, srv, per_session=False):
    # the example policy, with room for the load test's sessions of one user
    policy = open(EXAMPLE_POLICY).read().replace("max_sessions = 2", "max_sessions = 100")
    d = L2tpd(stack, srv, listen=SERVER, dataplane="userspace", policy_text=policy,
              extra="metrics {\n        listen = 127.0.0.1:%d\n        per_session = %s\n    }"
              % (PORT, "yes" if per_session else "no"))
    d.start()
    assert "metrics: Prometheus endpoint on http://127.0.0.1:%d/metrics" % PORT in d.log()
    return d


def scrape(srv, method="GET", path="/metrics"):
    out = run([sys.executable, "-c", SCRAPE, "127.0.0.1", str(PORT), method, path], ns=srv)
    status, _, body = out.partition("\n")
    code, ctype = status.split(" ", 1)
    return int(code), ctype, body


def promtool_check(page):
    if not shutil.which("promtool"):
        pytest.skip("promtool is not installed (./run setup installs Debian's prometheus)")
    r = subprocess.run(["promtool", "check", "metrics"], input=page, capture_output=True,
                       text=True)
    # promtool exits 1 for lint findings too; a page must have none
    assert r.returncode == 0, r.stdout + r.stderr


def value(page, name, **labels):
    want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    for line in page.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\d+)$", line)
        if m and m.group(1) == name:
            got = ",".join(sorted((m.group(2) or "").split(","))) if m.group(2) else ""
            if got == want:
                return int(m.group(3))
    raise AssertionError("no %s{%s} in the page" % (name, want))


@pytest.mark.netns
def test_scrape_passes_promtool_and_counts_logins_and_refusals(stack, net):
    srv, cli = net
    d = start(stack, srv)
    code, ctype, page = scrape(srv)
    assert code == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    promtool_check(page)
    assert value(page, "l2tpd_ports") == 128
    assert value(page, "l2tpd_session_setups_total") == 0

    rc, recs, out = run_client(cli, SERVER, "alice", PASSWORDS["alice"])
    assert rc == 0, out
    rc, recs, out = run_client(cli, SERVER, "alice", "wrong-password")
    assert rc != 0

    code, _, page = scrape(srv)
    promtool_check(page)
    assert value(page, "l2tpd_session_setups_total") == 1
    assert value(page, "l2tpd_session_refusals_total", reason="bad-credentials") == 1
    assert value(page, "l2tpd_auth_total", method="mschapv2", result="success") == 1
    assert value(page, "l2tpd_auth_total", method="mschapv2", result="failure") == 1
    assert value(page, "l2tpd_info", dataplane="userspace") == 1
    # the example policy's pool: in use 0 again once alice's session ended
    assert value(page, "l2tpd_pool_addresses", pool="clients", family="ipv4", state="in_use") == 0


@pytest.mark.netns
def test_scrapes_during_a_load_pass_promtool_and_see_the_sessions(stack, net):
    srv, cli = net
    d = start(stack, srv, per_session=True)
    n = 20
    holder = stack.spawn("load", [client_path(), "--server", SERVER, "--user", "alice",
                                  "--password", PASSWORDS["alice"], "--sessions", str(n),
                                  "--tunnels", "4", "--separate-ports", "--hold-forever",
                                  "--json"], ns=cli)
    pages = []

    def all_up():
        code, _, page = scrape(srv)
        pages.append((code, page))
        return code == 200 and value(page, "l2tpd_sessions", state="up") == n and page

    page = wait_for("%d sessions up in the metrics" % n, all_up, timeout=120)
    # every page taken while the sessions came up is a valid page
    for code, p in pages:
        assert code == 200
        promtool_check(p)
    assert value(page, "l2tpd_ports_in_use") == n
    per_session = [l for l in page.splitlines()
                   if l.startswith("l2tpd_session_bytes_total{") and 'direction="rx"' in l]
    assert len(per_session) == n
    assert all('user="alice"' in l and 'interface="l2tp' in l for l in per_session)
    holder.stop()


@pytest.mark.netns
def test_other_paths_and_methods_get_their_status(stack, net):
    srv, cli = net
    start(stack, srv)
    assert scrape(srv, path="/")[0] == 404
    assert scrape(srv, method="POST")[0] == 405
    code, _, body = scrape(srv, method="HEAD")
    assert code == 200 and body == ""
    # no per-session counters unless asked for
    assert "l2tpd_session_bytes_total" not in scrape(srv)[2]


@pytest.mark.netns
def test_a_slow_or_silent_client_does_not_stop_other_scrapes(stack, net):
    srv, cli = net
    start(stack, srv)
    # connections that never send a request: the endpoint keeps serving
    holders = [stack.spawn("silent%d" % i, [sys.executable, "-c",
               "import socket,time; s=socket.create_connection(('127.0.0.1', %d)); "
               "print('connected', flush=True); time.sleep(600)" % PORT], ns=srv)
               for i in range(3)]
    for h in holders:
        wait_for("silent connection", lambda: "connected" in h.log())
    assert scrape(srv)[0] == 200

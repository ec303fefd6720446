#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench_daemon: the daemon's benchmark (figures only; it never fails on timing).

What it measures, and how (docs/performance.md has the figures and what
they showed):

1. Host part: this host's kernel has no L2TP/PPP, so l2tpd runs on its
   userspace data path (one TUN device per session). Namespaces srv and cli
   joined by a veth (192.0.2.1 <-> 192.0.2.2); l2tpd in srv, the load
   generator test/tools/l2tp-client (LAC + ppp-core client, MS-CHAPv2 + IPCP)
   in cli, one UDP port per tunnel (--separate-ports), every session a user of
   its own (user1..userN, one policy evaluation and one pool lease each,
   addresses from 198.18.0.0/16, the RFC 2544 benchmarking range). Loads
   (default): 1,000 sessions = 10 x 100 tunnels x sessions, all at once; and
   10,000 = 100 x 100 opened at 150 per second, the pace the userspace data
   path sustains at that size (its TUN creation gets slower with the number
   of devices, and a burst of 10,000 ends in control-channel timeouts). For
   each load:
     - set-up rate: `setup_rate` of the client's summary (sessions up divided
       by first SCCRQ to last IPCP up), and the set-up time percentiles;
     - UDP receive-buffer drops in the server namespace (/proc/net/snmp);
     - the daemon's CPU time (utime + stime, /proc/PID/stat) spent from
       before the load until every session is up, per session, and its
       inverse: set-ups per CPU-second (the "per core" capacity); utime
       alone is our code (L2TP, PPP, MS-CHAPv2, policy), stime the kernel's
       work for us (TUN devices, netlink, sockets);
     - the daemon's VmRSS and Pss (/proc/PID/smaps_rollup) before and with
       every session held, the difference per session;
     - the kernel's side (host-wide /proc/meminfo Slab and MemAvailable
       deltas, noisy on a shared machine): one TUN device per session;
     - teardown: from the client's SIGTERM to the last TUN device gone.
       Deleting a netdev waits for RCU grace periods under the RTNL lock
       (~20-50 ms each, docs/dataplane-userspace.md): 10,000 TUNs take 4-5
       minutes, most of the default run's ~10 minutes.
   Then the userspace data path throughput: one session set up by the
   client, whose UDP port is then taken over by dp-test --plane userspace
   (the same data path library, with a TUN device in cli) with the
   session's ids, so iperf3 runs TCP through the daemon's TUN + L2TP path in both directions.
   The figure is that of the pair (daemon + dp-test on 2 shared cores);
   the daemon's CPU share during the transfer is printed alongside.

2. VM part (test/vm/vm-run: Debian's kernel with L2TP and PPP under qemu
   TCG, 2 vCPUs, 2 GiB): the same load (default 50 and 100 sessions in
   tunnels of 50, all at once) in the same VM run against (a) xl2tpd + pppd
   as LNS (one pppd process per session) and (b) l2tpd on the kernel data
   path. Under TCG xl2tpd + pppd set up 2-4 sessions per second and a burst
   of 250 collapsed (L2TP set-up timeouts); memory would allow ~500 (about
   1 MiB Pss per pppd), time does not. Set-up rate and memory of the whole
   LNS side (xl2tpd + every pppd, RSS and Pss sums; l2tpd), CPU per session,
   kernel Slab, and the ratios ours/theirs. TCG makes absolute times
   meaningless; the side-by-side ratio is the figure.

Usage (root: namespaces, TUN devices; as non-root it prints a skip line;
`./run bench` runs it after building build/bench):

    L2TP_BUILD_DIR=$PWD/build/bench /usr/bin/python3 test/bench/daemon/bench_daemon.py
        [--host-only | --vm-only] [--no-throughput] [--loads 1000@0,10000@150]
        [--per-tunnel 100] [--vm-sessions 50,100] [--vm-per-tunnel 50]
        [--quick] [--json FILE]

--loads takes SESSIONS@RATE items (RATE 0: all at once). `--quick` is a
smoke run (100 sessions on the host, 20 in the VM, ~2 minutes). Logs and
configs go to $L2TP_BUILD_DIR/bench-daemon/ (the VM's under .../vm/).
Addresses: documentation and benchmarking ranges only, everything inside
network namespaces.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "integration"))
from lib.netns import Stack, run, wait_for  # noqa: E402
from lib import peers  # noqa: E402
from lib.l2tpd import ctl_request  # noqa: E402

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"
LOCAL = "198.51.100.1"
DNS = "192.0.2.53"
PASSWORD = "Bench-Secret-1"
# NT hash of PASSWORD (`printf Bench-Secret-1 | l2tpctl policy hash`).
NT_HASH = "d15e6efdeae0e918f0068aad09db0d7d"
POOL_CIDR = "198.18.0.0/16"                    # RFC 2544 benchmarking range
XL2TPD_RANGE = "198.18.0.10-198.18.15.250"     # the same range, for xl2tpd
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def log(msg):
    print("[bench_daemon %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---- process and kernel figures -------------------------------------------

def cpu_seconds(pid):
    """(utime, stime) of a process, in seconds (fields 14 and 15 of stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def pss_kib(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            out[k] = int(v.split()[0])
    return out


def proc_snapshot(pids):
    """Sum of CPU seconds (user + system, and user alone), VmRSS and Pss (KiB)
    over pids that still exist."""
    cpu = user = rss = pss = 0
    n = 0
    for pid in pids:
        try:
            u, s = cpu_seconds(pid)
            cpu += u + s
            user += u
            rss += status_kib(pid, "VmRSS")
            pss += pss_kib(pid)
            n += 1
        except (OSError, ValueError, IndexError):
            continue
    return {"cpu_s": cpu, "user_s": user, "rss_kib": rss, "pss_kib": pss, "procs": n}


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def ns_pids(ns, name):
    return [int(p) for p in run(["ip", "netns", "pids", ns], check=False).split()
            if comm(int(p)) == name]


def links(ns, prefix):
    out = run(["ip", "-o", "link", "show"], ns=ns, check=False)
    return sum(1 for line in out.splitlines() if line.split(": ")[1].startswith(prefix))


def udp_rcvbuf_errors(ns):
    """Datagrams the namespace's UDP sockets dropped for a full receive buffer."""
    lines = [l.split() for l in run(["cat", "/proc/net/snmp"], ns=ns).splitlines()
             if l.startswith("Udp:")]
    return int(lines[1][lines[0].index("RcvbufErrors")])


def build_dir():
    d = os.environ.get("L2TP_BUILD_DIR")
    if not d:
        d = os.path.join(TOP, "build", "bench")
    return os.path.abspath(d)


def exe(*parts):
    p = os.path.join(build_dir(), *parts)
    if not os.access(p, os.X_OK):
        raise SystemExit("bench_daemon: %s is not built (L2TP_BUILD_DIR=%s)" % (p, build_dir()))
    return p


# ---- our daemon -------------------------------------------------------------

def policy_text(n_users, pool=POOL_CIDR):
    users = "".join("    user%d { nt_hash = %s\n dial_in = policy\n groups = bench }\n"
                    % (i, NT_HASH) for i in range(1, n_users + 1))
    return textwrap.dedent("""\
        # Generated by test/bench/daemon/bench_daemon.py: %d users with one password.
        server {
            auth_methods = mschapv2
            default_dial_in = deny
        }
        groups {
            bench { }
        }
        pools {
            bench { ipv4 = %s }
        }
        policies {
            bench {
                conditions {
                    group = bench
                    tunnel_type = l2tp
                }
                permission = grant
                profile {
                    auth = mschapv2
                    pool = bench
                    dns = %s
                    max_sessions = 1
                }
            }
        }
        users {
        """) % (n_users, pool, DNS) + users + "}\n"


class Daemon:
    """l2tpd with limits raised for the load (the pre-auth budgets too: every
    call of the load is a real login, all at once), logging at info (one line per
    session, as in production)."""

    def __init__(self, stack, ns, dataplane, n_users, sessions, tunnels, per_tunnel,
                 timers="", extra="", policy=None):
        """policy: the policy file's text (default: policy_text(n_users))."""
        self.stack, self.ns = stack, ns
        self.dir = os.path.join(stack.workdir, "l2tpd")
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(stack.sockdir, "l2tpd.sock")
        self.conf = os.path.join(self.dir, "l2tpd.conf")
        self.policy = os.path.join(self.dir, "policy.conf")
        with open(self.policy, "w") as f:
            f.write(policy if policy is not None else policy_text(n_users))
        with open(self.conf, "w") as f:
            f.write(textwrap.dedent("""\
                l2tpd {
                    listen = %s
                    dataplane = %s
                    control_socket = %s
                    log_level = info
                    require_ipsec = no
                    local_address = %s
                    limits {
                        tunnels = %d
                        sessions = %d
                        sessions_per_tunnel = %d
                        preauth_sessions = %d
                        preauth_sessions_per_tunnel = %d
                        new_tunnel_rate = 100000
                        new_tunnel_burst = 100000
                    }
                    timers {
                %s
                    }
                %s
                }
                """) % (SERVER, dataplane, self.sock, LOCAL, tunnels + 16, sessions + 16,
                        per_tunnel + 16, sessions + 16, per_tunnel + 16, timers, extra))
        self.proc = None
        self.pid = None

    def start(self):
        self.proc = self.stack.spawn("l2tpd", [exe("l2tpd", "daemon", "l2tpd"), "--config",
                                               self.conf, "--policy", self.policy], ns=self.ns)
        wait_for("l2tpd ready", lambda: "ready: control socket" in self.proc.log()
                 or not self.proc.alive(), timeout=60)
        if not self.proc.alive():
            raise RuntimeError("l2tpd did not start:\n" + self.proc.log()[-3000:])
        # `ip netns exec` execs the daemon: same pid.
        self.pid = self.proc.popen.pid
        assert comm(self.pid) == "l2tpd", comm(self.pid)

    def status(self):
        """`json status` on the control socket, or None while it does not answer."""
        try:
            ok, text = ctl_request(self.sock, "json status", timeout=5)
        except OSError:
            return None
        return json.loads(text) if ok else None

    def snapshot(self):
        return proc_snapshot([self.pid])


# ---- the load generator ----------------------------------------------------

def client_cmd(sessions, tunnels, *extra, timeout=300):
    return [exe("test", "tools", "l2tp-client", "l2tp-client"), "--server", SERVER,
            "--bind", CLIENT, "--user", "user{n}", "--password", PASSWORD,
            "--sessions", str(sessions), "--tunnels", str(tunnels), "--separate-ports",
            "--json", "--timeout", str(timeout), "--close-timeout", "10"] + list(extra)


def summary_of(proc):
    for line in reversed(proc.log().splitlines()):
        if line.startswith("{") and '"summary"' in line:
            return json.loads(line)
    return None


def client_up(proc):
    """Sessions the client reported up (one JSON line each) and not down since."""
    text = proc.log()
    return text.count('"event":"up"') - text.count('"event":"down"')


def hold_load(stack, cli, sessions, tunnels, timeout, rate=0, extra=()):
    """Start the client holding every session; return (process, seconds until
    it reported every session up or settled, or gave up). extra: more client
    options (`--auth chap`)."""
    t0 = time.monotonic()
    proc = stack.spawn("l2tp-client-%d" % sessions,
                       client_cmd(sessions, tunnels, "--hold-forever", "--rate", str(rate),
                                  *extra, timeout=timeout), ns=cli)
    deadline = t0 + timeout + 30
    while time.monotonic() < deadline:
        if not proc.alive():
            break
        text = proc.log()
        if text.count('"event":"up"') + text.count('"event":"failed"') >= sessions:
            break
        time.sleep(0.25)
    return proc, time.monotonic() - t0


def close_load(proc, wait=120):
    """SIGTERM: the client's orderly close (LCP Terminate, CDN, StopCCN)."""
    if proc.alive():
        proc.popen.send_signal(signal.SIGTERM)
        try:
            proc.popen.wait(wait)
        except subprocess.TimeoutExpired:
            proc.stop(signal.SIGKILL)
    return summary_of(proc)


# ---- host part --------------------------------------------------------------

def net(stack):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    return srv, cli


def host_load(workdir, sessions, tunnels, rate, tun="per-session"):
    per_tunnel = (sessions + tunnels - 1) // tunnels
    shared = tun == "shared"
    wd = os.path.join(workdir, "host-%d-%d%s" % (sessions, rate, "-shared" if shared else ""))
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    stack = Stack(wd)
    res = {"part": "host", "sessions": sessions, "tunnels": tunnels, "rate": rate,
           "lns": "l2tpd (userspace, %s)" % ("one shared TUN" if shared else "TUN per session")}
    try:
        srv, cli = net(stack)
        d = Daemon(stack, srv, "userspace", sessions, sessions, tunnels, per_tunnel,
                   extra="userspace {\n tun = shared\n }" if shared else "")
        d.start()
        time.sleep(0.5)
        mem0 = meminfo()
        s0 = d.snapshot()

        log("host: %d sessions in %d tunnels, %s, against l2tpd (userspace data path)"
            % (sessions, tunnels, "%d/s" % rate if rate else "all at once"))
        drops0 = udp_rcvbuf_errors(srv)
        proc, t_up = hold_load(stack, cli, sessions, tunnels, timeout=300, rate=rate)
        s1 = d.snapshot()
        mem1 = meminfo()
        st = d.status() or {}
        # Sessions up as the client saw them (IPCP opened); the daemon's
        # own count and the devices, for comparison.
        res["sessions_up"] = client_up(proc)
        res["daemon_sessions_up"] = st.get("sessions_up")
        res["tun_devices"] = links(srv, "l2tp") - (1 if shared else 0)
        res["udp_rcvbuf_errors"] = udp_rcvbuf_errors(srv) - drops0
        log("host: %d up after %.1f s (daemon: %s), %d TUN devices; closing"
            % (res["sessions_up"], t_up, res["daemon_sessions_up"], res["tun_devices"]))
        t_close = time.monotonic()
        summ = close_load(proc)
        # Teardown: until the daemon has no session and the last TUN is gone
        # (the bound only stops a hung run).
        try:
            wait_for("teardown", lambda: links(srv, "l2tp") == (1 if shared else 0)
                     and (d.status() or {}).get("sessions") == 0,
                     timeout=60 + sessions * 0.05, interval=1.0)
            res["teardown_s"] = time.monotonic() - t_close
        except AssertionError:
            res["teardown_s"] = None
            res["teardown_left"] = links(srv, "l2tp")
        s2 = d.snapshot()
        fill_client(res, summ)
        n = res["sessions_up"] or 0
        res.update({
            "cpu_setup_s": s1["cpu_s"] - s0["cpu_s"],
            "user_setup_s": s1["user_s"] - s0["user_s"],
            "cpu_teardown_s": s2["cpu_s"] - s1["cpu_s"],
            "rss_before_kib": s0["rss_kib"], "rss_held_kib": s1["rss_kib"],
            "rss_after_kib": s2["rss_kib"],
            "pss_before_kib": s0["pss_kib"], "pss_held_kib": s1["pss_kib"],
            "slab_delta_kib": mem1["Slab"] - mem0["Slab"],
            "memavail_drop_kib": mem0["MemAvailable"] - mem1["MemAvailable"],
        })
        per_session(res, n)
    finally:
        stack.close()
    return res


def fill_client(res, summ):
    if not summ:
        res["client"] = None
        return
    res["client"] = {k: summ.get(k) for k in (
        "up", "failed", "dropped", "tunnels_up", "setup_span_s", "setup_rate", "setup_ms_median",
        "setup_ms_p99", "setup_ms_max", "retransmits", "lcp_confreq_retransmits",
        "stopccn_unacked", "aborted", "drops")}
    res["setup_rate"] = summ.get("setup_rate")


def per_session(res, n):
    if n <= 0:
        return
    res["cpu_per_session_ms"] = res["cpu_setup_s"] * 1000.0 / n
    res["setups_per_cpu_s"] = n / res["cpu_setup_s"] if res["cpu_setup_s"] > 0 else None
    res["user_per_session_ms"] = res["user_setup_s"] * 1000.0 / n
    res["setups_per_user_cpu_s"] = n / res["user_setup_s"] if res["user_setup_s"] > 0 else None
    res["rss_per_session_kib"] = (res["rss_held_kib"] - res["rss_before_kib"]) / n
    res["pss_per_session_kib"] = (res["pss_held_kib"] - res["pss_before_kib"]) / n
    if "slab_delta_kib" in res:
        res["slab_per_session_kib"] = res["slab_delta_kib"] / n
        res["memavail_per_session_kib"] = res["memavail_drop_kib"] / n


def iperf(ns, args, seconds):
    out = run(["iperf3", "-J", "-t", str(seconds)] + args, ns=ns, timeout=seconds + 30)
    j = json.loads(out)
    end = j["end"]
    recv = end.get("sum_received") or end.get("sum")
    return recv["bits_per_second"] / 1e6


def host_throughput(workdir, seconds=10):
    """One session through the daemon's userspace data path, iperf3 TCP."""
    res = {"part": "host-throughput"}
    if not shutil.which("iperf3"):
        res["skipped"] = "iperf3 not installed (apt-get install iperf3)"
        return res
    wd = os.path.join(workdir, "host-throughput")
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    stack = Stack(wd)
    try:
        srv, cli = net(stack)
        # No HELLO and no LCP echo: the client is replaced by dp-test,
        # which answers neither.
        d = Daemon(stack, srv, "userspace", 1, 1, 1, 1,
                   timers="hello_interval = 0\n lcp_echo_interval = 1h")
        d.start()
        port = 40000
        c = stack.spawn("l2tp-client-1", [
            exe("test", "tools", "l2tp-client", "l2tp-client"), "--server", SERVER, "--bind",
            CLIENT, "--local-port", str(port), "--user", "user1", "--password", PASSWORD,
            "--json", "--hold-forever", "--lcp-echo", "0"], ns=cli)
        line = wait_for("session up", lambda: next((json.loads(l) for l in c.log().splitlines()
                                                    if '"event":"up"' in l.replace(" ", "")),
                                                   None), timeout=30)
        time.sleep(0.5)        # let the last acknowledgements pass
        c.stop(signal.SIGKILL)  # no close: the daemon keeps the session
        dp = stack.spawn("dp-test", [
            exe("test", "tools", "dataplane", "dp-test"), "--plane", "userspace",
            "--local", CLIENT,
            "--port", str(port), "--peer", SERVER, "--tunnel",
            "%d:%d" % (line["tunnel_id"], line["peer_tunnel_id"]), "--session",
            "%d:%d" % (line["session_id"], line["peer_session_id"]), "--ip",
            "%s,%s" % (line["addr"], line["peer_addr"]), "--mtu", "1400",
            "--control", mkfifo(stack)], ns=cli)
        wait_for("dp-test TUN", lambda: links(cli, "l2tp") == 1, timeout=20)
        out = run(["ping", "-c", "3", "-i", "0.2", "-w", "10", LOCAL], ns=cli, check=False)
        res["ping"] = [l for l in out.splitlines() if "rtt" in l or "received" in l]
        stack.spawn("iperf3-server", ["iperf3", "-s", "-B", LOCAL], ns=srv)
        time.sleep(1.0)
        for name, args in (("client_to_server_mbit", []), ("server_to_client_mbit", ["-R"])):
            s0 = d.snapshot()["cpu_s"]
            t0 = time.monotonic()
            res[name] = iperf(cli, ["-c", LOCAL, "-B", line["addr"]] + args, seconds)
            dt = time.monotonic() - t0
            res[name.replace("_mbit", "_daemon_cpu")] = (d.snapshot()["cpu_s"] - s0) / dt
        res["session"] = {k: line[k] for k in ("addr", "peer_addr", "tunnel_id", "session_id")}
        del dp
    finally:
        stack.close()
    return res


def mkfifo(stack):
    p = os.path.join(stack.sockdir, "dp.fifo")
    os.mkfifo(p)
    return p


# ---- VM part ------------------------------------------------------------------

LNS_PPP = """
    require-mschap-v2
    refuse-pap
    refuse-chap
    refuse-mschap
    refuse-eap
    ms-dns %s
    mtu 1400
    mru 1400
    noccp
    nodefaultroute
    lcp-echo-interval 30
    lcp-echo-failure 4
    name l2tp-lns
""" % DNS


def vm_load_xl2tpd(workdir, sessions, tunnels):
    wd = os.path.join(workdir, "xl2tpd-%d" % sessions)
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    stack = Stack(wd)
    res = {"part": "vm", "lns": "xl2tpd + pppd (kernel data path)", "sessions": sessions,
           "tunnels": tunnels}
    try:
        srv, cli = net(stack)
        peers.write_chap_secrets([("user%d" % i, PASSWORD) for i in range(1, sessions + 1)])
        x = peers.Xl2tpd(stack, srv, "xl2tpd")
        x.configure_lns(SERVER, LOCAL, XL2TPD_RANGE, LNS_PPP)
        x.start()
        wait_for("xl2tpd listening", lambda: "Listening on IP address" in x.proc.log(),
                 timeout=60)
        xpid = x.proc.popen.pid
        time.sleep(0.5)
        mem0 = meminfo()
        s0 = proc_snapshot([xpid])

        log("vm: %d sessions in %d tunnels against xl2tpd + pppd" % (sessions, tunnels))
        proc, t_up = hold_load(stack, cli, sessions, tunnels, timeout=600)
        time.sleep(2)
        pppds = ns_pids(srv, "pppd")
        s1x = proc_snapshot([xpid])
        s1p = proc_snapshot(pppds)
        mem1 = meminfo()
        res["sessions_up"] = client_up(proc)
        res["ppp_devices"] = links(srv, "ppp")
        res["pppd_processes"] = len(pppds)
        log("vm: xl2tpd: %d up after %.1f s, %d ppp interfaces, %d pppd; closing"
            % (res["sessions_up"], t_up, res["ppp_devices"], len(pppds)))
        t_close = time.monotonic()
        summ = close_load(proc, wait=300)
        try:
            wait_for("pppd gone", lambda: not ns_pids(srv, "pppd"), timeout=300, interval=1.0)
            res["teardown_s"] = time.monotonic() - t_close
        except AssertionError:
            res["teardown_s"] = None
        fill_client(res, summ)
        n = res["sessions_up"] or 0
        res.update({
            "cpu_setup_s": s1x["cpu_s"] - s0["cpu_s"] + s1p["cpu_s"],
            "user_setup_s": s1x["user_s"] - s0["user_s"] + s1p["user_s"],
            "rss_before_kib": s0["rss_kib"], "rss_held_kib": s1x["rss_kib"] + s1p["rss_kib"],
            "pss_before_kib": s0["pss_kib"], "pss_held_kib": s1x["pss_kib"] + s1p["pss_kib"],
            "xl2tpd_rss_held_kib": s1x["rss_kib"],
            "slab_delta_kib": mem1["Slab"] - mem0["Slab"],
            "memavail_drop_kib": mem0["MemAvailable"] - mem1["MemAvailable"],
        })
        per_session(res, n)
    finally:
        stack.close()
    return res


def vm_load_l2tpd(workdir, sessions, tunnels):
    per_tunnel = (sessions + tunnels - 1) // tunnels
    wd = os.path.join(workdir, "l2tpd-%d" % sessions)
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    stack = Stack(wd)
    res = {"part": "vm", "lns": "l2tpd (kernel data path)", "sessions": sessions,
           "tunnels": tunnels}
    try:
        srv, cli = net(stack)
        d = Daemon(stack, srv, "kernel", sessions, sessions, tunnels, per_tunnel)
        d.start()
        time.sleep(0.5)
        mem0 = meminfo()
        s0 = d.snapshot()

        log("vm: %d sessions in %d tunnels against l2tpd (kernel data path)" % (sessions, tunnels))
        proc, t_up = hold_load(stack, cli, sessions, tunnels, timeout=600)
        time.sleep(2)
        s1 = d.snapshot()
        mem1 = meminfo()
        st = d.status() or {}
        res["sessions_up"] = client_up(proc)
        res["daemon_sessions_up"] = st.get("sessions_up")
        res["ppp_devices"] = links(srv, "ppp")
        log("vm: l2tpd: %d up after %.1f s (daemon: %s), %d ppp interfaces; closing"
            % (res["sessions_up"], t_up, res["daemon_sessions_up"], res["ppp_devices"]))
        t_close = time.monotonic()
        summ = close_load(proc, wait=300)
        try:
            wait_for("teardown", lambda: links(srv, "ppp") == 0
                     and (d.status() or {}).get("sessions") == 0, timeout=300, interval=1.0)
            res["teardown_s"] = time.monotonic() - t_close
        except AssertionError:
            res["teardown_s"] = None
        fill_client(res, summ)
        n = res["sessions_up"] or 0
        res.update({
            "cpu_setup_s": s1["cpu_s"] - s0["cpu_s"],
            "user_setup_s": s1["user_s"] - s0["user_s"],
            "rss_before_kib": s0["rss_kib"], "rss_held_kib": s1["rss_kib"],
            "pss_before_kib": s0["pss_kib"], "pss_held_kib": s1["pss_kib"],
            "slab_delta_kib": mem1["Slab"] - mem0["Slab"],
            "memavail_drop_kib": mem0["MemAvailable"] - mem1["MemAvailable"],
        })
        per_session(res, n)
    finally:
        stack.close()
    return res


def vm_inner(args):
    """Runs inside the VM: every load against both LNSs, results to JSON."""
    workdir = os.environ.get("VM_RESULTS", "/tmp") + "/bench-daemon"
    os.makedirs(workdir, exist_ok=True)
    results = []
    for n in args.vm_sessions:
        tunnels = max(1, n // args.vm_per_tunnel)
        for fn in (vm_load_xl2tpd, vm_load_l2tpd):
            try:
                results.append(fn(workdir, n, tunnels))
            except Exception as exc:  # a figure missing, not a crash of the rest
                log("vm: %s at %d sessions failed: %r" % (fn.__name__, n, exc))
                results.append({"part": "vm", "lns": fn.__name__, "sessions": n,
                                "error": repr(exc)})
            with open(args.json_out, "w") as f:
                json.dump(results, f, indent=1)
    return 0


def run_vm(args, workdir):
    results_dir = os.path.join(workdir, "vm")
    shutil.rmtree(results_dir, ignore_errors=True)
    os.makedirs(results_dir)
    cmd = [os.path.join(TOP, "test", "vm", "vm-run"), "--timeout", str(args.vm_timeout),
           "--results", results_dir, "--env", "L2TP_BUILD_DIR=" + build_dir(), "--",
           sys.executable, os.path.abspath(__file__), "--vm-inner",
           "--vm-sessions", ",".join(map(str, args.vm_sessions)),
           "--vm-per-tunnel", str(args.vm_per_tunnel), "--json-out", "/vm/bench-vm.json"]
    log("VM part: " + " ".join(cmd))
    rc = subprocess.call(cmd)
    path = os.path.join(results_dir, "bench-vm.json")
    if not os.path.exists(path):
        log("VM part produced no figures (vm-run exit %d)" % rc)
        return []
    with open(path) as f:
        return json.load(f)


# ---- report -------------------------------------------------------------------

def fmt(v, spec="%.1f"):
    if v is None:
        return "-"
    if isinstance(v, (int, float)):
        return spec % v
    return str(v)


def report(host, thr, vm):
    print()
    print("=" * 78)
    print("bench_daemon figures (%s, kernel %s, %d CPUs; figures, not pass/fail)"
          % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), platform.release(),
             os.cpu_count()))
    print("=" * 78)
    rows = [("LNS, sessions (tunnels x per tunnel), asked rate", "up", "failed", "set-up/s",
             "median ms", "p99 ms", "CPU ms/sess", "user ms/sess", "set-ups/CPU-s",
             "RSS KiB/sess", "Pss KiB/sess", "slab KiB/sess", "rcvbuf drops", "LCP resends",
             "teardown s")]
    for r in host + vm:
        if "error" in r:
            rows.append(("%s %s: %s" % (r["lns"], r["sessions"], r["error"]),))
            continue
        c = r.get("client") or {}
        rows.append((
            "%s, %d (%dx%d), %s" % (r["lns"], r["sessions"], r["tunnels"],
                                     (r["sessions"] + r["tunnels"] - 1) // r["tunnels"],
                                     "%d/s" % r["rate"] if r.get("rate") else "at once"),
            fmt(r.get("sessions_up"), "%d"), fmt(c.get("failed"), "%d"),
            fmt(r.get("setup_rate"), "%.0f"), fmt(c.get("setup_ms_median")),
            fmt(c.get("setup_ms_p99")), fmt(r.get("cpu_per_session_ms"), "%.3f"),
            fmt(r.get("user_per_session_ms"), "%.3f"), fmt(r.get("setups_per_cpu_s"), "%.0f"),
            fmt(r.get("rss_per_session_kib"), "%.2f"), fmt(r.get("pss_per_session_kib"), "%.2f"),
            fmt(r.get("slab_per_session_kib")), fmt(r.get("udp_rcvbuf_errors"), "%d"),
            fmt(c.get("lcp_confreq_retransmits"), "%d"), fmt(r.get("teardown_s"))))
    widths = [max(len(row[i]) for row in rows if len(row) > i) for i in range(len(rows[0]))]
    for row in rows:
        if len(row) == 1:
            print("  " + row[0])
            continue
        print("  " + " | ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                                for i, c in enumerate(row)))
    for r in host:
        if "rss_held_kib" in r:
            print("  host %d: l2tpd VmRSS %d KiB before, %d KiB held, %d KiB after teardown; "
                  "Pss %d -> %d KiB; MemAvailable drop %.1f KiB/session; client: %s"
                  % (r["sessions"], r["rss_before_kib"], r["rss_held_kib"], r["rss_after_kib"],
                     r["pss_before_kib"], r["pss_held_kib"],
                     r.get("memavail_per_session_kib") or 0, r.get("client")))
    if thr:
        if "skipped" in thr:
            print("  userspace data path throughput: skipped: " + thr["skipped"])
        else:
            print("  userspace data path throughput (1 session, iperf3 TCP, MTU 1400): "
                  "client->server %.0f Mbit/s (daemon %.0f%% of a core), server->client %.0f "
                  "Mbit/s (daemon %.0f%% of a core); ping %s"
                  % (thr["client_to_server_mbit"], 100 * thr["client_to_server_daemon_cpu"],
                     thr["server_to_client_mbit"], 100 * thr["server_to_client_daemon_cpu"],
                     "; ".join(thr.get("ping", []))))
    # Ratios ours / xl2tpd + pppd, side by side in the same VM run.
    by = {}
    for r in vm:
        if "error" not in r:
            by.setdefault(r["sessions"], {})["x" if r["lns"].startswith("xl2tpd") else "o"] = r
    for n, pair in sorted(by.items()):
        if "x" not in pair or "o" not in pair:
            continue
        x, o = pair["x"], pair["o"]

        def ratio(key, inverse=False):
            a, b = o.get(key), x.get(key)
            if not a or not b:
                return "-"
            return "%.1fx" % (b / a if inverse else a / b)
        print("  VM, %d sessions, ours/xl2tpd+pppd: set-up rate %s; CPU per session 1/%s; "
              "RSS per session 1/%s; Pss per session 1/%s; kernel slab per session 1/%s"
              % (n, ratio("setup_rate"), ratio("cpu_per_session_ms", True),
                 ratio("rss_per_session_kib", True), ratio("pss_per_session_kib", True),
                 ratio("slab_per_session_kib", True)))
        print("    xl2tpd %d KiB RSS + %d pppd; whole LNS side held %d KiB RSS, %d KiB Pss; "
              "l2tpd held %d KiB RSS, %d KiB Pss"
              % (x.get("xl2tpd_rss_held_kib", 0), x.get("pppd_processes", 0),
                 x.get("rss_held_kib", 0), x.get("pss_held_kib", 0), o.get("rss_held_kib", 0),
                 o.get("pss_held_kib", 0)))


def counts(text):
    return [int(x) for x in text.split(",") if x.strip()]


def loads(text):
    out = []
    for item in text.split(","):
        n, _, rate = item.partition("@")
        out.append((int(n), int(rate or 0)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host-only", action="store_true")
    ap.add_argument("--vm-only", action="store_true")
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--userspace-tun", choices=("per-session", "shared"), default="per-session",
                    help="host part: l2tpd.conf userspace.tun (one TUN per session, or one "
                         "shared TUN with a /32 route per client)")
    ap.add_argument("--loads", type=loads, default=loads("1000@0,10000@150"),
                    help="host loads, SESSIONS@RATE (RATE 0: all at once)")
    ap.add_argument("--per-tunnel", type=int, default=100)
    ap.add_argument("--vm-sessions", type=counts, default=[50, 100])
    ap.add_argument("--vm-per-tunnel", type=int, default=50)
    ap.add_argument("--vm-timeout", type=int, default=900)
    ap.add_argument("--quick", action="store_true", help="smoke run: 100 host, 20 VM sessions")
    ap.add_argument("--json", dest="json_path", help="write every figure to this file")
    ap.add_argument("--vm-inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench_daemon: skipped: needs root (network namespaces, TUN devices)")
        return 0
    if args.vm_inner:
        return vm_inner(args)
    if args.quick:
        args.loads, args.per_tunnel = [(100, 0)], 10
        args.vm_sessions, args.vm_per_tunnel = [20], 10
    workdir = os.path.join(build_dir(), "bench-daemon")
    os.makedirs(workdir, exist_ok=True)
    started = time.monotonic()
    host, thr, vm = [], None, []
    if not args.vm_only:
        for n, rate in args.loads:
            try:
                host.append(host_load(workdir, n, max(1, n // args.per_tunnel), rate,
                                      args.userspace_tun))
            except Exception as exc:
                log("host: %d sessions failed: %r" % (n, exc))
                host.append({"part": "host", "lns": "l2tpd (userspace)", "sessions": n,
                             "error": repr(exc)})
        if not args.no_throughput:
            try:
                thr = host_throughput(workdir)
            except Exception as exc:
                log("host: throughput failed: %r" % exc)
                thr = {"skipped": "failed: %r" % exc}
    if not args.host_only:
        vm = run_vm(args, workdir)
    report(host, thr, vm)
    print("  total time %.0f s; logs in %s" % (time.monotonic() - started, workdir))
    if args.json_path:
        with open(args.json_path, "w") as f:
            json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                       "kernel": platform.release(), "cpus": os.cpu_count(), "host": host,
                       "throughput": thr, "vm": vm}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

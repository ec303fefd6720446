#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A UDP relay that loses, duplicates and reorders datagrams, for testing
L2TP/PPP under a bad path on a kernel without netem.

    lossy_relay.py --listen 127.0.0.1:1701 --upstream 192.0.2.1:1701
                   [--bind 192.0.2.2] [--loss 0.2] [--dup 0.05] [--reorder 0.05]
                   [--hold-ms 50] [--seed 1]

Clients send to --listen; every client address/port gets its own upstream
socket (bound to --bind, any port), so the server sees one peer per client
port and its answers go back to the right client from the --listen socket.
Both directions are impaired alike, each datagram independently:

- lost with probability --loss;
- otherwise sent twice with probability --dup;
- otherwise held back with probability --reorder until the next datagram of
  the same flow and direction has gone (the two swap places), or --hold-ms
  when none comes.

Decisions come from one seeded PRNG per flow and direction (flows numbered
in order of their first datagram), so a run's n-th datagram of a flow meets
the same fate every time.  Prints "listening PORT" when ready, and on
SIGTERM/SIGINT one JSON line of counters, then exits.
"""
import argparse
import heapq
import itertools
import json
import random
import selectors
import signal
import socket
import sys
import time


TIE = itertools.count()     # heap tie-breaker


def addr(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


class Direction:
    """One flow's impairment in one direction."""

    def __init__(self, seed, flow, name, args, stats):
        self.rng = random.Random("%d/%d/%s" % (seed, flow, name))
        self.args, self.stats, self.name = args, stats, name
        self.held = None            # (send function, payload, deadline)

    def packet(self, send, data, now, timers):
        a, s, rng = self.args, self.stats, self.rng
        s[self.name + "_in"] += 1
        # Three draws per datagram whatever the outcome, so one decision
        # never shifts the next datagram's.
        lose, dup, hold = rng.random(), rng.random(), rng.random()
        if lose < a.loss:
            s[self.name + "_lost"] += 1
            return
        copies = 2 if dup < a.dup else 1
        if copies == 2:
            s[self.name + "_duplicated"] += 1
        if hold < a.reorder and self.held is None:
            s[self.name + "_reordered"] += 1
            deadline = now + a.hold_ms / 1000.0
            self.held = (send, data, copies, deadline)
            heapq.heappush(timers, (deadline, next(TIE), self))
            return
        for _ in range(copies):
            send(data)
        self.flush()

    def flush(self, now=None):
        if self.held is None:
            return
        send, data, copies, deadline = self.held
        if now is not None and now < deadline:
            return
        self.held = None
        for _ in range(copies):
            send(data)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", type=addr, required=True)
    p.add_argument("--upstream", type=addr, required=True)
    p.add_argument("--bind", default="")
    p.add_argument("--loss", type=float, default=0.2)
    p.add_argument("--dup", type=float, default=0.05)
    p.add_argument("--reorder", type=float, default=0.05)
    p.add_argument("--hold-ms", type=float, default=50.0)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    family = socket.AF_INET6 if ":" in args.listen[0] else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_DGRAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    lsock.bind(args.listen)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    stats = {k: 0 for d in ("up", "down")
             for k in (d + "_in", d + "_lost", d + "_duplicated", d + "_reordered")}
    stats["flows"] = 0
    stats["send_errors"] = 0
    flows = {}                      # client address -> (upstream socket, up, down)
    timers = []                     # (deadline, tie, Direction) of held datagrams
    stop = []

    def on_signal(signo, frame):
        stop.append(signo)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def sender(sock, dest):
        def send(data):
            try:
                sock.sendto(data, dest)
            except OSError:
                stats["send_errors"] += 1
        return send

    print("listening %d" % lsock.getsockname()[1], flush=True)
    while not stop:
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, d = heapq.heappop(timers)
            d.flush(now)
        timeout = max(0.0, timers[0][0] - now) if timers else 1.0
        try:
            events = sel.select(timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for key, _ in events:
            sock = key.fileobj
            while True:
                try:
                    data, src = sock.recvfrom(65536)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    stats["send_errors"] += 1    # ICMP unreachable on a connected path
                    break
                if sock is lsock:
                    f = flows.get(src)
                    if f is None:
                        up = socket.socket(family, socket.SOCK_DGRAM)
                        up.bind((args.bind, 0))
                        up.setblocking(False)
                        n = stats["flows"]
                        stats["flows"] += 1
                        f = (up, Direction(args.seed, n, "up", args, stats),
                             Direction(args.seed, n, "down", args, stats))
                        flows[src] = f
                        sel.register(up, selectors.EVENT_READ, src)
                    f[1].packet(sender(f[0], args.upstream), data, now, timers)
                else:
                    client = key.data
                    f = flows[client]
                    f[2].packet(sender(lsock, client), data, now, timers)
    print(json.dumps(dict(event="relay", **stats)), flush=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Flood an LNS with what any peer can send without authenticating
(docs/performance.md "Floods from unauthenticated peers"):

- SCCRQs from many source addresses, never completed (half-open tunnels);
- ICRQs on a tunnel this sender establishes (SCCRQ, SCCRP, SCCCN) but on
  which no call ever authenticates (no ICCN, no PPP);
- garbage: random bytes, and control headers for tunnels that do not exist.

Interleaved one of each kind in turn, paced at up to --rate datagrams per
second in all. It floods until --stop-file exists and at least --min-count
datagrams are out, then prints one JSON line of what it sent and the rate
it achieved. The rate is reported, never judged: a slow machine floods
more slowly and the test's verdict is the same."""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

T_L_S_V2 = 0xC802  # control message: T, L, S bits, version 2 (RFC 2661 3.1)


def avp(typ, value, mandatory=True):
    return struct.pack("!HHH", (0x8000 if mandatory else 0) | (6 + len(value)), 0, typ) + value


def control(tid, sid, ns, nr, avps=b""):
    return struct.pack("!HHHHHH", T_L_S_V2, 12 + len(avps), tid, sid, ns, nr) + avps


def sccrq(assigned_tid, rws=None):
    return control(0, 0, 0, 0,
                   avp(0, struct.pack("!H", 1)) + avp(2, b"\x01\x00") +
                   avp(7, b"flood") + avp(3, struct.pack("!I", 3)) +
                   avp(9, struct.pack("!H", assigned_tid)) +
                   (avp(10, struct.pack("!H", rws)) if rws else b""))


def parse(buf):
    """(tid, sid, ns, nr, message type or None for a ZLB, assigned tunnel id)"""
    if len(buf) < 12:
        return None
    flags, length, tid, sid, ns, nr = struct.unpack("!HHHHHH", buf[:12])
    if not flags & 0x8000 or length > len(buf):
        return None
    mtype, atid, off = None, None, 12
    while off + 6 <= length:
        alen = struct.unpack("!H", buf[off:off + 2])[0] & 0x3FF
        vendor, typ = struct.unpack("!HH", buf[off + 2:off + 6])
        if alen < 6:
            break
        val = buf[off + 6:off + alen]
        if vendor == 0 and typ == 0 and len(val) == 2:
            mtype = struct.unpack("!H", val)[0]
        if vendor == 0 and typ == 9 and len(val) == 2:
            atid = struct.unpack("!H", val)[0]
        off += alen
    return tid, sid, ns, nr, mtype, atid


class Tunnel:
    """The established but never authenticated tunnel the ICRQs go on."""

    def __init__(self, server, source, port):
        # A Receive Window Size (RWS AVP 10) of 64: the LNS may send that
        # many CDNs/ICRPs before our acknowledgement (carried by the ICRQs)
        # must come back.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.dest = (server, port)
        self.ns = self.nr = self.acked = 0
        self.answers = {}       # what the LNS sent on this tunnel, by message type
        self.peer_tid = 0
        for _ in range(10):
            self.sock.sendto(sccrq(4242, rws=64), self.dest)
            r, _, _ = select.select([self.sock], [], [], 2.0)
            if not r:
                continue
            buf, frm = self.sock.recvfrom(4096)
            p = parse(buf)
            if p and p[4] == 2 and p[5]:      # SCCRP
                self.dest = frm               # the LNS may answer from another port
                self.peer_tid = p[5]
                self.nr = p[2] + 1
                self.ns = 1
                self.sock.sendto(control(self.peer_tid, 0, 1, self.nr,
                                         avp(0, struct.pack("!H", 3))), self.dest)  # SCCCN
                self.ns = 2
                self.acked = 1
                self.sock.setblocking(False)
                return
        raise SystemExit("no SCCRP from %s" % (self.dest,))

    def drain(self):
        """Learn the LNS's Ns (to acknowledge it) and Nr (what it took)."""
        while True:
            try:
                buf = self.sock.recv(4096)
            except BlockingIOError:
                return
            p = parse(buf)
            if not p:
                continue
            _, _, ns, nr, mtype, _ = p
            name = {None: "ZLB", 4: "StopCCN", 11: "ICRP", 14: "CDN"}.get(mtype, str(mtype))
            self.answers[name] = self.answers.get(name, 0) + 1
            if mtype is not None and ((ns - self.nr) & 0xFFFF) < 0x8000:
                self.nr = (ns + 1) & 0xFFFF
            if ((nr - self.acked) & 0xFFFF) < 0x8000:
                self.acked = nr

    def icrq(self, call):
        self.drain()
        if ((self.ns - self.acked) & 0xFFFF) >= 16:   # past its window: resend from acked
            self.ns = self.acked
        msg = control(self.peer_tid, 0, self.ns, self.nr,
                      avp(0, struct.pack("!H", 10)) + avp(14, struct.pack("!H", call)) +
                      avp(15, struct.pack("!I", call)))
        self.ns = (self.ns + 1) & 0xFFFF
        self.sock.sendto(msg, self.dest)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, default=1701)
    ap.add_argument("--sources", required=True, help="comma-separated SCCRQ source addresses")
    ap.add_argument("--icrq-source", required=True)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--min-count", type=int, default=30000)
    ap.add_argument("--stop-file", required=True)
    a = ap.parse_args()

    rnd = random.Random(12)
    tun = Tunnel(a.server, a.icrq_source, a.port)
    print(json.dumps({"event": "established", "tunnel": tun.peer_tid}), flush=True)
    srcs = []
    for s in a.sources.split(","):
        sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sk.bind((s, 0))
        sk.setblocking(False)
        srcs.append(sk)
    junk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    junk.bind((a.icrq_source, 0))
    junk.setblocking(False)
    dest = (a.server, a.port)
    sent = {"sccrq": 0, "icrq": 0, "garbage": 0}
    n = 0
    t0 = time.monotonic()
    while n < a.min_count or not os.path.exists(a.stop_file):
        # pace: never ahead of rate * elapsed
        ahead = n / a.rate - (time.monotonic() - t0)
        if ahead > 0.002:
            time.sleep(ahead)
        kind = n % 3
        try:
            if kind == 0:
                sk = srcs[(n // 3) % len(srcs)]
                sk.sendto(sccrq(1 + (n // 3) % 65535), dest)
                sent["sccrq"] += 1
            elif kind == 1:
                tun.icrq(1 + (n // 3) % 65535)
                sent["icrq"] += 1
            else:
                if (n // 3) % 2:
                    junk.sendto(rnd.randbytes(rnd.randrange(1, 200)), dest)
                else:   # a well-formed header for a tunnel that does not exist
                    junk.sendto(control(rnd.randrange(1, 65536), 0, 0, 0,
                                        avp(0, struct.pack("!H", 6))), dest)
                sent["garbage"] += 1
        except (BlockingIOError, OSError):
            pass    # a full socket buffer: that datagram is not counted
        n += 1
        if n % 1000 == 0:
            tun.drain()
    elapsed = time.monotonic() - t0
    total = sum(sent.values())
    tun.drain()
    print(json.dumps({"event": "done", "sent": sent, "total": total,
                      "icrq_tunnel_answers": tun.answers,
                      "seconds": round(elapsed, 2), "rate": int(total / elapsed)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())

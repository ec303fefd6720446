# SPDX-License-Identifier: GPL-2.0-or-later
"""Sequencing Required reaches the data plane.

A LAC that puts the Sequencing Required AVP in its ICCN asks for sequence
numbers on every data message (RFC 2661 sections 4.4.6 and 5.4). l2tpd
passes the flag to its data plane (session_set_seq, docs/dataplane.md),
whichever it runs: the first data message l2tpd sends on the call (its LCP
Configure-Request) then has the S bit and Ns/Nr. Without the AVP it has
neither. A bare LAC, by hand, in a network namespace; the userspace plane
here, the kernel plane in the test VM.
"""
import struct
import subprocess
import sys

import pytest

from lib.l2tpd import L2tpd

SERVER, CLIENT = "192.0.2.1", "192.0.2.2"

# SCCRQ, SCCCN, ICRQ, ICCN (with Sequencing Required when argv[3] is "1"),
# then print the flags word of the first data message (T bit clear) l2tpd
# sends. Header: T L S bits and version 2.
RAW_LAC = r"""
import socket, struct, sys
srv = (sys.argv[1], 1701)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[2], 0))
s.settimeout(60)
ns = nr = 0
def avp(attr, val):
    return struct.pack("!HHH", 0x8000 | (6 + len(val)), 0, attr) + val
def send(tid, sid, avps):
    global ns
    body = b"".join(avps)
    s.sendto(struct.pack("!HHHHHH", 0xc802, 12 + len(body), tid, sid, ns, nr) + body, srv)
    ns += 1
def recv(mtype):
    global nr
    while True:
        b, _ = s.recvfrom(4096)
        flags, length, tid, sid, mns, mnr = struct.unpack("!HHHHHH", b[:12])
        if not flags & 0x8000 or length == 12:
            continue                        # data, or a ZLB acknowledgement
        nr = (mns + 1) & 0xffff
        avps, off = {}, 12
        while off + 6 <= length:
            bits, vendor, attr = struct.unpack("!HHH", b[off:off + 6])
            n = bits & 0x3ff
            avps[attr] = b[off + 6:off + n]
            off += n
        t = struct.unpack("!H", avps[0])[0]
        if t == mtype:
            return avps
        if t in (4, 14):                   # StopCCN, CDN
            sys.exit("refused: %r" % avps)
send(0, 0, [avp(0, struct.pack("!H", 1)), avp(2, b"\x01\x00"), avp(3, struct.pack("!I", 1)),
            avp(7, b"raw-lac"), avp(9, struct.pack("!H", 1))])
tid = struct.unpack("!H", recv(2)[9])[0]    # SCCRP: its Assigned Tunnel ID
send(tid, 0, [avp(0, struct.pack("!H", 3))])                     # SCCCN
send(tid, 0, [avp(0, struct.pack("!H", 10)), avp(14, struct.pack("!H", 7)),
              avp(15, struct.pack("!I", 7))])                    # ICRQ
sid = struct.unpack("!H", recv(11)[14])[0]  # ICRP: its Assigned Session ID
iccn = [avp(0, struct.pack("!H", 12)), avp(24, struct.pack("!I", 100000000)),
        avp(19, struct.pack("!I", 1))]      # Tx Connect Speed, Framing Type
if sys.argv[3] == "1":
    iccn.append(avp(39, b""))               # Sequencing Required (4.4.6): no value
send(tid, sid, iccn)
while True:
    b, _ = s.recvfrom(4096)
    flags = struct.unpack("!H", b[:2])[0]
    if flags & 0x8000:
        continue                            # control: acks, retransmissions
    print("data 0x%04x" % flags, flush=True)
    break
"""


def first_data_flags(stack, dataplane, sequencing):
    srv = stack.netns("srv")
    cli = stack.netns("cli")
    stack.veth(srv, "srv0", SERVER + "/24", cli, "cli0", CLIENT + "/24")
    d = L2tpd(stack, srv, listen=SERVER, dataplane=dataplane)
    d.start()
    out = subprocess.run(["ip", "netns", "exec", cli, sys.executable, "-c", RAW_LAC, SERVER,
                          CLIENT, "1" if sequencing else "0"], capture_output=True, text=True,
                         timeout=120)
    words = out.stdout.split()
    assert words[:1] == ["data"], (out.stdout, out.stderr, d.log())
    return int(words[1], 16), d


@pytest.mark.parametrize("dataplane", [
    "userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_sequencing_required_in_the_iccn_puts_ns_nr_on_the_data_messages(stack, dataplane):
    flags, d = first_data_flags(stack, dataplane, True)
    assert flags & 0x0800, "S bit missing: 0x%04x\n%s" % (flags, d.log())
    assert "Sequencing Required: data messages carry Ns/Nr" in d.log(), d.log()


@pytest.mark.parametrize("dataplane", [
    "userspace", pytest.param("kernel", marks=pytest.mark.vm)])
def test_without_sequencing_required_data_messages_have_no_ns_nr(stack, dataplane):
    flags, d = first_data_flags(stack, dataplane, False)
    assert not flags & 0x0800, "S bit set: 0x%04x\n%s" % (flags, d.log())

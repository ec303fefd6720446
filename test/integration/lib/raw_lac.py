# SPDX-License-Identifier: GPL-2.0-or-later
"""A bare LAC written by hand (RFC 2661), for the steps a real client never
takes. Run as a script in the client's namespace:

    python3 raw_lac.py SERVER CLIENT iccn 0|1
        SCCRQ, SCCCN, ICRQ, ICCN (with Sequencing Required, RFC 2661
        section 4.4.6, when 1), then print the flags word of the first
        data message (T bit clear) l2tpd sends: "data 0x....".
    python3 raw_lac.py SERVER CLIENT cdn
        SCCRQ, SCCCN, ICRQ; print "icrp TID SID" (l2tpd's ids), wait for a
        line on stdin, send a CDN (result 3) in place of the ICCN, print
        "cdn" and wait for another line.

A StopCCN or CDN from l2tpd where another message is awaited ends it with
"refused: ..." on stderr. Header: T, L and S bits and version 2 (0xc802).
"""
import socket
import struct
import sys

# Message types and AVPs (RFC 2661 sections 3.2 and 4.4).
SCCRQ, SCCRP, SCCCN, STOPCCN, ICRQ, ICRP, ICCN, CDN = 1, 2, 3, 4, 10, 11, 12, 14
AVP_MESSAGE_TYPE, AVP_RESULT, AVP_PROTOCOL_VERSION, AVP_FRAMING_CAPS = 0, 1, 2, 3
AVP_HOST_NAME, AVP_ASSIGNED_TUNNEL, AVP_ASSIGNED_SESSION, AVP_CALL_SERIAL = 7, 9, 14, 15
AVP_FRAMING_TYPE, AVP_TX_CONNECT_SPEED, AVP_SEQUENCING_REQUIRED = 19, 24, 39
CALL_ID = 7


class Lac:
    def __init__(self, server, client):
        self.srv = (server, 1701)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((client, 0))
        self.s.settimeout(60)
        self.ns = self.nr = 0

    @staticmethod
    def avp(attr, val):
        return struct.pack("!HHH", 0x8000 | (6 + len(val)), 0, attr) + val

    def send(self, tid, sid, mtype, avps=()):
        body = self.avp(AVP_MESSAGE_TYPE, struct.pack("!H", mtype)) + b"".join(avps)
        self.s.sendto(struct.pack("!HHHHHH", 0xc802, 12 + len(body), tid, sid, self.ns,
                                  self.nr) + body, self.srv)
        self.ns += 1

    def recv(self, mtype):
        """The AVPs of the next control message of type mtype."""
        while True:
            b, _ = self.s.recvfrom(4096)
            flags, length, tid, sid, mns, mnr = struct.unpack("!HHHHHH", b[:12])
            if not flags & 0x8000 or length == 12:
                continue                        # data, or a ZLB acknowledgement
            self.nr = (mns + 1) & 0xffff
            avps, off = {}, 12
            while off + 6 <= length:
                bits, vendor, attr = struct.unpack("!HHH", b[off:off + 6])
                n = bits & 0x3ff
                if n < 6:
                    sys.exit("malformed AVP at %d: %r" % (off, b))
                avps[attr] = b[off + 6:off + n]
                off += n
            t = struct.unpack("!H", avps[AVP_MESSAGE_TYPE])[0]
            if t == mtype:
                return avps
            if t in (STOPCCN, CDN):
                sys.exit("refused: %r" % avps)

    def to_icrp(self):
        """Tunnel and call up to l2tpd's ICRP: its tunnel and session ids."""
        self.send(0, 0, SCCRQ, [self.avp(AVP_PROTOCOL_VERSION, b"\x01\x00"),
                                self.avp(AVP_FRAMING_CAPS, struct.pack("!I", 1)),
                                self.avp(AVP_HOST_NAME, b"raw-lac"),
                                self.avp(AVP_ASSIGNED_TUNNEL, struct.pack("!H", 1))])
        tid = struct.unpack("!H", self.recv(SCCRP)[AVP_ASSIGNED_TUNNEL])[0]
        self.send(tid, 0, SCCCN)
        self.send(tid, 0, ICRQ, [self.avp(AVP_ASSIGNED_SESSION, struct.pack("!H", CALL_ID)),
                                 self.avp(AVP_CALL_SERIAL, struct.pack("!I", CALL_ID))])
        sid = struct.unpack("!H", self.recv(ICRP)[AVP_ASSIGNED_SESSION])[0]
        return tid, sid

    def first_data_flags(self):
        while True:
            b, _ = self.s.recvfrom(4096)
            flags = struct.unpack("!H", b[:2])[0]
            if flags & 0x8000:
                continue                        # control: acks, retransmissions
            return flags


def main(argv):
    lac = Lac(argv[1], argv[2])
    tid, sid = lac.to_icrp()
    if argv[3] == "iccn":
        iccn = [lac.avp(AVP_TX_CONNECT_SPEED, struct.pack("!I", 100000000)),
                lac.avp(AVP_FRAMING_TYPE, struct.pack("!I", 1))]
        if argv[4] == "1":
            iccn.append(lac.avp(AVP_SEQUENCING_REQUIRED, b""))  # no value (4.4.6)
        lac.send(tid, sid, ICCN, iccn)
        print("data 0x%04x" % lac.first_data_flags(), flush=True)
    elif argv[3] == "cdn":
        print("icrp", tid, sid, flush=True)
        sys.stdin.readline()
        lac.send(tid, sid, CDN, [lac.avp(AVP_RESULT, struct.pack("!H", 3)),
                                 lac.avp(AVP_ASSIGNED_SESSION, struct.pack("!H", CALL_ID))])
        print("cdn", flush=True)
        sys.stdin.readline()
    else:
        sys.exit("usage: raw_lac.py SERVER CLIENT iccn 0|1 | cdn")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

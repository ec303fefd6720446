# SPDX-License-Identifier: GPL-2.0-or-later
"""Cross-check of our L2TP codec against a second implementation.

Packets are built here with scapy's L2TP layer (header: flags, Length,
Tunnel/Session ID, Ns/Nr, offset) and AVPs laid out by hand with struct
from RFC 2661 section 4.1, hidden AVPs hidden with hashlib per section 4.3:
nothing here uses our C code. The C helper l2tp_decode (built with the
unit tests) prints what our decoder makes of each packet, and the two must
agree, for well-formed and for deliberately malformed packets.

Run: L2TP_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest test/integration/l2tp
"""
import hashlib
import json
import os
import random
import struct
import subprocess
import tempfile

import pytest

from scapy.layers.l2tp import L2TP
from scapy.layers.ppp import PPP, PPP_LCP_Configure
from scapy.packet import Raw

pytestmark = pytest.mark.host


def _decoder():
    build = os.environ.get("L2TP_BUILD_DIR")
    if not build:
        pytest.skip("L2TP_BUILD_DIR is not set (the meson build dir holding l2tp_decode)")
    for rel in ("test/unit/l2tp/l2tp_decode", "l2tp_decode"):
        path = os.path.join(build, rel)
        if os.access(path, os.X_OK):
            return path
    pytest.skip("l2tp_decode not built in %s (needs -Dtests=enabled)" % build)


def decode(raw, data=False, secret=None):
    """What our C decoder says about these bytes, as a dict."""
    with tempfile.NamedTemporaryFile(suffix=".l2tp") as f:
        f.write(bytes(raw))
        f.flush()
        cmd = [_decoder()]
        if data:
            cmd.append("--data")
        if secret is not None:
            cmd += ["--secret", secret]
        cmd.append(f.name)
        out = subprocess.run(cmd, check=True, capture_output=True, timeout=30).stdout
    return json.loads(out)


# ---- the second implementation: AVPs by hand (RFC 2661 section 4.1) ----

M_BIT, H_BIT = 0x8000, 0x4000


def avp(attr, value, mandatory=True, hidden=False, vendor=0, length=None, flags=0):
    bits = (M_BIT if mandatory else 0) | (H_BIT if hidden else 0) | flags
    n = 6 + len(value) if length is None else length
    return struct.pack("!HHH", bits | n, vendor, attr) + value


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def control(avps, tunnel_id=0, session_id=0, ns=0, nr=0):
    """A control message: scapy builds the header and fills in Length."""
    return bytes(L2TP(hdr="control+length+sequence", tunnel_id=tunnel_id,
                      session_id=session_id, ns=ns, nr=nr) / Raw(b"".join(avps)))


def hide(attr, value, secret, rv):
    """Section 4.3, written from the RFC text: subformat = length + value;
    b1 = MD5(type + secret + RV), b(i) = MD5(secret + c(i-1))."""
    sub = u16(len(value)) + value
    out, prev = b"", None
    for i in range(0, len(sub), 16):
        seg = sub[i:i + 16]
        key = u16(attr) + secret + rv if i == 0 else secret + prev
        b = hashlib.md5(key).digest()
        c = bytes(x ^ y for x, y in zip(seg, b))
        out += c
        prev = c
    return out


def windows_sccrq(host=b"DESKTOP-4F2K9QX", tid=1):
    # docs/interop.md: Windows 10 SCCRQ
    return control([
        avp(0, u16(1)),
        avp(2, b"\x01\x00"),
        avp(3, u32(1)),                      # framing: synchronous only
        avp(6, b"\x0a\x00", mandatory=False),  # firmware 0x0a00
        avp(7, host),
        avp(8, b"Microsoft", mandatory=False),
        avp(9, u16(tid)),
        avp(10, u16(8)),
    ])


# ---- well-formed packets ----

def test_windows_sccrq_fields_agree():
    d = decode(windows_sccrq())
    assert d["result"] == "ok"
    m = d["message"]
    assert m["type_name"] == "SCCRQ"
    assert m["protocol_version"] == [1, 0]
    assert m["framing_capabilities"] == 1
    assert "bearer_capabilities" not in m
    assert m["firmware_revision"] == 0x0a00
    assert bytes.fromhex(m["host_name"]) == b"DESKTOP-4F2K9QX"
    assert bytes.fromhex(m["vendor_name"]) == b"Microsoft"
    assert m["assigned_tunnel_id"] == 1
    assert m["receive_window_size"] == 8


def test_header_fields_agree_with_scapy():
    raw = control([avp(0, u16(6))], tunnel_id=0xbeef, session_id=0x1234, ns=65535, nr=7)
    pkt = L2TP(raw)
    d = decode(raw)
    h = d["header"]
    assert d["result"] == "ok"
    assert h["length"] == pkt.len == len(raw)
    assert (h["tunnel_id"], h["session_id"]) == (pkt.tunnel_id, pkt.session_id)
    assert (h["ns"], h["nr"]) == (pkt.ns, pkt.nr)
    assert d["message"]["type_name"] == "HELLO"


def test_zlb_is_a_header_alone():
    d = decode(control([], tunnel_id=5, ns=3, nr=4))
    assert d["result"] == "ok"
    assert d["message"]["zlb"] is True


MINIMAL = {
    1: [avp(2, b"\x01\x00"), avp(7, b"h"), avp(3, u32(1)), avp(9, u16(1))],
    2: [avp(2, b"\x01\x00"), avp(3, u32(1)), avp(7, b"h"), avp(9, u16(1))],
    3: [],
    4: [avp(9, u16(1)), avp(1, u16(1))],
    6: [],
    7: [avp(14, u16(1)), avp(15, u32(1)), avp(16, u32(1)), avp(17, u32(2)), avp(18, u32(1)),
        avp(19, u32(1)), avp(21, b"555")],
    8: [avp(14, u16(1))],
    9: [avp(24, u32(1)), avp(19, u32(1))],
    10: [avp(14, u16(1)), avp(15, u32(1))],
    11: [avp(14, u16(1))],
    12: [avp(24, u32(1)), avp(19, u32(1))],
    14: [avp(1, u16(3)), avp(14, u16(1))],
    15: [avp(34, bytes(26))],
    16: [avp(35, bytes(10))],
}


@pytest.mark.parametrize("mtype", sorted(MINIMAL))
def test_every_message_type_with_its_mandatory_avps_is_accepted(mtype):
    d = decode(control([avp(0, u16(mtype))] + MINIMAL[mtype]))
    assert d["result"] == "ok", d
    assert d["message"]["type"] == mtype


@pytest.mark.parametrize("mtype", [t for t in sorted(MINIMAL) if MINIMAL[t]])
def test_dropping_a_mandatory_avp_is_detected(mtype):
    avps = MINIMAL[mtype]
    for i in range(len(avps)):
        d = decode(control([avp(0, u16(mtype))] + avps[:i] + avps[i + 1:]))
        assert d["result"] == "missing-mandatory-avp", (mtype, i, d)
        missing_type = struct.unpack("!H", avps[i][4:6])[0]
        assert d["message"]["missing_avp"] == missing_type


def test_hidden_avps_hidden_by_python_are_revealed():
    secret, rv = b"cross-check", os.urandom(16)
    name = b"a host name that spans three md5 segments!"
    raw = control([
        avp(0, u16(11)),
        avp(36, rv),
        avp(14, hide(14, u16(0x4242), secret, rv), hidden=True),
        avp(7, hide(7, name, secret, rv), hidden=True),
    ], tunnel_id=9)
    d = decode(raw, secret=secret.decode())
    assert d["result"] == "ok"
    assert d["message"]["assigned_session_id"] == 0x4242
    assert bytes.fromhex(d["message"]["host_name"]) == name
    assert d["message"]["hidden"] == [7, 14]
    assert decode(raw)["result"] == "hidden-avp-without-secret"


def test_vendor_and_unknown_optional_avps_are_skipped_by_length():
    d = decode(control([
        avp(0, u16(6)),
        avp(7, b"\x01\x02\x03", mandatory=False, vendor=311),  # not a Host Name
        avp(99, b"\xff" * 40, mandatory=False),
    ]))
    assert d["result"] == "ok"
    assert "host_name" not in d["message"]
    assert d["message"]["unknown_optional"] == 2
    assert d["message"]["vendor_avps"] == 1


def test_random_well_formed_icrq_round_trips():
    rng = random.Random(2661)
    for _ in range(50):
        sid, serial, bearer = rng.randrange(1, 65536), rng.randrange(1 << 32), rng.randrange(4)
        calling = bytes(rng.randrange(0x30, 0x3a) for _ in range(rng.randrange(0, 20)))
        avps = [avp(0, u16(10)), avp(14, u16(sid)), avp(15, u32(serial))]
        extra = [avp(18, u32(bearer)), avp(22, calling)]
        rng.shuffle(extra)
        d = decode(control(avps + extra[:rng.randrange(3)], tunnel_id=rng.randrange(1, 65536)))
        assert d["result"] == "ok"
        m = d["message"]
        assert (m["assigned_session_id"], m["call_serial_number"]) == (sid, serial)
        if "calling_number" in m:
            assert bytes.fromhex(m["calling_number"]) == calling
        if "bearer_type" in m:
            assert m["bearer_type"] == bearer


# ---- deliberately malformed packets ----

def test_every_truncation_is_rejected():
    raw = windows_sccrq()
    for n in range(len(raw)):
        d = decode(raw[:n])
        assert d["result"] != "ok", n


def test_length_field_past_the_datagram():
    raw = bytearray(windows_sccrq())
    raw[2:4] = u16(len(raw) + 1)
    assert decode(raw)["result"] == "bad-length"


def test_avp_length_below_six_and_past_the_end():
    for bad in (0, 5):
        raw = control([avp(0, u16(6)), avp(8, b"", mandatory=False, length=bad)])
        assert decode(raw)["result"] == "avp-bad-length"
    raw = control([avp(0, u16(6)), avp(8, b"abc", mandatory=False, length=10)])
    assert decode(raw)["result"] == "avp-bad-length"
    raw = control([avp(0, u16(6))]) + b"\x80\x08"
    raw = bytearray(raw)
    raw[2:4] = u16(len(raw))
    assert decode(raw)["result"] == "avp-truncated"


def test_unknown_mandatory_avp_and_reserved_bits():
    d = decode(control([avp(0, u16(6)), avp(200, b"x")]))
    assert d["result"] == "unknown-mandatory-avp"
    assert d["message"]["unknown_avp_type"] == 200
    d = decode(control([avp(0, u16(6)), avp(8, b"v", mandatory=False, flags=0x0400)]))
    assert d["result"] == "ok" and "vendor_name" not in d["message"]


def test_wrong_version_and_control_flags():
    raw = bytearray(control([avp(0, u16(6))]))
    raw[1] = (raw[1] & 0xf0) | 3
    assert decode(raw)["result"] == "bad-version"
    no_seq = bytes(L2TP(hdr="control+length", tunnel_id=1) / Raw(avp(0, u16(6))))
    assert decode(no_seq)["result"] == "bad-control-flags"


def test_message_type_rules():
    assert decode(control([avp(9, u16(1)), avp(0, u16(6))]))["result"] == \
        "first-avp-not-message-type"
    assert decode(control([avp(0, u16(99))]))["result"] == "unknown-message-type-mandatory"
    assert decode(control([avp(0, u16(99), mandatory=False)]))["result"] == \
        "unknown-message-type-ignored"
    assert decode(control([avp(0, u16(14)), avp(1, b"\x00\x01\x00"), avp(14, u16(1))]))[
        "result"] == "avp-bad-size"
    assert decode(control([avp(0, u16(11)), avp(14, u16(1)), avp(14, u16(2))]))["result"] == \
        "avp-duplicate"


def test_random_bytes_never_crash_and_give_a_named_reason():
    rng = random.Random(1701)
    base = windows_sccrq()
    for _ in range(100):
        raw = bytearray(base)
        for _ in range(rng.randrange(1, 6)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        d = decode(raw)
        assert d["result"] != "unknown-reason"


# ---- data messages (the userspace data path's header parser) ----

def test_data_header_minimal():
    raw = bytes(L2TP(hdr=0, tunnel_id=7, session_id=9) / PPP() / PPP_LCP_Configure())
    d = decode(raw, data=True)
    assert d["result"] == "ok"
    h = d["header"]
    assert (h["tunnel_id"], h["session_id"], h["hdr_len"]) == (7, 9, 6)
    assert bytes.fromhex(d["payload"]) == raw[6:]


def test_data_header_with_length_sequence_and_offset():
    # scapy pads its offset field to 4 octets: with offset=2 that is the
    # RFC's 2 octets of offset padding, so both agree on where PPP starts
    pkt = L2TP(hdr="length+sequence+offset", tunnel_id=1, session_id=2, ns=5, nr=6,
               offset=2) / PPP() / PPP_LCP_Configure()
    raw = bytes(pkt)
    d = decode(raw, data=True)
    assert d["result"] == "ok"
    h = d["header"]
    assert h["has_length"] and h["has_seq"] and h["has_offset"]
    assert (h["ns"], h["nr"], h["offset_size"]) == (5, 6, 2)
    assert h["hdr_len"] == 16
    assert bytes.fromhex(d["payload"]) == bytes(pkt[PPP])


def test_data_offset_past_the_frame_is_rejected():
    raw = bytes(L2TP(hdr="offset", tunnel_id=1, session_id=2, offset=200) / Raw(b"\xff\x03"))
    assert decode(raw, data=True)["result"] == "bad-offset"

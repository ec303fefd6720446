#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the ppp-core fuzz seed corpora (test/fuzz/corpus/ppp_*/) from the
same bytes as test/unit/ppp-core/fixtures.h.  Run from the repository root."""
import os

WIN_LCP_OPTS = bytes([0x01, 0x04, 0x05, 0x78, 0x03, 0x05, 0xC2, 0x23, 0x81,
                      0x05, 0x06, 0x4A, 0x1B, 0x7C, 0x33, 0x07, 0x02, 0x08, 0x02,
                      0x0D, 0x03, 0x06, 0x11, 0x04, 0x06, 0x4E, 0x13, 0x17, 0x01])
WIN_LCP_OPTS += bytes(range(0x10, 0x24)) + bytes([0x17, 0x04, 0x00, 0x01])
WIN_LCP_OPTS2 = bytes([0x01, 0x04, 0x05, 0x78, 0x05, 0x06, 0x4A, 0x1B, 0x7C, 0x33,
                       0x07, 0x02, 0x08, 0x02])
WIN_IPCP_OPTS = b''.join(bytes([t, 6, 0, 0, 0, 0]) for t in (3, 0x81, 0x82, 0x83, 0x84))
WIN_IPV6CP_OPTS = bytes([0x01, 0x0A, 0x5D, 0x1E, 0x2C, 0x8A, 0x91, 0x03, 0x44, 0xB7])


def pkt(code, ident, data):
    return bytes([code, ident, (len(data) + 4) >> 8, (len(data) + 4) & 0xFF]) + data


def frame(proto, p):
    return bytes([0xFF, 0x03, proto >> 8, proto & 0xFF]) + p


def write(target, name, data):
    d = os.path.join('test/fuzz/corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ppp_options: selector = proto (0 LCP, 1 IPCP, 2 IPV6CP) + 3 * code index,
# +12 for the client role.
write('ppp_options', 'lcp-windows-req', bytes([0]) + WIN_LCP_OPTS)
write('ppp_options', 'lcp-windows-req2', bytes([0]) + WIN_LCP_OPTS2)
write('ppp_options', 'lcp-client-auth-mschapv2', bytes([12]) + bytes([3, 5, 0xC2, 0x23, 0x81, 1, 4, 5, 0x78]))
write('ppp_options', 'lcp-nak-mru-1500', bytes([6]) + bytes([1, 4, 0x05, 0xDC]))
write('ppp_options', 'lcp-nak-auth-pap', bytes([6]) + bytes([3, 4, 0xC0, 0x23]))
write('ppp_options', 'lcp-rej-magic', bytes([9]) + bytes([5, 6, 1, 2, 3, 4]))
write('ppp_options', 'ipcp-windows-req', bytes([1]) + WIN_IPCP_OPTS)
write('ppp_options', 'ipcp-client-nak', bytes([1 + 6 + 12]) + bytes([3, 6, 192, 0, 2, 10, 0x81, 6, 198, 51, 100, 1]))
write('ppp_options', 'ipcp-vj', bytes([1]) + bytes([2, 6, 0, 0x2D, 0x0F, 1]))
write('ppp_options', 'ipv6cp-windows-req', bytes([2]) + WIN_IPV6CP_OPTS)
write('ppp_options', 'ipv6cp-zero', bytes([2]) + bytes([1, 10] + [0] * 8))

# auth targets: selector bit 0 client, bit 1 force the expected Identifier.
write('ppp_pap', 'server-request', bytes([2]) + pkt(1, 0, bytes([5]) + b'alice' + bytes([6]) + b'secret'))
# refused (wrong password): the repeat (the target feeds every packet twice)
# reaches the Nak sent again while LCP is closing
write('ppp_pap', 'server-request-refused', bytes([2]) + pkt(1, 0, bytes([5]) + b'alice' + bytes([5]) + b'wrong'))
write('ppp_pap', 'client-ack', bytes([3]) + pkt(2, 0, bytes([2]) + b'OK'))
write('ppp_pap', 'client-nak', bytes([3]) + pkt(3, 0, bytes([3]) + b'bad'))
write('ppp_chap', 'client-challenge', bytes([3]) + pkt(1, 0, bytes([16]) + bytes(range(16)) + b'lns'))
write('ppp_chap', 'server-response', bytes([2]) + pkt(2, 0, bytes([16]) + bytes(range(16)) + b'alice'))
write('ppp_chap', 'client-failure', bytes([3]) + pkt(4, 0, b'no'))
write('ppp_mschapv2', 'client-challenge', bytes([3]) + pkt(1, 0, bytes([16]) + bytes(range(16)) + b'lns'))
write('ppp_mschapv2', 'server-response', bytes([2]) + pkt(2, 0, bytes([49]) + bytes(range(16)) + bytes(8) + bytes(range(24)) + bytes([0]) + b'CORP\\alice'))
write('ppp_mschapv2', 'client-success', bytes([3]) + pkt(3, 0, b'S=407A5589115FD0D6209F510FE9C04566932CDA56 M=OK'))
write('ppp_mschapv2', 'client-failure-649', bytes([3]) + pkt(4, 0, b'E=649 R=0 C=00112233445566778899AABBCCDDEEFF V=3 M=no'))
write('ppp_eap', 'server-identity', bytes([2]) + pkt(2, 0, bytes([1]) + b'alice'))
write('ppp_eap', 'server-nak', bytes([2]) + pkt(2, 0, bytes([3, 4])))
write('ppp_eap', 'client-identity-req', bytes([1]) + pkt(1, 7, bytes([1])))
write('ppp_eap', 'client-md5-req', bytes([1]) + pkt(1, 8, bytes([4, 16]) + bytes(range(16))))
write('ppp_eap', 'client-tls-req', bytes([1]) + pkt(1, 9, bytes([13, 0x20])))


def records(frames):
    out = b''
    for f in frames:
        out += bytes([len(f) >> 8, len(f) & 0xFF]) + f
    return out


lcp_req = frame(0xC021, pkt(1, 0, WIN_LCP_OPTS))
lcp_req2 = frame(0xC021, pkt(1, 1, WIN_LCP_OPTS2))
ipcp = frame(0x8021, pkt(1, 5, WIN_IPCP_OPTS))
ccp = frame(0x80FD, pkt(1, 8, bytes([0x12, 6, 1, 0, 0, 0x60])))
ident = frame(0xC021, pkt(12, 2, bytes([0x4A, 0x1B, 0x7C, 0x33]) + b'MSRASV5.20'))
write('ppp_session', 'windows-start', records([lcp_req, lcp_req2, ident, b'', ipcp, ccp]))
write('ppp_session', 'terminate', records([lcp_req2, frame(0xC021, pkt(5, 3, b'bye')), b'', b'']))
write('ppp_session', 'timeouts', records([b''] * 12))

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PPP link's MRU/MTU that fits the tunnel (docs/operations.md, "The
 * link's MTU"). A client's IP packet travels inside PPP, L2TP, UDP, IP,
 * ESP (with NAT-T, in UDP again) and the outer IP header; a PPP MTU that
 * ignores this makes every full-size packet a fragmented ESP packet, and
 * fragments are what NATs and firewalls lose.
 */
#ifndef L2TPD_LINK_MTU_H
#define L2TPD_LINK_MTU_H

#include <stdint.h>

/*
 * The largest PPP payload (MRU) whose L2TP/IPsec datagram still fits a
 * path MTU of path_mtu octets, for tunnels over IPv4 (family AF_INET) or
 * IPv6 (AF_INET6), in the worst case of what the shipped proposals allow.
 * L2TP/IPsec uses ESP in transport mode (RFC 3193 section 2): the
 * datagram's own IP header stays in front, ESP goes between it and the
 * UDP header. So: IP (20 or 40), NAT-T's UDP 8 (RFC 3948), ESP header 8, a
 * 16-octet IV (AES-CBC), then the encrypted UDP 8, L2TP data header 12
 * (the longest: length, Ns and Nr, RFC 2661 section 3.1), PPP 4 (address,
 * control, two-octet protocol) and the payload, padded with the 2 trailer
 * octets to whole 16-octet blocks, then a 16-octet ICV (HMAC-SHA-256-128;
 * SHA-1's 12 is smaller) (RFC 4303 sections 2.3-2.8).
 * A 1500-octet path gives 1398 over IPv4 and 1382 over IPv6. Never below
 * 576 (RFC 791).
 */
uint16_t link_mru_for_path(uint16_t path_mtu, int family);

#endif

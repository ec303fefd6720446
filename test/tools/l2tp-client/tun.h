/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --tun: one session's IPv6 carried to a TUN device of the client's host,
 * so that a real program there (a DHCPv6 client asking for a prefix, ping)
 * talks to the server over the PPP link (docs/test-client.md).
 */
#ifndef L2TP_CLIENT_TUN_H
#define L2TP_CLIENT_TUN_H

#include <stdint.h>

/* Make TUN device `name` (no packet information header), non-blocking:
 * the fd, or -errno. */
int cl_tun_open(const char *name);
/* IPV6CP is up: set the device's MTU, bring it up and give it the
 * link-local address IPV6CP agreed on (fe80::ID/64). 0 or -errno. */
int cl_tun_configure(const char *name, const uint8_t ll[16], unsigned mtu);

#endif

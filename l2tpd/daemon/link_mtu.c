/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PPP MRU that fits an L2TP/IPsec path (link_mtu.h). */
#include "link_mtu.h"

#include <sys/socket.h>

#define UDP_HDR		8
#define NAT_T_UDP	8	/* RFC 3948: ESP in UDP */
#define ESP_HDR		8	/* SPI, sequence number */
#define ESP_IV		16	/* AES-CBC */
#define ESP_BLOCK	16
#define ESP_ICV		16	/* HMAC-SHA-256-128 (RFC 4868) */
#define ESP_TRAILER	2	/* pad length, next header */
#define L2TP_DATA_HDR	12	/* flags, length, tunnel, session, Ns, Nr */
#define PPP_HDR		4	/* FF 03 and a two-octet protocol */
#define MIN_MRU		576

uint16_t link_mru_for_path(uint16_t path_mtu, int family)
{
	unsigned ip = family == AF_INET6 ? 40 : 20;
	unsigned inside_esp, inner;

	/* what ESP may carry: the path minus the outer headers and the ICV,
	 * cut down to whole cipher blocks */
	if (path_mtu < ip + NAT_T_UDP + ESP_HDR + ESP_IV + ESP_ICV + MIN_MRU)
		return MIN_MRU;
	inside_esp = path_mtu - ip - NAT_T_UDP - ESP_HDR - ESP_IV - ESP_ICV;
	inside_esp -= inside_esp % ESP_BLOCK;
	/* transport mode: what ESP carries is the L2TP datagram's UDP header
	 * and payload, no second IP header */
	inner = inside_esp - ESP_TRAILER;
	if (inner < UDP_HDR + L2TP_DATA_HDR + PPP_HDR + MIN_MRU)
		return MIN_MRU;
	return (uint16_t)(inner - UDP_HDR - L2TP_DATA_HDR - PPP_HDR);
}

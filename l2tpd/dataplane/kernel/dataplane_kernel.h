/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel data path: what it adds to dataplane.h (the ops are
 * `dataplane_kernel`). See docs/dataplane-kernel.md.
 */
#ifndef L2TPD_DATAPLANE_KERNEL_H
#define L2TPD_DATAPLANE_KERNEL_H

#include <stdint.h>

struct dataplane;

/* Why frames were not handed up or sent, and other events worth a figure. */
struct dpk_counters {
	uint64_t rx_frames;          /* handed to ppp_control_rx */
	uint64_t rx_short;           /* read from /dev/ppp with no room for a protocol field */
	uint64_t rx_overflow;        /* larger than the read buffer (EOVERFLOW): dropped by the kernel */
	uint64_t rx_errors;          /* other read errors */
	uint64_t rx_eof;             /* a /dev/ppp fd reported EOF (channel gone): unwatched */
	uint64_t tx_frames;          /* written to a channel or unit fd */
	uint64_t tx_again;           /* write would block: frame dropped (PPP retransmits) */
	uint64_t tx_errors;          /* other write errors */
	uint64_t ifname_hint_failed; /* the hinted name was refused: the session kept pppN */
	uint64_t rx_dropped_at_grant; /* read from the PPPoL2TP socket as session_netdev bound
	                                the channel: not handed up (PPP retransmits) */
	uint64_t session_fallback;   /* L2TP_CMD_SESSION_CREATE unsupported (no CONFIG_L2TP_V3):
	                                the PPPoL2TP connect created the session */
};

/* Only for a dataplane created through dataplane_kernel.create. */
void dataplane_kernel_counters(const struct dataplane *dp, struct dpk_counters *out);
/* session_delete hands the channel, unit and PPPoL2TP fds to a closer
 * thread (closer.h): pppN goes away shortly after. Wait until it has
 * (tests that check the interface is gone; destroy waits too). */
void dataplane_kernel_flush(struct dataplane *dp);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lease engine of a DHCP pool (docs/addresses.md, "DHCP pools"): it
 * leases a block of addresses from the LAN's DHCP server ahead of need,
 * each with a client identifier of its own, keeps them (RFC 2131 section
 * 4.4.5: renew at T1 by unicast, rebind at T2 by broadcast, lost at
 * expiry), hands them out one at a time and takes the next block before
 * the last one is used; it releases them when the pool stops.
 *
 * No I/O and no clock: the daemon (l2tpd/daemon/dhcppool.c) passes time
 * in, feeds received datagrams to dhcp_lc_input(), sends what the engine
 * hands to ops->send, and runs dhcp_lc_run_timers() at
 * dhcp_lc_next_deadline(). Timers of all leases are in one binary heap
 * (the daemon's timerheap.c, compiled in here too), so the engine's next
 * deadline costs O(1) and each lease's timer O(log n).
 *
 * The engine talks as a BOOTP relay agent (RFC 2131 section 4.1, RFC
 * 1542): giaddr is our LAN address, so every answer, renewals included,
 * comes back by unicast to our port 67; never to the leased address,
 * which is a client's across a PPP link (docs/addresses.md explains why).
 */
#ifndef DHCP_LEASE_CLIENT_H
#define DHCP_LEASE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timerheap.h"

#define DHCP_LC_MAX_LEASES	(1u << 20)	/* the index lives in the xid */
#define DHCP_LC_CID_PREFIX_MAX	200
#define DHCP_LC_DEFAULT_BLOCK	10		/* as RRAS takes them */

enum dhcp_lease_state {
	DHCP_LS_FREE = 0,	/* slot unused: its client id is free */
	DHCP_LS_SELECTING,	/* DISCOVER sent (RFC 2131 4.4.1) */
	DHCP_LS_REQUESTING,	/* REQUEST for an offer sent */
	DHCP_LS_BOUND,
	DHCP_LS_RENEWING,	/* past T1: unicast REQUEST to the server */
	DHCP_LS_REBINDING,	/* past T2: broadcast REQUEST */
};

struct dhcp_lease {
	struct timer_node timer;	/* in the engine's heap */
	uint32_t index;			/* the number in its client id */
	uint8_t state;			/* enum dhcp_lease_state */
	bool in_use;			/* handed to a session */
	uint8_t tries;			/* transmissions of this exchange */
	uint8_t cid_len;
	uint32_t xid;
	uint32_t addr, server_id;	/* network order; addr 0 until offered */
	uint64_t started_ms;		/* of this exchange: the secs field */
	uint64_t sent_ms;		/* the REQUEST the lease times count from */
	uint64_t t1_ms, t2_ms, expiry_ms;	/* absolute; UINT64_MAX: never */
	struct dhcp_lease *prev, *next;	/* the ready list: bound, not in use */
	void *user;			/* the daemon's (the session) */
	uint8_t cid[1 + DHCP_LC_CID_PREFIX_MAX + 12];	/* option 61 */
};

/* What happened, for the daemon's log and metrics. */
enum dhcp_lc_event {
	DHCP_LC_BOUND,		/* a lease was acquired (addr) */
	DHCP_LC_LOST,		/* a lease in use was NAKed or expired (lease) */
	DHCP_LC_EXPIRED,	/* a ready lease expired or was NAKed */
	DHCP_LC_SERVER_DOWN,	/* an acquisition got no answer: refill paused */
	DHCP_LC_SERVER_UP,	/* a lease bound again after SERVER_DOWN */
	DHCP_LC_EXHAUSTED,	/* take() found no ready lease */
};

struct dhcp_lc_ops {
	/* Send to dst (network order; INADDR_BROADCAST: the LAN) port 67. */
	void (*send)(void *ctx, const uint8_t *buf, size_t len, uint32_t dst);
	void (*event)(void *ctx, enum dhcp_lc_event ev, struct dhcp_lease *l);
	/* Random 32 bits: xids, and the +-1 s of RFC 2131 4.1's back-off. */
	uint32_t (*random)(void *ctx);
};

struct dhcp_lc_config {
	uint8_t chaddr[6];		/* our LAN interface's MAC */
	uint32_t giaddr;		/* our LAN address, network order */
	uint32_t netmask;		/* of the LAN: offers outside are refused */
	uint32_t server;		/* 0: broadcast on the LAN, else unicast */
	uint32_t block;			/* leases taken at once; 0: 10 */
	uint32_t refill_at;		/* refill below this many ready; 0: block/2 */
	uint32_t max_leases;		/* 0: DHCP_LC_MAX_LEASES */
	/* client id: type 0, these octets, then the lease's index in decimal */
	uint8_t cid_prefix[DHCP_LC_CID_PREFIX_MAX];
	size_t cid_prefix_len;
};

struct dhcp_lc_stats {
	uint64_t sent, received, dropped;	/* dropped: not ours or malformed */
	uint64_t offers_refused;		/* outside the subnet, duplicate... */
	uint64_t bound, renewed, naks, expired, lost, released, no_answer;
	uint64_t exhausted;			/* take() with nothing ready */
};

struct dhcp_lc {
	struct dhcp_lc_config cfg;
	const struct dhcp_lc_ops *ops;
	void *ctx;
	struct timerheap heap;
	struct dhcp_lease **leases;	/* by index; NULL: never used */
	uint32_t n_slots, cap;
	uint32_t n_ready, n_acquiring, n_bound, n_in_use;
	struct dhcp_lease *ready_head, *ready_tail;
	uint32_t *free_stack;		/* indexes of FREE slots, to reuse */
	uint32_t n_free, free_cap;
	/* address -> lease index + 1, open addressing (backward-shift delete) */
	uint32_t *by_addr;
	uint32_t by_addr_cap, by_addr_len;
	struct timer_node refill_timer;	/* a refill paused after no answer */
	uint64_t refill_after_ms;	/* no new acquisitions before this */
	uint32_t backoff_ms;		/* doubles while the server is silent */
	bool server_down;		/* since the last SERVER_DOWN event */
	bool stopping;
	struct dhcp_lc_stats stats;
};

/* 0, or -1 (no memory). Nothing is sent before dhcp_lc_start(). */
int dhcp_lc_init(struct dhcp_lc *lc, const struct dhcp_lc_config *cfg,
		 const struct dhcp_lc_ops *ops, void *ctx);
/* Take the first block. */
void dhcp_lc_start(struct dhcp_lc *lc, uint64_t now);
/* New settings that keep the leases (a reload): block and refill_at. */
void dhcp_lc_reconfigure(struct dhcp_lc *lc, uint32_t block, uint32_t refill_at, uint64_t now);
/* Release every lease not in use (RFC 2131 4.4.6) and take no more;
 * leases in use are released when given back. */
void dhcp_lc_stop(struct dhcp_lc *lc, uint64_t now);
void dhcp_lc_free(struct dhcp_lc *lc);

/* A datagram from port 67 of the LAN. Anything not a well-formed answer
 * to one of our exchanges is counted and dropped. */
void dhcp_lc_input(struct dhcp_lc *lc, const uint8_t *buf, size_t len, uint64_t now);
void dhcp_lc_run_timers(struct dhcp_lc *lc, uint64_t now);
/* Whether a datagram answers one of this engine's exchanges in progress
 * (BOOTREPLY, our chaddr, an xid of ours): for a daemon whose two engines
 * share an interface for a while (a pool renamed by a reload). */
bool dhcp_lc_claims(const struct dhcp_lc *lc, const uint8_t *buf, size_t len);
/* ms; UINT64_MAX when nothing is due. */
uint64_t dhcp_lc_next_deadline(const struct dhcp_lc *lc);

/* A ready lease for a session, or NULL (DHCP_LC_EXHAUSTED is raised).
 * Starts the next block when the ready ones run low. */
struct dhcp_lease *dhcp_lc_take(struct dhcp_lc *lc, uint64_t now);
/* The lease holding addr (network order), or NULL. */
struct dhcp_lease *dhcp_lc_find(const struct dhcp_lc *lc, uint32_t addr);
/* A session is done with it: ready again (released when stopping). */
void dhcp_lc_give_back(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now);

const char *dhcp_lease_state_name(enum dhcp_lease_state s);

#endif

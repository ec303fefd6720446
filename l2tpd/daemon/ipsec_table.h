/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPsec SAs charon holds, as its plugin reports them (docs/ipsec.md):
 * IKE SAs with their identities, and the transport-mode CHILD_SAs that carry
 * UDP/1701 with their peer address and inbound mark. No I/O: parsed plugin
 * messages in, verdicts and "these SAs are gone" callbacks out, so the
 * daemon's socket code stays thin and this is unit-tested and fuzzed.
 *
 * Lookups are O(1): hash tables by IKE unique id, by CHILD unique id, by IKE
 * peer address and by (CHILD peer address, inbound mark).
 */
#ifndef L2TPD_IPSEC_TABLE_H
#define L2TPD_IPSEC_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "l2tp_ipsec_msg.h"

struct ipsec_hnode {
	struct ipsec_hnode *next;
	uint32_t hash;
};

struct ipsec_htab {
	struct ipsec_hnode **b;
	uint32_t mask;		/* buckets - 1 */
	uint32_t n;
};

struct ipsec_child;

struct ipsec_ike {
	struct ipsec_hnode by_id, by_addr;
	uint32_t id;
	uint32_t generation;		/* replay it was last reported in */
	uint32_t tunnels;		/* l2tpd tunnels bound to it */
	struct ipsec_child *children;	/* its L2TP CHILD_SAs */
	struct l2tp_ipsec_addr peer, local;
	uint16_t peer_port, local_port;
	uint8_t ike_version;		/* 0 until IKE_UP arrived */
	bool encap;			/* a CHILD_SA uses UDP encapsulation (NAT-T) */
	bool going;			/* being removed: no delete request for it */
	bool delete_requested;		/* DELETE_IKE_SA sent */
	/* NUL-terminated, or NULL when absent */
	char *remote_id, *local_id, *cert_subject, *cert_issuer, *name;
};

struct ipsec_child {
	struct ipsec_hnode by_id, by_key;
	struct ipsec_child *sibling;	/* next CHILD_SA of the same IKE SA */
	struct ipsec_ike *ike;
	uint32_t id;
	uint32_t generation;
	struct l2tp_ipsec_addr peer;
	uint32_t mark_in, mark_out;
	bool encap;
};

/* Why an IKE SA's tunnels must go. */
enum ipsec_gone_reason {
	IPSEC_GONE_IKE_DOWN,		/* IKE_DOWN from the plugin */
	IPSEC_GONE_LAST_CHILD,		/* its last L2TP CHILD_SA went down */
	IPSEC_GONE_NOT_REPLAYED,	/* charon no longer has it (after a reconnect) */
};

const char *ipsec_gone_reason_text(enum ipsec_gone_reason r);

struct ipsec_table_ops {
	/* An IKE SA with tunnels bound to it lost its L2TP protection; called
	 * before it is freed (ike->going is set); must not modify the table
	 * except through ipsec_table_unbind(). */
	void (*sa_gone)(void *ctx, const struct ipsec_ike *ike, enum ipsec_gone_reason why);
	/* An IKE SA was rekeyed (IKEv2): its CHILD_SAs and tunnels now belong
	 * to new_id; the old entry is freed without sa_gone. Optional. */
	void (*ike_rekeyed)(void *ctx, uint32_t old_id, uint32_t new_id);
	void *ctx;
};

/* Message-level rejections the table counts besides the parser's. */
enum ipsec_apply_reason {
	IPSEC_APPLY_OK,
	IPSEC_APPLY_UNEXPECTED,		/* DELETE_IKE_SA from the plugin, or before HELLO */
	IPSEC_APPLY_CHILD_CONFLICT,	/* CHILD_UP of a known child under another IKE SA */
	IPSEC_APPLY_NO_MEMORY,
	IPSEC_APPLY_MAX
};

struct ipsec_table_stats {
	uint64_t messages, ike_up, ike_down, child_up, child_down, replays;
	uint64_t unknown_down;		/* DOWN for an SA we did not know: harmless */
	uint64_t parse_rejects[L2TP_IPSEC_R_MAX];
	uint64_t apply_rejects[IPSEC_APPLY_MAX];
	uint64_t verdicts[5];		/* by enum ipsec_verdict */
};

struct ipsec_table {
	struct ipsec_htab ike_by_id, ike_by_addr, child_by_id, child_by_key;
	uint32_t seed;			/* hash start of the address tables (lib/fnv.h) */
	uint32_t generation;
	bool synced;			/* a replay completed on the current connection */
	bool hello;			/* HELLO seen on the current connection */
	struct ipsec_table_ops ops;
	struct ipsec_table_stats stats;
};

/* 0 or -1 (no memory). */
int ipsec_table_init(struct ipsec_table *t, const struct ipsec_table_ops *ops);
void ipsec_table_free(struct ipsec_table *t);

/* A new plugin connection: what it replays is the truth; until its
 * REPLAY_END, new peers cannot be judged. */
void ipsec_table_connected(struct ipsec_table *t);
/* The plugin went away: keep what we know, but judge no new peer. */
void ipsec_table_disconnected(struct ipsec_table *t);

/* Parse and apply one message from the plugin. */
enum l2tp_ipsec_reason ipsec_table_input(struct ipsec_table *t, const uint8_t *buf, size_t len,
					 enum ipsec_apply_reason *apply);
/* Apply a parsed message (exposed for tests). */
enum ipsec_apply_reason ipsec_table_apply(struct ipsec_table *t, const struct l2tp_ipsec_msg *m);

enum ipsec_verdict {
	IPSEC_OK,			/* an L2TP CHILD_SA covers this peer (and mark) */
	IPSEC_WAIT,			/* cannot tell yet: not synced, or SA set-up under way */
	IPSEC_NO_SA,			/* the peer holds no IPsec SA at all */
	IPSEC_CLEARTEXT,		/* the peer has marked SAs, this datagram came without */
	IPSEC_UNKNOWN_MARK,		/* marked, but no SA has this mark (and no unmarked SA) */
};

const char *ipsec_verdict_text(enum ipsec_verdict v);

/*
 * Does the peer at family (4 or 6)/addr, whose datagram arrived with mark
 * (0: none), hold an L2TP CHILD_SA? On IPSEC_OK *ike is its IKE SA.
 */
enum ipsec_verdict ipsec_table_check(struct ipsec_table *t, int family, const uint8_t *addr,
				     uint32_t mark, struct ipsec_ike **ike);

struct ipsec_ike *ipsec_table_ike(const struct ipsec_table *t, uint32_t ike_id);
/* Tunnel bookkeeping: how many tunnels ride on an IKE SA. unbind returns
 * the IKE SA (NULL if it is gone) with its count decremented. */
void ipsec_table_bind(struct ipsec_table *t, struct ipsec_ike *ike);
struct ipsec_ike *ipsec_table_unbind(struct ipsec_table *t, uint32_t ike_id);

uint32_t ipsec_table_ike_count(const struct ipsec_table *t);
uint32_t ipsec_table_child_count(const struct ipsec_table *t);

#endif

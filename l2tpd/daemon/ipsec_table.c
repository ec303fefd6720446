/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ipsec_table.h"

#include <stdlib.h>
#include <string.h>

#include "fnv.h"

#define container_of_(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define HTAB_INITIAL 64u

/* ---- a small chained hash table of intrusive nodes ---- */

static int htab_init(struct ipsec_htab *h)
{
	h->b = calloc(HTAB_INITIAL, sizeof(*h->b));
	h->mask = HTAB_INITIAL - 1;
	h->n = 0;
	return h->b ? 0 : -1;
}

static void htab_grow(struct ipsec_htab *h)
{
	uint32_t size = (h->mask + 1) * 2;
	struct ipsec_hnode **b = calloc(size, sizeof(*b));

	if (!b)
		return;	/* longer chains, still correct */
	for (uint32_t i = 0; i <= h->mask; i++) {
		struct ipsec_hnode *n = h->b[i], *next;
		for (; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (size - 1)];
			b[n->hash & (size - 1)] = n;
		}
	}
	free(h->b);
	h->b = b;
	h->mask = size - 1;
}

static void htab_insert(struct ipsec_htab *h, struct ipsec_hnode *n, uint32_t hash)
{
	if (h->n >= 2 * (h->mask + 1))
		htab_grow(h);
	n->hash = hash;
	n->next = h->b[hash & h->mask];
	h->b[hash & h->mask] = n;
	h->n++;
}

static void htab_remove(struct ipsec_htab *h, struct ipsec_hnode *n)
{
	struct ipsec_hnode **pp = &h->b[n->hash & h->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			h->n--;
			return;
		}
	}
}

static struct ipsec_hnode *htab_first(const struct ipsec_htab *h, uint32_t hash)
{
	return h->b[hash & h->mask];
}

static uint32_t hash_id(uint32_t id)
{
	return id * 2654435761u;
}

static size_t addr_len(int family)
{
	return family == 6 ? 16 : 4;
}

/* Peer addresses come from the network: the table's random seed keeps
 * a client from choosing addresses that share a bucket. */
static uint32_t hash_addr(const struct ipsec_table *t, int family, const uint8_t *addr)
{
	uint8_t f = (uint8_t)family;

	return fnv1a32(fnv1a32(t->seed, &f, 1), addr, addr_len(family));
}

static uint32_t hash_key(const struct ipsec_table *t, int family, const uint8_t *addr,
			 uint32_t mark)
{
	uint8_t m[4] = { (uint8_t)(mark >> 24), (uint8_t)(mark >> 16), (uint8_t)(mark >> 8),
			 (uint8_t)mark };

	return fnv1a32(hash_addr(t, family, addr), m, 4);
}

static bool same_addr(const struct l2tp_ipsec_addr *a, int family, const uint8_t *addr)
{
	return a->family == family && !memcmp(a->addr, addr, addr_len(family));
}

/* ---- names ---- */

const char *ipsec_gone_reason_text(enum ipsec_gone_reason r)
{
	switch (r) {
	case IPSEC_GONE_IKE_DOWN: return "IPsec IKE SA down";
	case IPSEC_GONE_LAST_CHILD: return "IPsec SA for L2TP down";
	case IPSEC_GONE_NOT_REPLAYED: return "IPsec SA gone while the charon link was down";
	}
	return "?";
}

const char *ipsec_verdict_text(enum ipsec_verdict v)
{
	switch (v) {
	case IPSEC_OK: return "IPsec SA present";
	case IPSEC_WAIT: return "IPsec state not known yet";
	case IPSEC_NO_SA: return "no IPsec SA";
	case IPSEC_CLEARTEXT: return "no IPsec SA: cleartext L2TP from a peer that has SAs";
	case IPSEC_UNKNOWN_MARK: return "IPsec mark of no known SA";
	}
	return "?";
}

/* ---- set-up ---- */

int ipsec_table_init(struct ipsec_table *t, const struct ipsec_table_ops *ops)
{
	memset(t, 0, sizeof(*t));
	if (ops)
		t->ops = *ops;
	t->seed = fnv1a32_seeded(hash_random_seed());
	if (htab_init(&t->ike_by_id) || htab_init(&t->ike_by_addr) ||
	    htab_init(&t->child_by_id) || htab_init(&t->child_by_key)) {
		ipsec_table_free(t);
		return -1;
	}
	return 0;
}

static void ike_free_strings(struct ipsec_ike *ike)
{
	free(ike->remote_id);
	free(ike->local_id);
	free(ike->cert_subject);
	free(ike->cert_issuer);
	free(ike->name);
}

void ipsec_table_free(struct ipsec_table *t)
{
	if (t->child_by_id.b) {
		for (uint32_t i = 0; i <= t->child_by_id.mask; i++) {
			struct ipsec_hnode *n = t->child_by_id.b[i], *next;
			for (; n; n = next) {
				next = n->next;
				free(container_of_(n, struct ipsec_child, by_id));
			}
		}
	}
	if (t->ike_by_id.b) {
		for (uint32_t i = 0; i <= t->ike_by_id.mask; i++) {
			struct ipsec_hnode *n = t->ike_by_id.b[i], *next;
			for (; n; n = next) {
				struct ipsec_ike *ike = container_of_(n, struct ipsec_ike, by_id);
				next = n->next;
				ike_free_strings(ike);
				free(ike);
			}
		}
	}
	free(t->ike_by_id.b);
	free(t->ike_by_addr.b);
	free(t->child_by_id.b);
	free(t->child_by_key.b);
	memset(t, 0, sizeof(*t));
}

void ipsec_table_connected(struct ipsec_table *t)
{
	t->generation++;
	t->synced = false;
	t->hello = false;
}

void ipsec_table_disconnected(struct ipsec_table *t)
{
	t->synced = false;
	t->hello = false;
}

/* ---- lookups ---- */

struct ipsec_ike *ipsec_table_ike(const struct ipsec_table *t, uint32_t id)
{
	for (struct ipsec_hnode *n = htab_first(&t->ike_by_id, hash_id(id)); n; n = n->next) {
		struct ipsec_ike *ike = container_of_(n, struct ipsec_ike, by_id);
		if (ike->id == id)
			return ike;
	}
	return NULL;
}

static struct ipsec_child *child_find(const struct ipsec_table *t, uint32_t id)
{
	for (struct ipsec_hnode *n = htab_first(&t->child_by_id, hash_id(id)); n; n = n->next) {
		struct ipsec_child *c = container_of_(n, struct ipsec_child, by_id);
		if (c->id == id)
			return c;
	}
	return NULL;
}

/* The newest CHILD_SA (inserted last, found first) for peer and mark. */
static struct ipsec_child *child_by_key(const struct ipsec_table *t, int family,
					const uint8_t *addr, uint32_t mark)
{
	uint32_t h = hash_key(t, family, addr, mark);

	for (struct ipsec_hnode *n = htab_first(&t->child_by_key, h); n; n = n->next) {
		struct ipsec_child *c = container_of_(n, struct ipsec_child, by_key);
		if (n->hash == h && c->mark_in == mark && same_addr(&c->peer, family, addr))
			return c;
	}
	return NULL;
}

uint32_t ipsec_table_ike_count(const struct ipsec_table *t)
{
	return t->ike_by_id.n;
}

uint32_t ipsec_table_child_count(const struct ipsec_table *t)
{
	return t->child_by_id.n;
}

/* ---- changes ---- */

static void child_unlink(struct ipsec_table *t, struct ipsec_child *c)
{
	struct ipsec_child **pp;

	htab_remove(&t->child_by_id, &c->by_id);
	htab_remove(&t->child_by_key, &c->by_key);
	for (pp = &c->ike->children; *pp; pp = &(*pp)->sibling) {
		if (*pp == c) {
			*pp = c->sibling;
			break;
		}
	}
}

static void ike_remove(struct ipsec_table *t, struct ipsec_ike *ike, enum ipsec_gone_reason why)
{
	ike->going = true;
	if (ike->tunnels && t->ops.sa_gone)
		t->ops.sa_gone(t->ops.ctx, ike, why);
	while (ike->children) {
		struct ipsec_child *c = ike->children;
		child_unlink(t, c);
		free(c);
	}
	htab_remove(&t->ike_by_id, &ike->by_id);
	if (ike->peer.family)
		htab_remove(&t->ike_by_addr, &ike->by_addr);
	ike_free_strings(ike);
	free(ike);
}

static struct ipsec_ike *ike_get(struct ipsec_table *t, uint32_t id)
{
	struct ipsec_ike *ike = ipsec_table_ike(t, id);

	if (ike)
		return ike;
	ike = calloc(1, sizeof(*ike));
	if (!ike)
		return NULL;
	ike->id = id;
	htab_insert(&t->ike_by_id, &ike->by_id, hash_id(id));
	return ike;
}

static void ike_set_peer(struct ipsec_table *t, struct ipsec_ike *ike,
			 const struct l2tp_ipsec_addr *peer)
{
	if (ike->peer.family && same_addr(&ike->peer, ike->peer.family, peer->addr) &&
	    ike->peer.family == peer->family)
		return;
	if (ike->peer.family)
		htab_remove(&t->ike_by_addr, &ike->by_addr);
	ike->peer = *peer;
	htab_insert(&t->ike_by_addr, &ike->by_addr, hash_addr(t, peer->family, peer->addr));
}

/* Replace *dst by a copy of s when the message has it. false: no memory. */
static bool set_str(char **dst, const struct l2tp_ipsec_str *s, bool present)
{
	char *p;

	if (!present)
		return true;
	p = malloc((size_t)s->len + 1);
	if (!p)
		return false;
	memcpy(p, s->p, s->len);
	p[s->len] = '\0';
	free(*dst);
	*dst = p;
	return true;
}

static void ike_rekeyed(struct ipsec_table *t, struct ipsec_ike *ike, uint32_t old_id)
{
	struct ipsec_ike *old = ipsec_table_ike(t, old_id);

	if (!old || old == ike)
		return;
	/* IKEv2 IKE rekeying: CHILD_SAs and tunnels move to the new IKE SA. */
	while (old->children) {
		struct ipsec_child *c = old->children;
		old->children = c->sibling;
		c->ike = ike;
		c->sibling = ike->children;
		ike->children = c;
	}
	ike->tunnels += old->tunnels;
	old->tunnels = 0;
	if (t->ops.ike_rekeyed)
		t->ops.ike_rekeyed(t->ops.ctx, old_id, ike->id);
	ike_remove(t, old, IPSEC_GONE_IKE_DOWN);
}

static enum ipsec_apply_reason ike_up(struct ipsec_table *t, const struct l2tp_ipsec_msg *m)
{
	struct ipsec_ike *ike = ike_get(t, m->ike_id);
	bool ok;

	if (!ike)
		return IPSEC_APPLY_NO_MEMORY;
	t->stats.ike_up++;
	ike->generation = t->generation;
	ike_set_peer(t, ike, &m->peer);
	ike->peer_port = m->peer_port;
	ike->local = m->local;
	ike->local_port = m->local_port;
	ike->ike_version = m->ike_version;
	ok = set_str(&ike->remote_id, &m->remote_id, l2tp_ipsec_has(m, L2TP_IPSEC_A_REMOTE_ID)) &&
	     set_str(&ike->local_id, &m->local_id, l2tp_ipsec_has(m, L2TP_IPSEC_A_LOCAL_ID)) &&
	     set_str(&ike->cert_subject, &m->cert_subject,
		     l2tp_ipsec_has(m, L2TP_IPSEC_A_CERT_SUBJECT)) &&
	     set_str(&ike->cert_issuer, &m->cert_issuer,
		     l2tp_ipsec_has(m, L2TP_IPSEC_A_CERT_ISSUER)) &&
	     set_str(&ike->name, &m->name, l2tp_ipsec_has(m, L2TP_IPSEC_A_NAME));
	if (l2tp_ipsec_has(m, L2TP_IPSEC_A_OLD_IKE_ID))
		ike_rekeyed(t, ike, m->old_ike_id);
	return ok ? IPSEC_APPLY_OK : IPSEC_APPLY_NO_MEMORY;
}

static enum ipsec_apply_reason child_up(struct ipsec_table *t, const struct l2tp_ipsec_msg *m)
{
	struct ipsec_child *c = child_find(t, m->child_id);
	struct ipsec_ike *ike;

	if (c && c->ike->id != m->ike_id)
		return IPSEC_APPLY_CHILD_CONFLICT;
	ike = ike_get(t, m->ike_id);
	if (!ike)
		return IPSEC_APPLY_NO_MEMORY;
	if (!ike->peer.family)	/* CHILD_UP before IKE_UP: learn the address */
		ike_set_peer(t, ike, &m->peer);
	if (c) {
		htab_remove(&t->child_by_key, &c->by_key);
	} else {
		c = calloc(1, sizeof(*c));
		if (!c)
			return IPSEC_APPLY_NO_MEMORY;
		c->id = m->child_id;
		c->ike = ike;
		c->sibling = ike->children;
		ike->children = c;
		htab_insert(&t->child_by_id, &c->by_id, hash_id(c->id));
	}
	t->stats.child_up++;
	c->generation = t->generation;
	c->peer = m->peer;
	c->mark_in = m->mark_in;
	c->mark_out = m->mark_out;
	c->encap = m->encap;
	if (c->encap)
		ike->encap = true;
	ike->generation = t->generation;
	htab_insert(&t->child_by_key, &c->by_key, hash_key(t, c->peer.family, c->peer.addr, c->mark_in));
	return IPSEC_APPLY_OK;
}

static void child_remove(struct ipsec_table *t, struct ipsec_child *c)
{
	struct ipsec_ike *ike = c->ike;

	child_unlink(t, c);
	free(c);
	if (!ike->children && ike->tunnels && !ike->going && t->ops.sa_gone)
		t->ops.sa_gone(t->ops.ctx, ike, IPSEC_GONE_LAST_CHILD);
}

static void replay_end(struct ipsec_table *t)
{
	/* What the new connection did not replay, charon does not hold. */
	for (uint32_t i = 0; i <= t->ike_by_id.mask; i++) {
		struct ipsec_hnode *n = t->ike_by_id.b[i], *next;
		for (; n; n = next) {
			struct ipsec_ike *ike = container_of_(n, struct ipsec_ike, by_id);
			next = n->next;
			if (ike->generation != t->generation)
				ike_remove(t, ike, IPSEC_GONE_NOT_REPLAYED);
		}
	}
	for (uint32_t i = 0; i <= t->child_by_id.mask; i++) {
		struct ipsec_hnode *n = t->child_by_id.b[i], *next;
		for (; n; n = next) {
			struct ipsec_child *c = container_of_(n, struct ipsec_child, by_id);
			next = n->next;
			if (c->generation != t->generation)
				child_remove(t, c);
		}
	}
	t->synced = true;
	t->stats.replays++;
}

enum ipsec_apply_reason ipsec_table_apply(struct ipsec_table *t, const struct l2tp_ipsec_msg *m)
{
	struct ipsec_ike *ike;
	struct ipsec_child *c;

	if (m->type != L2TP_IPSEC_HELLO && !t->hello)
		return IPSEC_APPLY_UNEXPECTED;
	switch (m->type) {
	case L2TP_IPSEC_HELLO:
		if (t->hello)
			return IPSEC_APPLY_UNEXPECTED;
		t->hello = true;
		return IPSEC_APPLY_OK;
	case L2TP_IPSEC_IKE_UP:
		return ike_up(t, m);
	case L2TP_IPSEC_IKE_DOWN:
		ike = ipsec_table_ike(t, m->ike_id);
		if (!ike) {
			t->stats.unknown_down++;
			return IPSEC_APPLY_OK;
		}
		t->stats.ike_down++;
		ike_remove(t, ike, IPSEC_GONE_IKE_DOWN);
		return IPSEC_APPLY_OK;
	case L2TP_IPSEC_CHILD_UP:
		return child_up(t, m);
	case L2TP_IPSEC_CHILD_DOWN:
		c = child_find(t, m->child_id);
		if (!c || c->ike->id != m->ike_id) {
			t->stats.unknown_down++;
			return IPSEC_APPLY_OK;
		}
		t->stats.child_down++;
		child_remove(t, c);
		return IPSEC_APPLY_OK;
	case L2TP_IPSEC_REPLAY_END:
		replay_end(t);
		return IPSEC_APPLY_OK;
	default:
		/* DELETE_IKE_SA goes the other way */
		return IPSEC_APPLY_UNEXPECTED;
	}
}

enum l2tp_ipsec_reason ipsec_table_input(struct ipsec_table *t, const uint8_t *buf, size_t len,
					 enum ipsec_apply_reason *apply)
{
	struct l2tp_ipsec_msg m;
	enum l2tp_ipsec_reason r;

	*apply = IPSEC_APPLY_OK;
	t->stats.messages++;
	r = l2tp_ipsec_parse(buf, len, &m);
	if (r != L2TP_IPSEC_OK) {
		t->stats.parse_rejects[r]++;
		return r;
	}
	*apply = ipsec_table_apply(t, &m);
	if (*apply != IPSEC_APPLY_OK)
		t->stats.apply_rejects[*apply]++;
	return r;
}

/* ---- verdicts ---- */

static enum ipsec_verdict check(struct ipsec_table *t, int family, const uint8_t *addr,
				uint32_t mark, struct ipsec_ike **ike_out)
{
	struct ipsec_child *c;
	bool peer_has_ike = false;
	uint32_t h;

	if (!t->synced)
		return IPSEC_WAIT;
	c = child_by_key(t, family, addr, mark);
	if (!c && mark)	/* SAs without marks (no connmark): any datagram mark */
		c = child_by_key(t, family, addr, 0);
	if (c) {
		*ike_out = c->ike;
		return IPSEC_OK;
	}
	if (mark) {
		/* With mark_in = %unique only datagrams that came through an
		 * SA carry a mark: its CHILD_UP is still on its way. */
		return IPSEC_UNKNOWN_MARK;
	}
	h = hash_addr(t, family, addr);
	for (struct ipsec_hnode *n = htab_first(&t->ike_by_addr, h); n; n = n->next) {
		struct ipsec_ike *ike = container_of_(n, struct ipsec_ike, by_addr);
		if (n->hash != h || !same_addr(&ike->peer, family, addr))
			continue;
		for (c = ike->children; c; c = c->sibling)
			if (c->mark_in)
				return IPSEC_CLEARTEXT;
		peer_has_ike = true;
	}
	/* An IKE SA without its L2TP CHILD_SA yet: quick mode is under way
	 * (or its CHILD_UP is on its way); the client retransmits. */
	return peer_has_ike ? IPSEC_WAIT : IPSEC_NO_SA;
}

enum ipsec_verdict ipsec_table_check(struct ipsec_table *t, int family, const uint8_t *addr,
				     uint32_t mark, struct ipsec_ike **ike_out)
{
	enum ipsec_verdict v;

	*ike_out = NULL;
	v = check(t, family, addr, mark, ike_out);
	t->stats.verdicts[v]++;
	return v;
}

void ipsec_table_bind(struct ipsec_table *t, struct ipsec_ike *ike)
{
	ike->tunnels++;
}

struct ipsec_ike *ipsec_table_unbind(struct ipsec_table *t, uint32_t ike_id)
{
	struct ipsec_ike *ike = ipsec_table_ike(t, ike_id);

	if (ike && ike->tunnels)
		ike->tunnels--;
	return ike;
}

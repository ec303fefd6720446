/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet filters of profiles (policy's filter_in / filter_out), enforced by
 * the kernel with nftables, so the daemon does no per-packet work and a
 * packet's cost does not grow with the number of sessions (docs/l2tpd.md):
 *
 *   table inet l2tpd {
 *     map sessions_in  { type ifname : verdict; }   # session interface -> jump chain
 *     map sessions_out { type ifname : verdict; }
 *     chain input   { hook input   ...; udp 68->67 accept; iifname vmap @sessions_in }
 *     chain forward { hook forward ...; iifname vmap @sessions_in; oifname vmap @sessions_out }
 *     chain output  { hook output  ...; udp 67->68 accept; oifname vmap @sessions_out }
 *     chain g1_p0_in { <rules of policy 0's filter_in>; <default> }   # one per profile
 *     counter cleartext_l2tp                  # require_ipsec only: see below
 *     chain cleartext_guard { hook output priority -1; udp sport {...} rt ipsec missing ... drop }
 *   }
 *
 * A permit is `return` (not accept: a packet between two sessions must meet
 * the second one's filter_out too), a deny is `drop`. Sessions add and
 * remove one map element each; the profile chains are made the first time
 * a session of that policy needs them and deleted when the last one ends.
 * A reload starts a new generation: new sessions get chains built from the
 * new file, sessions already up keep theirs.
 *
 * nftables is driven through libnftables (the library behind the nft
 * tool): one batch of commands per change, applied atomically by the
 * kernel; a box whose profiles have no filters never calls it. When a filter is needed and cannot be installed, the session
 * is refused (fail closed: a filter is a security boundary).
 */
#ifndef L2TPD_FILTER_H
#define L2TPD_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define FILTER_TABLE "l2tpd"

struct filters;
struct filter_chain;

/* Open an nftables context and remove a table a killed predecessor left.
 * Fails only without memory for *out; without an nftables context, *out is
 * a handle whose attach fails with the reason. */
int filters_open(struct filters **out);
/* Removes the table (and with it every element and chain). */
void filters_close(struct filters *f);
/* A reload: chains made from now on belong to the new policy file. */
void filters_new_generation(struct filters *f);

/* Does this filter do anything? (rules, or a default deny) */
bool filter_needed(const struct policy_filter *flt);

/* Attach the profile's filters to a session's interface. *in / *out get
 * the chains (NULL when that direction needs none). 0, or -1 with err. */
int filters_attach(struct filters *f, const char *ifname, int policy_index,
		   const struct policy_filter *filter_in, const struct policy_filter *filter_out,
		   struct filter_chain **in, struct filter_chain **out, char *err, size_t errlen);
/*
 * A live session's filters changed (a CoA-Request's Filter-Id, RFC 5176
 * section 3.1): make before break. The new chains are made (or shared)
 * first; then ONE nftables transaction deletes the session's old element
 * and adds the new one in each direction (only deletes where the new
 * policy has no filter that way, only adds where the old had none), so no
 * packet of the session ever passes between two filters; then the old
 * chains' references are dropped. *in / *out hold the session's chains
 * and get the new ones. On failure nothing changed: the old elements still
 * jump to the old chains, *in / *out are as they were. 0, or -1 with err.
 */
int filters_replace(struct filters *f, const char *ifname, int policy_index,
		    const struct policy_filter *filter_in, const struct policy_filter *filter_out,
		    struct filter_chain **in, struct filter_chain **out, char *err, size_t errlen);
/* Pure, for tests: that transaction's commands. had_in / had_out: the
 * session has an element in that map now; new_in / new_out: the chain its
 * new element jumps to, NULL for none. Returns the length (0: nothing to
 * do), or -1 (buffer too small). */
int filter_render_replace(const char *ifname, bool had_in, const char *new_in, bool had_out,
			  const char *new_out, char *buf, size_t len);
/* Remove the session's map elements and release its chains. */
void filters_detach(struct filters *f, const char *ifname, struct filter_chain *in,
		    struct filter_chain *out);

/*
 * Nothing in clear (require_ipsec = yes; docs/ipsec.md, docs/security.md):
 * a base chain on the output hook drops, and counts in the named counter
 * FILTER_CLEARTEXT_COUNTER, every UDP datagram from an L2TP port whose
 * route is not an IPsec transform (`rt ipsec missing`): whatever the
 * order of events (the SA deleted before our StopCCN left, a datagram
 * without the mark of a live SA), L2TP never leaves unencrypted. It sees
 * both data planes: the kernel's L2TP sockets go through the output hook
 * too. ESP and IKE are other protocols or ports and pass. 0, or -1 with
 * err (the daemon then refuses to start).
 */
#define FILTER_CLEARTEXT_COUNTER "cleartext_l2tp"
int filters_guard_cleartext(struct filters *f, const uint16_t *ports, size_t n_ports, char *err,
			    size_t errlen);
/* Datagrams that guard dropped so far; -1 when it is not installed. */
int64_t filters_cleartext_dropped(struct filters *f);

/* Pure, for tests: the guard's nft commands (ports deduplicated), and
 * the packet count in `nft list counter` output (-1: none found). */
int filter_render_cleartext_guard(const uint16_t *ports, size_t n_ports, char *buf, size_t len);
int64_t filter_parse_counter_packets(const char *text);

/* "g1_p0_in": the nftables chain (l2tpctl sessions --json). */
const char *filter_chain_name(const struct filter_chain *c);

/* Pure, for tests: the nft commands that create chain `chain` of table
 * inet FILTER_TABLE with the filter's rules in file order, then the
 * default. Returns the length, or -1 (buffer too small, a rule mixing
 * IPv4 and IPv6) with err. */
int filter_render_chain(const struct policy_filter *flt, const char *chain, char *buf,
			size_t len, char *err, size_t errlen);

#endif

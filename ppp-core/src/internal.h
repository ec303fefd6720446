/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the ppp-core modules; not part of the public API. */
#ifndef PPP_INTERNAL_H
#define PPP_INTERNAL_H

#include "ppp/ppp.h"
#include "ppp/reader.h"

#include <string.h>

/* LCP option types (RFC 1661 6, IANA PPP LCP Configuration Options). */
#define LCP_OPT_MRU		1
#define LCP_OPT_ACCM		2
#define LCP_OPT_AUTH		3
#define LCP_OPT_QUALITY		4
#define LCP_OPT_MAGIC		5
#define LCP_OPT_PFC		7
#define LCP_OPT_ACFC		8
#define LCP_OPT_CALLBACK	13
#define LCP_OPT_MRRU		17
#define LCP_OPT_SSNHF		18
#define LCP_OPT_EPDISC		19
#define LCP_OPT_LDISC		23

#define LCP_WANT_MRU		0x01
#define LCP_WANT_AUTH		0x02
#define LCP_WANT_MAGIC		0x04

#define LCP_PEER_PFC		0x01
#define LCP_PEER_ACFC		0x02
#define LCP_PEER_MAGIC		0x04
#define LCP_PEER_MRU		0x08

/* IPCP option types (RFC 1332 3, RFC 1877 1). */
#define IPCP_OPT_ADDRESSES	1
#define IPCP_OPT_COMPRESSION	2
#define IPCP_OPT_ADDRESS	3
#define IPCP_OPT_DNS1		129
#define IPCP_OPT_NBNS1		130
#define IPCP_OPT_DNS2		131
#define IPCP_OPT_NBNS2		132

#define IPCP_WANT_ADDR		0x01
#define IPCP_WANT_DNS1		0x02
#define IPCP_WANT_NBNS1		0x04
#define IPCP_WANT_DNS2		0x08
#define IPCP_WANT_NBNS2		0x10

/* IPV6CP option types (RFC 5072 4). */
#define IPV6CP_OPT_IFID		1
#define IPV6CP_OPT_COMPRESSION	2
#define IPV6CP_WANT_IFID	0x01

/* CHAP algorithms (RFC 1994 4.1, RFC 2759 2). */
#define CHAP_ALG_MD5		5
#define CHAP_ALG_MSCHAPV2	0x81

extern const struct ppp_fsm_ops ppp_lcp_ops;
extern const struct ppp_fsm_ops ppp_ipcp_ops;
extern const struct ppp_fsm_ops ppp_ipv6cp_ops;

/* session.c */
void ppp_send_proto(struct ppp_session *s, uint16_t proto, const uint8_t *pkt,
		    size_t len);
void ppp_send_packet(struct ppp_session *s, uint16_t proto, uint8_t code,
		     uint8_t id, const uint8_t *data, size_t len);
void ppp_emit(struct ppp_session *s, const struct ppp_event *ev);
void ppp_count_bad(struct ppp_session *s, enum ppp_malformed why);
/* False when the random source failed (buf is then not to be used). */
bool ppp_random_bytes(struct ppp_session *s, void *buf, size_t len);
/* A random value, or 0 when the source failed. */
uint32_t ppp_random_u32(struct ppp_session *s);
void ppp_link_close(struct ppp_session *s, enum ppp_down_reason why);
void ppp_report_down(struct ppp_session *s, enum ppp_down_reason fallback);
void ppp_enter_network(struct ppp_session *s);
void ppp_ncp_finished(struct ppp_session *s);
/* Options walk: checks the structure of a whole option list first
 * (RFC 1661 6: Type, Length >= 2, within the packet).  Counts and returns
 * -1 on the first defect. */
int ppp_options_valid(struct ppp_session *s, const uint8_t *opts, size_t len);
/* The next option of a list ppp_options_valid() accepted: its Type and
 * its body (after Type and Length). false at the end of the list. */
bool ppp_next_option(struct ppp_reader *rd, uint8_t *type, const uint8_t **body,
		     size_t *blen);

/* trace.c */
/* The one setter of s->phase: traced with what moved it (static text). */
void ppp_set_phase(struct ppp_session *s, enum ppp_phase to, const char *why);
/* The trace op of the LCP, IPCP and IPV6CP automata: their transitions
 * go out through ppp_callbacks.trace. */
void ppp_fsm_trace(void *ctx, const struct ppp_fsm *f, int event, unsigned action,
		   int from, int to);

/* lcp.c */
void ppp_lcp_init_state(struct ppp_session *s);
void ppp_lcp_echo_timer(struct ppp_session *s);
void ppp_lcp_protocol_reject(struct ppp_session *s, uint16_t proto,
			     const uint8_t *info, size_t len);
size_t ppp_auth_option(enum ppp_auth_method m, uint8_t *buf, size_t cap);

/* ncp.c */
void ppp_ipcp_init_state(struct ppp_session *s);
void ppp_ipv6cp_init_state(struct ppp_session *s);

/* auth.c */
void ppp_auth_start(struct ppp_session *s);
void ppp_auth_reset(struct ppp_session *s);
void ppp_auth_layer_down(struct ppp_session *s);
void ppp_auth_input(struct ppp_session *s, uint16_t proto, const uint8_t *pkt,
		    size_t len);
void ppp_auth_timer(struct ppp_session *s);
bool ppp_auth_failed_as_server(const struct ppp_session *s);
bool ppp_auth_method_allowed(const struct ppp_session *s,
			     enum ppp_auth_method m);

/* Reply builders: RFC 1661 5.3/5.4, a Nak or Reject lists only the options
 * concerned, in the order they came. */
struct reply {
	struct ppp_writer nak;
	struct ppp_writer rej;
	bool reject_naks;
};

static inline void reply_reject(struct reply *r, uint8_t type, const uint8_t *body,
			 size_t blen)
{
	ppp_put_u8(&r->rej, type);
	ppp_put_u8(&r->rej, (uint8_t)(blen + 2));
	ppp_put_bytes(&r->rej, body, blen);
}

static inline void reply_nak(struct reply *r, uint8_t type, const uint8_t *body,
		      size_t blen, const uint8_t *orig, size_t olen)
{
	/* RFC 1661 4.6 Max-Failure: past it, Naks become Rejects. */
	if (r->reject_naks) {
		reply_reject(r, type, orig, olen);
		return;
	}
	ppp_put_u8(&r->nak, type);
	ppp_put_u8(&r->nak, (uint8_t)(blen + 2));
	ppp_put_bytes(&r->nak, body, blen);
}

static inline uint8_t reply_finish(struct reply *r, uint8_t *out, size_t cap,
			    size_t *out_len, uint8_t *nakbuf, uint8_t *rejbuf)
{
	if (r->rej.len) {
		memcpy(out, rejbuf, r->rej.len < cap ? r->rej.len : cap);
		*out_len = r->rej.len < cap ? r->rej.len : cap;
		return PPP_CONF_REJ;
	}
	if (r->nak.len) {
		memcpy(out, nakbuf, r->nak.len < cap ? r->nak.len : cap);
		*out_len = r->nak.len < cap ? r->nak.len : cap;
		return PPP_CONF_NAK;
	}
	*out_len = 0;
	return PPP_CONF_ACK;
}

static inline struct ppp_session *session_of(void *ctx)
{
	return (struct ppp_session *)ctx;
}

#endif

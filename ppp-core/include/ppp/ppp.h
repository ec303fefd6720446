/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ppp-core: a PPP implementation with no I/O of its own.
 *
 * Frames in (ppp_input), frames out (callbacks.send), one timer requested
 * from the caller (callbacks.set_timer, then ppp_timer_expired), events out
 * (callbacks.event), and an asynchronous verdict on each login
 * (PPP_EVENT_AUTH_REQUEST, answered later by ppp_auth_answer).  Time is a
 * monotonic millisecond count passed in by the caller.  All per-session
 * state lives in struct ppp_session (see docs/ppp-core.md); there are no
 * globals, so any number of sessions run side by side.
 */
#ifndef PPP_PPP_H
#define PPP_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp/fsm.h"
#include "ppp/secret.h"

/* PPP protocol numbers (IANA "PPP DLL Protocol Numbers"). */
#define PPP_PROTO_IP		0x0021
#define PPP_PROTO_IPV6		0x0057
#define PPP_PROTO_IPCP		0x8021
#define PPP_PROTO_IPV6CP	0x8057
#define PPP_PROTO_CCP		0x80FD
#define PPP_PROTO_LCP		0xC021
#define PPP_PROTO_PAP		0xC023
#define PPP_PROTO_CHAP		0xC223
#define PPP_PROTO_EAP		0xC227

/* Our default MRU: see docs/ppp-core.md "Why MRU 1400". */
#define PPP_DEFAULT_MRU		1400
#define PPP_MIN_MRU		128	/* smallest MRU we accept from a Nak */
#define PPP_MAX_FRAME		1508	/* FF 03 + protocol + 1500 + slack */

enum ppp_role { PPP_SERVER, PPP_CLIENT };

enum ppp_auth_method {
	PPP_AUTH_NONE = 0,
	PPP_AUTH_PAP,		/* RFC 1334 */
	PPP_AUTH_CHAP_MD5,	/* RFC 1994 */
	PPP_AUTH_MSCHAPV2,	/* RFC 2759 */
	PPP_AUTH_EAP,		/* RFC 3748, relayed */
	PPP_AUTH_NMETHODS
};

/* RFC 1661 section 3.2 phases. */
enum ppp_phase {
	PPP_PHASE_DEAD,
	PPP_PHASE_ESTABLISH,
	PPP_PHASE_AUTHENTICATE,
	PPP_PHASE_NETWORK,
	PPP_PHASE_TERMINATE,
};

/* Why the link went (or is going) down; also the text of our LCP
 * Terminate-Request (ppp_down_reason_text). */
enum ppp_down_reason {
	PPP_DOWN_NONE,
	PPP_DOWN_ADMIN,			/* ppp_close() by the caller */
	PPP_DOWN_PEER_TERMINATE,	/* peer sent Terminate-Request */
	PPP_DOWN_LOWER_LAYER,		/* ppp_lower_down() */
	PPP_DOWN_NEGOTIATION_TIMEOUT,	/* LCP restart counter exhausted */
	PPP_DOWN_LOOPBACK,		/* magic numbers: link looped back */
	PPP_DOWN_DEAD_PEER,		/* echo requests unanswered */
	PPP_DOWN_NO_AUTH_METHOD,	/* no common authentication protocol */
	PPP_DOWN_AUTH_FAILED,		/* credentials or policy refused */
	PPP_DOWN_AUTH_TIMEOUT,		/* peer or verdict too slow */
	PPP_DOWN_NO_NCP,		/* no network protocol came up */
	PPP_DOWN_PEER_REJECTED_LCP,	/* Code/Protocol-Reject of LCP */
	PPP_DOWN_SESSION_TIMEOUT,	/* for the caller's own timers */
	PPP_DOWN_IDLE_TIMEOUT,
	PPP_DOWN_NO_RANDOM,		/* the random source failed: no challenge */
	PPP_DOWN_NREASONS
};

/* Refusal reasons; the values are the MS-CHAP error codes (RFC 2759 6,
 * and Windows' RAS error numbers for the same conditions). */
enum ppp_auth_failure {
	PPP_AUTH_OK = 0,
	PPP_AUTH_FAIL_RESTRICTED_HOURS = 646,
	PPP_AUTH_FAIL_ACCOUNT_DISABLED = 647,
	PPP_AUTH_FAIL_PASSWORD_EXPIRED = 648,
	PPP_AUTH_FAIL_NO_DIALIN = 649,
	PPP_AUTH_FAIL_CREDENTIALS = 691,
};

enum ppp_event_type {
	PPP_EVENT_LINK_UP,		/* LCP opened */
	PPP_EVENT_LINK_DOWN,		/* LCP finished: tear the tunnel session down */
	PPP_EVENT_AUTH_REQUEST,		/* server: answer with ppp_auth_answer() */
	PPP_EVENT_AUTH_RESULT,		/* both roles: outcome of authentication */
	PPP_EVENT_NCP_UP,		/* IPCP or IPV6CP opened */
	PPP_EVENT_NCP_DOWN,
	PPP_EVENT_IDENTIFICATION,	/* LCP Identification (RFC 1570) */
	PPP_EVENT_TIME_REMAINING,	/* LCP Time-Remaining (RFC 1570) */
};

/* What a server-side login carries; pointers are valid only during the
 * event callback: copy what you keep. */
struct ppp_auth_request {
	enum ppp_auth_method method;
	const uint8_t *identity;	/* PAP Peer-ID, CHAP Name, EAP identity */
	size_t identity_len;
	union {
		struct {
			const uint8_t *password;
			size_t password_len;
		} pap;
		struct {
			uint8_t id;
			const uint8_t *challenge;	/* 16 octets */
			size_t challenge_len;
			const uint8_t *response;	/* 16 octets (MD5) */
			size_t response_len;
		} chap;
		struct {
			uint8_t id;
			const uint8_t *authenticator_challenge;	/* 16 */
			const uint8_t *peer_challenge;		/* 16 */
			const uint8_t *nt_response;		/* 24 */
			uint8_t flags;
		} mschapv2;
		struct {
			const uint8_t *packet;	/* the peer's whole EAP packet */
			size_t packet_len;
		} eap;
	} u;
};

struct ppp_event {
	enum ppp_event_type type;
	union {
		struct {
			enum ppp_down_reason reason;
			const char *text;
		} link_down;
		struct ppp_auth_request auth_request;
		struct {
			enum ppp_auth_method method;
			const uint8_t *identity;
			size_t identity_len;
			bool success;
			enum ppp_auth_failure code;
		} auth_result;
		struct {
			uint16_t protocol;	/* PPP_PROTO_IPCP or _IPV6CP */
			/* IPCP, host byte order; 0 when not negotiated */
			uint32_t local_addr, peer_addr;
			uint32_t dns[2], nbns[2];
			bool peer_chose_address;
			/* IPV6CP */
			uint8_t local_ifid[8], peer_ifid[8];
		} ncp;
		struct {
			const uint8_t *text;
			size_t text_len;
			uint32_t seconds;	/* Time-Remaining only */
		} lcp_info;
	} u;
};

/*
 * Tracing (docs/ppp-core.md "Tracing"): every change of the phase (RFC
 * 1661 section 3.2) and every transition of the LCP, IPCP and IPV6CP
 * automata (section 4.1) is handed to ppp_callbacks.trace, as it happens.
 * Authentication shows as the phase leaving Authenticate: to Network on
 * success, to Terminate (why: the down reason) on failure.
 */
enum ppp_trace_layer {
	PPP_TRACE_PHASE,
	PPP_TRACE_LCP,
	PPP_TRACE_IPCP,
	PPP_TRACE_IPV6CP,
};

struct ppp_trace {
	enum ppp_trace_layer layer;
	int from, to;		/* enum ppp_phase (PHASE) or enum ppp_fsm_state; from != to */
	int event;		/* enum ppp_fsm_event; -1: a phase change or ppp_fsm_reset */
	/* static text: the event's name ("RCR+", "TO-", "reset") or what
	 * moved the phase ("start", "LCP up", "auth success", a down reason) */
	const char *why;
};

const char *ppp_trace_layer_name(enum ppp_trace_layer l);
/* The name of a state of that layer ("Req-Sent", "Authenticate"). */
const char *ppp_trace_state_name(enum ppp_trace_layer l, int state);
const char *ppp_phase_name(enum ppp_phase p);

struct ppp_callbacks {
	/* One frame, protocol field onward, preceded by FF 03 when
	 * config.address_control is set.  Copy it: the buffer is reused. */
	void (*send)(void *ctx, const uint8_t *frame, size_t len);
	void (*event)(void *ctx, const struct ppp_event *ev);
	/* The session's next deadline changed: arm one timer at `deadline`
	 * (same clock as `now`), or cancel it when deadline is 0. */
	void (*set_timer)(void *ctx, uint64_t deadline);
	/* Unpredictable bytes for challenges and magic numbers: 0, or -1
	 * when none could be had. A challenge is never sent without them:
	 * the link closes with PPP_DOWN_NO_RANDOM. */
	int (*random)(void *ctx, uint8_t *buf, size_t len);
	/* Optional: every state change (struct ppp_trace), for a debug log.
	 * Must not call into the session. */
	void (*trace)(void *ctx, const struct ppp_trace *t);
};

/* Client-side credentials (our tests and load generator).  The caller keeps
 * the memory alive for the session's life. */
struct ppp_client_credentials {
	const char *user;
	const char *password;
};

/*
 * Client role: an EAP method that lives outside ppp-core (the test
 * client's PEAP, which needs TLS: ppp-core stays free of I/O and crypto
 * libraries).  ppp-core itself answers Identity, Notification and
 * MD5-Challenge (RFC 3748 5.1, 5.2, 5.4); every other Request type, or
 * `type` even when ppp-core knows it, is offered to `respond`.
 */
struct ppp_eap_method_request {
	uint8_t id;		/* the Request's Identifier */
	uint8_t type;		/* its Type (RFC 3748 5) */
	const uint8_t *data;	/* Type-Data: the octets after Type */
	size_t len;		/* bounded by the Request's Length field */
};

struct ppp_eap_method {
	uint8_t type;		/* the method's EAP Type; also what a Nak
				 * proposes (RFC 3748 5.3.1). 0: offer every
				 * type ppp-core does not handle */
	/* Fill out[0, cap) with the Response's Type-Data (the Response
	 * carries the Request's Type) and return its length, or return -1
	 * to decline: ppp-core then sends a legacy Nak. cap follows the
	 * peer's MRU, so a fragmenting method sizes its fragments from it.
	 * opaque is this struct's; ctx is the session's (ppp_session_init),
	 * where per-session method state belongs. Must not call into the
	 * session. */
	int (*respond)(void *opaque, void *ctx,
		       const struct ppp_eap_method_request *req,
		       uint8_t *out, size_t cap);
	/* Optional: asked when the authenticator's EAP-Success comes; false
	 * refuses it (the link closes as on a Failure): a method with mutual
	 * authentication has not finished (RFC 4137 4.1: the peer takes a
	 * Success only when its method's decision allows it). */
	bool (*success_ok)(void *opaque, void *ctx);
	void *opaque;
};

/* Shared by many sessions; the caller keeps it alive and unchanged. */
struct ppp_config {
	struct ppp_callbacks cb;
	uint16_t mru;			/* default PPP_DEFAULT_MRU */
	uint32_t restart_ms;		/* RFC 1661 4.6, default 3000 */
	uint8_t max_configure;		/* default 10 */
	uint8_t max_terminate;		/* default 2 */
	uint8_t max_failure;		/* default 5 */
	uint8_t loopback_limit;		/* magic collisions before "looped back", 5 */
	uint32_t echo_interval_ms;	/* LCP keepalive; 0 disables. default 30000 */
	uint8_t echo_failures;		/* unanswered echoes before dead, default 4 */
	uint32_t auth_timeout_ms;	/* whole authentication phase, default 30000 */
	bool address_control;		/* prepend FF 03 to sent frames (L2TP: yes) */
	const char *name;		/* our CHAP/MS-CHAP Name, default "ppp-core" */
	/* client role only */
	const struct ppp_client_credentials *client;
	bool client_request_dns;	/* ask for DNS 129/131 (default true) */
	bool client_request_nbns;	/* ask for NBNS 130/132 (default true) */
	bool client_ipv6cp;		/* client opens IPV6CP (default false) */
	const struct ppp_eap_method *client_eap;	/* optional, NULL: none */
};

/* What policy granted: given with the success verdict, before the library
 * sends the authentication Success (so the client's first IPCP request,
 * which it sends the moment it sees Success, finds IPCP ready). */
struct ppp_profile {
	uint32_t local_addr;		/* our IPCP address, host order (0: none) */
	uint32_t peer_addr;		/* assigned to the client (0: none) */
	uint32_t dns[2];		/* 0: not configured -> option Rejected */
	uint32_t nbns[2];		/* WINS, 0: not configured */
	bool allow_peer_address;	/* accept the client's own non-zero address */
	bool ipcp;			/* allowed NCPs */
	bool ipv6cp;
	uint16_t mru;			/* 0: keep the negotiated value */
	uint8_t local_ifid[8];		/* our IPV6CP identifier (0: random) */
};

/* The caller's answer to a PPP_EVENT_AUTH_REQUEST. */
enum ppp_answer_kind {
	PPP_ANSWER_LOCAL,	/* verify with these credentials yourself */
	PPP_ANSWER_ACCEPT,	/* an external authority said yes */
	PPP_ANSWER_REJECT,	/* no: reason says why */
};

struct ppp_auth_answer {
	enum ppp_answer_kind kind;
	/* LOCAL: NT-hash (MD4 of UTF-16LE password; MS-CHAPv2, PAP) and/or
	 * the cleartext secret (CHAP-MD5 needs it; PAP uses either). */
	const uint8_t *nt_hash;		/* 16 octets or NULL */
	const char *secret;
	size_t secret_len;
	/* ACCEPT for MS-CHAPv2: "S=" + 40 hex digits, computed by RADIUS. */
	const char *authenticator_response;
	/* REJECT (and LOCAL when verification fails): code and text. */
	enum ppp_auth_failure failure;
	const char *message;		/* shown to the user; NULL: default */
	/* LOCAL (used on success) and ACCEPT: required. */
	const struct ppp_profile *profile;
};

/* Why a frame was not taken; the session also counts these. */
enum ppp_input_result {
	PPP_INPUT_CONSUMED,	/* control protocol frame, handled */
	PPP_INPUT_DATA,		/* IPv4/IPv6 datagram: see ppp_data */
	PPP_INPUT_DROPPED,	/* malformed or not acceptable now: counted */
};

struct ppp_data {
	uint16_t protocol;	/* PPP_PROTO_IP or PPP_PROTO_IPV6 */
	const uint8_t *payload;	/* points into the input frame */
	size_t len;
};

/* Per-protocol packet counters (control and data). */
enum ppp_counter_proto {
	PPP_CNT_LCP,
	PPP_CNT_PAP,
	PPP_CNT_CHAP,
	PPP_CNT_EAP,
	PPP_CNT_IPCP,
	PPP_CNT_IPV6CP,
	PPP_CNT_IP,
	PPP_CNT_IPV6,
	PPP_CNT_OTHER,		/* everything we Protocol-Reject */
	PPP_CNT_NPROTOS
};

struct ppp_stats {
	uint64_t rx[PPP_CNT_NPROTOS];
	uint64_t tx[PPP_CNT_NPROTOS];
	uint32_t drop[PPP_CNT_NPROTOS];
	uint32_t malformed[PPP_BAD_NREASONS];
	uint32_t protocol_rejects_sent;
	uint32_t echo_sent, echo_lost;
	uint32_t echo_answered;	/* Echo-Replies to our latest Echo-Request */
};

/* ---- internals of the session (read-only for callers) ---- */

struct ppp_lcp_state {
	uint32_t magic;		/* ours (0: not negotiating magic) */
	uint32_t peer_magic;
	uint32_t nak_magic;	/* magic we last suggested in a Nak */
	uint16_t mru;		/* what we ask the peer to respect */
	uint16_t peer_mru;	/* what the peer asked us to respect */
	uint8_t want;		/* LCP_WANT_* bits: options we still request */
	uint8_t peer_flags;	/* LCP_PEER_* bits: what we Ack'd */
	uint8_t auth;		/* server: method we request; client: Ack'd */
	uint8_t auth_refused;	/* server: bitmask of methods peer refused */
	uint8_t loop_count;
	uint8_t echo_id;
	uint8_t echo_outstanding;
	uint8_t pad;
	uint64_t echo_deadline;
};

struct ppp_ipcp_state {
	uint32_t local_addr;	/* host order */
	uint32_t peer_addr;
	uint32_t dns[2];	/* client: what the server gave us */
	uint32_t nbns[2];
	uint8_t want;		/* IPCP_WANT_* bits */
	bool peer_chose_address;
};

struct ppp_ipv6cp_state {
	uint8_t local_ifid[8];
	uint8_t peer_ifid[8];
	uint8_t want;
};

#define PPP_IDENTITY_MAX 255
#define PPP_SECRET_MAX 255

struct ppp_auth_state {
	uint8_t method;		/* enum ppp_auth_method in use */
	uint8_t state;		/* AUTH_* in auth.c */
	uint8_t id;		/* current challenge/request Identifier */
	uint8_t tries;		/* retransmissions of our challenge/request */
	uint8_t identity_len;
	uint8_t secret_len;	/* PAP password held until the verdict */
	uint16_t result;	/* enum ppp_auth_failure of the outcome */
	uint64_t deadline;	/* retransmission of our packet */
	uint64_t phase_deadline;/* the whole phase (auth_timeout_ms) */
	uint8_t identity[PPP_IDENTITY_MAX];
	uint8_t challenge[16];	/* authenticator challenge (ours or the server's) */
	union {
		uint8_t secret[PPP_SECRET_MAX];	/* PAP password */
		struct {
			uint8_t peer_challenge[16];
			uint8_t nt_response[24];
			uint8_t md5_response[16];
			/* "S=" + 40 hex: resent if the response is repeated */
			char auth_response[43];
		} chap;
		struct {
			/* the relayed Request, the caller's, retransmitted
			 * until the peer answers (ppp_auth_eap_request) */
			const uint8_t *request;
			uint16_t request_len;
		} eap;
	} m;
};

struct ppp_session {
	const struct ppp_config *cfg;
	void *ctx;			/* the caller's, passed to callbacks */
	uint64_t now;			/* time of the current call */
	uint64_t timer;			/* deadline last given to set_timer */
	uint8_t role;			/* enum ppp_role */
	uint8_t phase;			/* enum ppp_phase */
	uint8_t down_reason;		/* first reason wins */
	bool down_reported;
	bool profile_set;
	uint8_t auth_order[PPP_AUTH_NMETHODS];	/* server preference */
	uint8_t auth_order_len;
	struct ppp_fsm lcp;
	struct ppp_fsm ipcp;
	struct ppp_fsm ipv6cp;
	struct ppp_lcp_state lcp_st;
	struct ppp_ipcp_state ipcp_st;
	struct ppp_ipv6cp_state ipv6cp_st;
	struct ppp_profile profile;
	struct ppp_auth_state auth;
	struct ppp_stats stats;
};

/* The design budget: sizeof(struct ppp_session) must stay below this. */
#define PPP_SESSION_BUDGET 2048

/* ---- API ---- */

void ppp_config_defaults(struct ppp_config *cfg);

/* Prepare a session (no allocation).  Server: set the allowed methods with
 * ppp_set_auth_methods() before ppp_start(). */
void ppp_session_init(struct ppp_session *s, const struct ppp_config *cfg,
		      enum ppp_role role, void *ctx);
/* Server preference order, e.g. {MSCHAPV2, EAP, CHAP_MD5}; n == 0: no
 * authentication is requested.  Client: the methods it agrees to use. */
void ppp_set_auth_methods(struct ppp_session *s,
			  const enum ppp_auth_method *order, size_t n);
/* Client role: NCPs to open and our IPV6CP identifier come from here. */
void ppp_set_profile(struct ppp_session *s, const struct ppp_profile *p);

/* The lower layer (L2TP session) is up: open LCP and send its request. */
void ppp_start(struct ppp_session *s, uint64_t now);
/* Close the link with a reason (LCP Terminate-Request carries its text). */
void ppp_close(struct ppp_session *s, uint64_t now, enum ppp_down_reason why);
/* The lower layer went away: no more sending; reports LINK_DOWN. */
void ppp_lower_down(struct ppp_session *s, uint64_t now);

/* One received frame, protocol field onward, with or without FF 03. */
enum ppp_input_result ppp_input(struct ppp_session *s, uint64_t now,
				const uint8_t *frame, size_t len,
				struct ppp_data *data);
/* The timer asked for through set_timer fired (late is fine). */
void ppp_timer_expired(struct ppp_session *s, uint64_t now);
/* Next deadline, 0 when none (the same value given to set_timer). */
uint64_t ppp_next_deadline(const struct ppp_session *s);

/* The pending login (PPP_EVENT_AUTH_REQUEST's material) again, pointing
 * into the session: valid until the verdict (ppp_auth_answer) or the link
 * goes down, so a caller that answers later need not copy it. EAP's packet
 * is not kept (NULL). Returns 0, or -1 when no request is pending. */
int ppp_auth_pending(const struct ppp_session *s, struct ppp_auth_request *out);

/* Check the pending login against the user's stored secret: PAP compare,
 * CHAP-MD5 (RFC 1994 4.1), MS-CHAPv2 NT-Response (RFC 2759 8.1). On a match
 * the MS-CHAPv2 authenticator response (8.7) is computed and kept, and the
 * request stays pending: the caller runs its post-authentication decision
 * and answers with ppp_auth_answer, ACCEPT (authenticator_response may then
 * be NULL: the kept one is sent) or REJECT with its own code. Nothing is
 * sent here. */
enum ppp_verify_result {
	PPP_VERIFY_MATCH,
	PPP_VERIFY_MISMATCH,
	PPP_VERIFY_UNUSABLE,	/* no stored form this method can use */
	PPP_VERIFY_NOT_PENDING,	/* no login waiting (or EAP: relay only) */
};
enum ppp_verify_result ppp_auth_verify(struct ppp_session *s,
				       const struct ppp_secret *secret);

/* Answer the pending PPP_EVENT_AUTH_REQUEST.  Returns 0, or -1 when no
 * request is pending or the answer does not fit the method (e.g. LOCAL
 * without the secret CHAP-MD5 needs, ACCEPT for MS-CHAPv2 without an
 * authenticator response and without a match from ppp_auth_verify). */
int ppp_auth_answer(struct ppp_session *s, uint64_t now,
		    const struct ppp_auth_answer *a);
/* EAP relay: send the external authenticator's next EAP Request (a whole
 * EAP packet, code 1) to the peer.  Returns 0 or -1 (not in EAP, bad).
 * The authenticator retransmits a Request (RFC 3748 4.3): ppp-core sends
 * it again every restart period, Max-Configure times, from `eap`, which
 * the caller keeps valid until the peer's next Response
 * (PPP_EVENT_AUTH_REQUEST), the link going down or the session's end. */
int ppp_auth_eap_request(struct ppp_session *s, uint64_t now,
			 const uint8_t *eap, size_t len);
/* EAP relay: the external authenticator's last word, its Success or
 * Failure (4 octets, RFC 3748 4.2), given before the verdict
 * (ppp_auth_answer): the Success or Failure the verdict sends carries its
 * Identifier, so the peer gets the packet as the authenticator sent it
 * (the verdict still decides which of the two goes: a refusal after the
 * authenticator's Success sends Failure). Returns 0, or -1 (no EAP
 * verdict due, not a Success or Failure of 4 octets). */
int ppp_auth_eap_final(struct ppp_session *s, const uint8_t *eap, size_t len);

const struct ppp_stats *ppp_session_stats(const struct ppp_session *s);
const char *ppp_down_reason_text(enum ppp_down_reason why);
const char *ppp_auth_method_name(enum ppp_auth_method m);

#endif

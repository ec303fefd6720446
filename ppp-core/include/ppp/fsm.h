/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RFC 1661 option-negotiation automaton, shared by LCP, IPCP and IPV6CP.
 *
 * One table (RFC 1661 section 4.1) drives every protocol; a protocol supplies
 * only its option handlers and layer hooks through struct ppp_fsm_ops.  The
 * automaton never sleeps and never reads a clock of its own: it asks the ops
 * for "now" and keeps its Restart timer as an absolute deadline that the
 * session folds into the one timer it asks its caller for.
 */
#ifndef PPP_FSM_H
#define PPP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 1661 section 4.2: the ten states. */
enum ppp_fsm_state {
	PPP_FSM_INITIAL,
	PPP_FSM_STARTING,
	PPP_FSM_CLOSED,
	PPP_FSM_STOPPED,
	PPP_FSM_CLOSING,
	PPP_FSM_STOPPING,
	PPP_FSM_REQ_SENT,
	PPP_FSM_ACK_RCVD,
	PPP_FSM_ACK_SENT,
	PPP_FSM_OPENED,
	PPP_FSM_NSTATES
};

/* RFC 1661 section 4.3: the sixteen events. */
enum ppp_fsm_event {
	PPP_FSM_UP,
	PPP_FSM_DOWN,
	PPP_FSM_OPEN,
	PPP_FSM_CLOSE,
	PPP_FSM_TO_PLUS,
	PPP_FSM_TO_MINUS,
	PPP_FSM_RCR_PLUS,
	PPP_FSM_RCR_MINUS,
	PPP_FSM_RCA,
	PPP_FSM_RCN,
	PPP_FSM_RTR,
	PPP_FSM_RTA,
	PPP_FSM_RUC,
	PPP_FSM_RXJ_PLUS,
	PPP_FSM_RXJ_MINUS,
	PPP_FSM_RXR,
	PPP_FSM_NEVENTS
};

/* RFC 1661 section 4.4: the actions, as bits.  When a table cell lists
 * several, they run in the order of this enum, which is the order every
 * cell of the RFC's table lists them in. */
enum ppp_fsm_action {
	PPP_FSM_TLD = 1u << 0,
	PPP_FSM_TLS = 1u << 1,
	PPP_FSM_IRC = 1u << 2,
	PPP_FSM_ZRC = 1u << 3,
	PPP_FSM_SCR = 1u << 4,
	PPP_FSM_SCA = 1u << 5,
	PPP_FSM_SCN = 1u << 6,
	PPP_FSM_STR = 1u << 7,
	PPP_FSM_STA = 1u << 8,
	PPP_FSM_SCJ = 1u << 9,
	PPP_FSM_SER = 1u << 10,
	PPP_FSM_TLU = 1u << 11,
	PPP_FSM_TLF = 1u << 12,
};
#define PPP_FSM_NACTIONS 13

/* One cell of the state table. */
struct ppp_fsm_transition {
	uint16_t actions;	/* enum ppp_fsm_action bits */
	uint8_t next;		/* enum ppp_fsm_state */
	bool legal;		/* false: "-" in the RFC (event cannot occur) */
};

/* Packet codes, RFC 1661 section 5 and RFC 1570. */
enum ppp_code {
	PPP_CONF_REQ = 1,
	PPP_CONF_ACK = 2,
	PPP_CONF_NAK = 3,
	PPP_CONF_REJ = 4,
	PPP_TERM_REQ = 5,
	PPP_TERM_ACK = 6,
	PPP_CODE_REJ = 7,
	PPP_PROTO_REJ = 8,
	PPP_ECHO_REQ = 9,
	PPP_ECHO_REPLY = 10,
	PPP_DISCARD_REQ = 11,
	PPP_IDENTIFICATION = 12,
	PPP_TIME_REMAINING = 13,
};

/* Why a received packet was discarded; the session counts each reason. */
enum ppp_malformed {
	PPP_BAD_FRAME_SHORT,		/* no room for a protocol field */
	PPP_BAD_PROTOCOL_FIELD,		/* protocol field not odd/even as RFC 1661 2 requires */
	PPP_BAD_HEADER_TRUNCATED,	/* fewer than 4 octets of code/id/length */
	PPP_BAD_LENGTH_SHORT,		/* Length field below the header size */
	PPP_BAD_LENGTH_PAST_FRAME,	/* Length field beyond the received octets */
	PPP_BAD_OPTION_TRUNCATED,	/* option header or body past the packet */
	PPP_BAD_OPTION_ZERO_LENGTH,	/* option Length below 2 */
	PPP_BAD_OPTION_LENGTH,		/* known option with the wrong length */
	PPP_BAD_OPTION_DUPLICATE,	/* the same option twice in one request */
	PPP_BAD_UNKNOWN_CODE,		/* answered with Code-Reject */
	PPP_BAD_ID_MISMATCH,		/* reply that does not match our request */
	PPP_BAD_ACK_MISMATCH,		/* Configure-Ack whose options differ */
	PPP_BAD_NAK_REJ_INVALID,	/* Configure-Nak/Reject we cannot honour */
	PPP_BAD_AUTH_PACKET,		/* PAP/CHAP/EAP field lengths wrong */
	PPP_BAD_UNEXPECTED,		/* packet not expected in this phase */
	PPP_BAD_NOT_OPEN,		/* data or NCP packet before its layer is up */
	PPP_BAD_ILLEGAL_EVENT,		/* event marked "-" in the state table */
	PPP_BAD_NREASONS
};

struct ppp_fsm;

/* What a protocol supplies.  All hooks get the fsm's ctx (the session). */
struct ppp_fsm_ops {
	uint16_t protocol;
	const char *name;
	/* Options of our next Configure-Request; returns their length. */
	size_t (*build_conf_req)(void *ctx, uint8_t *buf, size_t cap);
	/* Judge the peer's Configure-Request: fill out with the reply options
	 * and return PPP_CONF_ACK, PPP_CONF_NAK or PPP_CONF_REJ; return 0 to
	 * discard a malformed request (the hook counts why).  When
	 * reject_naks is set (Max-Failure reached, RFC 1661 section 4.6),
	 * options that would be Nak'd must be Rejected instead. */
	uint8_t (*recv_conf_req)(void *ctx, const uint8_t *opts, size_t len,
				 bool reject_naks, uint8_t *out, size_t cap,
				 size_t *out_len);
	/* Peer's Nak/Reject of our request: adjust what we ask for next.
	 * Return 0, or -1 to discard the packet as invalid. */
	int (*recv_conf_nak)(void *ctx, const uint8_t *opts, size_t len);
	int (*recv_conf_rej)(void *ctx, const uint8_t *opts, size_t len);
	/* This-Layer-Up/Down/Started/Finished (RFC 1661 section 4.4). */
	void (*layer_up)(void *ctx);
	void (*layer_down)(void *ctx);
	void (*layer_started)(void *ctx);
	void (*layer_finished)(void *ctx);
	/* Codes beyond 1..7 (LCP: Protocol-Reject, Echo, Discard...): return
	 * the event they make (RXR, RXJ+, RXJ-) or PPP_FSM_RUC.  May be NULL. */
	int (*classify_other)(void *ctx, uint8_t code, const uint8_t *data,
			      size_t len);
	/* The ser action: Send-Echo-Reply (LCP only, may be NULL). */
	void (*send_echo_reply)(void *ctx, uint8_t code, uint8_t id,
				const uint8_t *data, size_t len);
	/* Data of our Terminate-Request (LCP: the reason text); may be NULL. */
	size_t (*term_data)(void *ctx, uint8_t *buf, size_t cap);
	/* Transmit one packet (code, id, length, data) of this protocol. */
	void (*send)(void *ctx, uint16_t protocol, const uint8_t *pkt,
		     size_t len);
	uint64_t (*now)(void *ctx);
	void (*malformed)(void *ctx, enum ppp_malformed why);
	/* Debug trace; may be NULL. Called with action 0 for every
	 * transition, as it happens (event -1: ppp_fsm_reset), and for an
	 * illegal event (from == to); then once per action it runs. */
	void (*trace)(void *ctx, const struct ppp_fsm *f, int event,
		      unsigned action, int from, int to);
};

/* Per-protocol automaton state: 40 bytes. */
struct ppp_fsm {
	const struct ppp_fsm_ops *ops;
	void *ctx;
	uint64_t deadline;	/* Restart timer; 0 when not running */
	uint32_t restart_ms;	/* RFC 1661 4.6 Restart timer, default 3000 */
	uint8_t state;		/* enum ppp_fsm_state */
	uint8_t id;		/* Identifier of our last Conf-Req / Term-Req */
	uint8_t restart_count;
	uint8_t nak_count;	/* Naks sent since the last Ack: Max-Failure */
	uint8_t max_configure;	/* RFC 1661 4.6 Max-Configure, default 10 */
	uint8_t max_terminate;	/* Max-Terminate, default 2 */
	uint8_t max_failure;	/* Max-Failure, default 5 */
	uint8_t last_event;	/* enum ppp_fsm_event that ran last */
	uint8_t rej_id;		/* Identifier of our last Code/Protocol-Reject */
	/* The Configure-Request we last Nak'd or Rejected (its Identifier
	 * and a 16-bit hash of its options): a retransmission of it is
	 * answered again but not counted against Max-Failure. */
	uint8_t nak_req_id;
	uint16_t nak_req_hash;
	/* The Configure-Request we last Acked (Identifier, hash): in Opened
	 * the same again is a duplicate or a retransmission (our Ack was
	 * lost) and gets the Ack again instead of a renegotiation. */
	uint8_t ack_req_id;
	uint16_t ack_req_hash;
	bool ack_req_valid;
	/* Our current Configure-Request was Acked: a second Ack of it is a
	 * duplicate, not a reason to renegotiate (RFC 1661 5.1). */
	bool seen_ack;
	/* ... or got any valid reply (Ack, Nak, Reject). */
	bool replied;
	/* RFC 1661 5.1 "for retransmissions, the Identifier MAY remain
	 * unchanged": keep it when the restart timer resends the same
	 * options that got no reply, so the peer can tell a retransmission
	 * from a new request (off by default; sessions turn it on). */
	bool keep_id_on_retransmit;
	uint16_t req_hash;	/* options hash of our last Configure-Request */
};

/* The RFC 1661 section 4.1 table, as data. */
struct ppp_fsm_transition ppp_fsm_lookup(enum ppp_fsm_state s,
					 enum ppp_fsm_event e);
const char *ppp_fsm_state_name(int state);
const char *ppp_fsm_event_name(int event);
const char *ppp_fsm_action_name(unsigned action_bit);

void ppp_fsm_init(struct ppp_fsm *f, const struct ppp_fsm_ops *ops, void *ctx,
		  uint32_t restart_ms, uint8_t max_configure,
		  uint8_t max_terminate, uint8_t max_failure);

/* Back to Initial without running any action (the NCPs when LCP goes
 * down: a renegotiation opens them from scratch). Traced, event -1. */
void ppp_fsm_reset(struct ppp_fsm *f);

/* Administrative and lower-layer events. */
void ppp_fsm_up(struct ppp_fsm *f);
void ppp_fsm_down(struct ppp_fsm *f);
void ppp_fsm_open(struct ppp_fsm *f);
void ppp_fsm_close(struct ppp_fsm *f);
/* Restart timer expiry: TO+ or TO- by the restart counter. */
void ppp_fsm_timeout(struct ppp_fsm *f);
/* One received packet of this protocol (code onward). */
void ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len);
/* RXJ- from outside: the peer Protocol-Rejected this protocol. */
void ppp_fsm_protocol_rejected(struct ppp_fsm *f);

/* The received packet an event refers to (for sca/scn/sta/scj/ser). */
struct ppp_fsm_rx {
	uint8_t code;
	uint8_t id;
	const uint8_t *pkt;	/* whole packet, code onward */
	size_t pkt_len;
	const uint8_t *reply;	/* Conf-Ack/Nak/Rej options for sca/scn */
	size_t reply_len;
	uint8_t reply_code;
	bool retransmission;	/* Conf-Req: same id and options as the last one Nak'd */
	uint16_t req_hash;	/* Conf-Req: hash of its options */
};

/* Run one event through the table (used by the above and by tests). */
void ppp_fsm_dispatch(struct ppp_fsm *f, enum ppp_fsm_event ev,
		      const struct ppp_fsm_rx *rx);

static inline bool ppp_fsm_is_opened(const struct ppp_fsm *f)
{
	return f->state == PPP_FSM_OPENED;
}

#endif

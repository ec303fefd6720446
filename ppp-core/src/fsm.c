/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 1661 section 4: the option-negotiation automaton.
 *
 * The state table is data (fsm_table below, one cell per state x event,
 * copied from RFC 1661 section 4.1); ppp_fsm_dispatch() runs a cell's actions
 * in RFC order and moves to its next state.  The Restart timer (section 4.6)
 * is an absolute deadline kept here; the session collects deadlines and asks
 * its caller for one timer.
 */
#include "ppp/fsm.h"

#include <string.h>

#define T(a, n) { (uint16_t)(a), PPP_FSM_##n, true }
#define ILLEGAL { 0, 0, false }
#define NONE 0

enum {
	TLD = PPP_FSM_TLD, TLS = PPP_FSM_TLS, IRC = PPP_FSM_IRC,
	ZRC = PPP_FSM_ZRC, SCR = PPP_FSM_SCR, SCA = PPP_FSM_SCA,
	SCN = PPP_FSM_SCN, STR = PPP_FSM_STR, STA = PPP_FSM_STA,
	SCJ = PPP_FSM_SCJ, SER = PPP_FSM_SER, TLU = PPP_FSM_TLU,
	TLF = PPP_FSM_TLF,
};

/*
 * RFC 1661 section 4.1, "State Transition Table".  The "r" (restart option),
 * "x" (crossed connection) and "p" (passive option) annotations need no
 * action of their own here: we implement neither the restart nor the passive
 * option, and the crossed-connection cells are handled by their listed
 * actions (scr on RCA/RCN in Ack-Rcvd restarts negotiation).
 */
static const struct ppp_fsm_transition fsm_table[PPP_FSM_NSTATES][PPP_FSM_NEVENTS] = {
	[PPP_FSM_INITIAL] = {
		[PPP_FSM_UP] = T(NONE, CLOSED),
		[PPP_FSM_DOWN] = ILLEGAL,
		[PPP_FSM_OPEN] = T(TLS, STARTING),
		[PPP_FSM_CLOSE] = T(NONE, INITIAL),
		[PPP_FSM_TO_PLUS] = ILLEGAL, [PPP_FSM_TO_MINUS] = ILLEGAL,
		[PPP_FSM_RCR_PLUS] = ILLEGAL, [PPP_FSM_RCR_MINUS] = ILLEGAL,
		[PPP_FSM_RCA] = ILLEGAL, [PPP_FSM_RCN] = ILLEGAL,
		[PPP_FSM_RTR] = ILLEGAL, [PPP_FSM_RTA] = ILLEGAL,
		[PPP_FSM_RUC] = ILLEGAL, [PPP_FSM_RXJ_PLUS] = ILLEGAL,
		[PPP_FSM_RXJ_MINUS] = ILLEGAL, [PPP_FSM_RXR] = ILLEGAL,
	},
	[PPP_FSM_STARTING] = {
		[PPP_FSM_UP] = T(IRC | SCR, REQ_SENT),
		[PPP_FSM_DOWN] = ILLEGAL,
		[PPP_FSM_OPEN] = T(NONE, STARTING),
		[PPP_FSM_CLOSE] = T(TLF, INITIAL),
		[PPP_FSM_TO_PLUS] = ILLEGAL, [PPP_FSM_TO_MINUS] = ILLEGAL,
		[PPP_FSM_RCR_PLUS] = ILLEGAL, [PPP_FSM_RCR_MINUS] = ILLEGAL,
		[PPP_FSM_RCA] = ILLEGAL, [PPP_FSM_RCN] = ILLEGAL,
		[PPP_FSM_RTR] = ILLEGAL, [PPP_FSM_RTA] = ILLEGAL,
		[PPP_FSM_RUC] = ILLEGAL, [PPP_FSM_RXJ_PLUS] = ILLEGAL,
		[PPP_FSM_RXJ_MINUS] = ILLEGAL, [PPP_FSM_RXR] = ILLEGAL,
	},
	[PPP_FSM_CLOSED] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(NONE, INITIAL),
		[PPP_FSM_OPEN] = T(IRC | SCR, REQ_SENT),
		[PPP_FSM_CLOSE] = T(NONE, CLOSED),
		[PPP_FSM_TO_PLUS] = ILLEGAL, [PPP_FSM_TO_MINUS] = ILLEGAL,
		[PPP_FSM_RCR_PLUS] = T(STA, CLOSED),
		[PPP_FSM_RCR_MINUS] = T(STA, CLOSED),
		[PPP_FSM_RCA] = T(STA, CLOSED),
		[PPP_FSM_RCN] = T(STA, CLOSED),
		[PPP_FSM_RTR] = T(STA, CLOSED),
		[PPP_FSM_RTA] = T(NONE, CLOSED),
		[PPP_FSM_RUC] = T(SCJ, CLOSED),
		[PPP_FSM_RXJ_PLUS] = T(NONE, CLOSED),
		[PPP_FSM_RXJ_MINUS] = T(TLF, CLOSED),
		[PPP_FSM_RXR] = T(NONE, CLOSED),
	},
	[PPP_FSM_STOPPED] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(TLS, STARTING),
		[PPP_FSM_OPEN] = T(NONE, STOPPED),
		[PPP_FSM_CLOSE] = T(NONE, CLOSED),
		[PPP_FSM_TO_PLUS] = ILLEGAL, [PPP_FSM_TO_MINUS] = ILLEGAL,
		[PPP_FSM_RCR_PLUS] = T(IRC | SCR | SCA, ACK_SENT),
		[PPP_FSM_RCR_MINUS] = T(IRC | SCR | SCN, REQ_SENT),
		[PPP_FSM_RCA] = T(STA, STOPPED),
		[PPP_FSM_RCN] = T(STA, STOPPED),
		[PPP_FSM_RTR] = T(STA, STOPPED),
		[PPP_FSM_RTA] = T(NONE, STOPPED),
		[PPP_FSM_RUC] = T(SCJ, STOPPED),
		[PPP_FSM_RXJ_PLUS] = T(NONE, STOPPED),
		[PPP_FSM_RXJ_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RXR] = T(NONE, STOPPED),
	},
	[PPP_FSM_CLOSING] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(NONE, INITIAL),
		[PPP_FSM_OPEN] = T(NONE, STOPPING),
		[PPP_FSM_CLOSE] = T(NONE, CLOSING),
		[PPP_FSM_TO_PLUS] = T(STR, CLOSING),
		[PPP_FSM_TO_MINUS] = T(TLF, CLOSED),
		[PPP_FSM_RCR_PLUS] = T(NONE, CLOSING),
		[PPP_FSM_RCR_MINUS] = T(NONE, CLOSING),
		[PPP_FSM_RCA] = T(NONE, CLOSING),
		[PPP_FSM_RCN] = T(NONE, CLOSING),
		[PPP_FSM_RTR] = T(STA, CLOSING),
		[PPP_FSM_RTA] = T(TLF, CLOSED),
		[PPP_FSM_RUC] = T(SCJ, CLOSING),
		[PPP_FSM_RXJ_PLUS] = T(NONE, CLOSING),
		[PPP_FSM_RXJ_MINUS] = T(TLF, CLOSED),
		[PPP_FSM_RXR] = T(NONE, CLOSING),
	},
	[PPP_FSM_STOPPING] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(NONE, STARTING),
		[PPP_FSM_OPEN] = T(NONE, STOPPING),
		[PPP_FSM_CLOSE] = T(NONE, CLOSING),
		[PPP_FSM_TO_PLUS] = T(STR, STOPPING),
		[PPP_FSM_TO_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RCR_PLUS] = T(NONE, STOPPING),
		[PPP_FSM_RCR_MINUS] = T(NONE, STOPPING),
		[PPP_FSM_RCA] = T(NONE, STOPPING),
		[PPP_FSM_RCN] = T(NONE, STOPPING),
		[PPP_FSM_RTR] = T(STA, STOPPING),
		[PPP_FSM_RTA] = T(TLF, STOPPED),
		[PPP_FSM_RUC] = T(SCJ, STOPPING),
		[PPP_FSM_RXJ_PLUS] = T(NONE, STOPPING),
		[PPP_FSM_RXJ_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RXR] = T(NONE, STOPPING),
	},
	[PPP_FSM_REQ_SENT] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(NONE, STARTING),
		[PPP_FSM_OPEN] = T(NONE, REQ_SENT),
		[PPP_FSM_CLOSE] = T(IRC | STR, CLOSING),
		[PPP_FSM_TO_PLUS] = T(SCR, REQ_SENT),
		[PPP_FSM_TO_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RCR_PLUS] = T(SCA, ACK_SENT),
		[PPP_FSM_RCR_MINUS] = T(SCN, REQ_SENT),
		[PPP_FSM_RCA] = T(IRC, ACK_RCVD),
		[PPP_FSM_RCN] = T(IRC | SCR, REQ_SENT),
		[PPP_FSM_RTR] = T(STA, REQ_SENT),
		[PPP_FSM_RTA] = T(NONE, REQ_SENT),
		[PPP_FSM_RUC] = T(SCJ, REQ_SENT),
		[PPP_FSM_RXJ_PLUS] = T(NONE, REQ_SENT),
		[PPP_FSM_RXJ_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RXR] = T(NONE, REQ_SENT),
	},
	[PPP_FSM_ACK_RCVD] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(NONE, STARTING),
		[PPP_FSM_OPEN] = T(NONE, ACK_RCVD),
		[PPP_FSM_CLOSE] = T(IRC | STR, CLOSING),
		[PPP_FSM_TO_PLUS] = T(SCR, REQ_SENT),
		[PPP_FSM_TO_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RCR_PLUS] = T(SCA | TLU, OPENED),
		[PPP_FSM_RCR_MINUS] = T(SCN, ACK_RCVD),
		[PPP_FSM_RCA] = T(SCR, REQ_SENT),
		[PPP_FSM_RCN] = T(SCR, REQ_SENT),
		[PPP_FSM_RTR] = T(STA, REQ_SENT),
		[PPP_FSM_RTA] = T(NONE, REQ_SENT),
		[PPP_FSM_RUC] = T(SCJ, ACK_RCVD),
		[PPP_FSM_RXJ_PLUS] = T(NONE, REQ_SENT),
		[PPP_FSM_RXJ_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RXR] = T(NONE, ACK_RCVD),
	},
	[PPP_FSM_ACK_SENT] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(NONE, STARTING),
		[PPP_FSM_OPEN] = T(NONE, ACK_SENT),
		[PPP_FSM_CLOSE] = T(IRC | STR, CLOSING),
		[PPP_FSM_TO_PLUS] = T(SCR, ACK_SENT),
		[PPP_FSM_TO_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RCR_PLUS] = T(SCA, ACK_SENT),
		[PPP_FSM_RCR_MINUS] = T(SCN, REQ_SENT),
		[PPP_FSM_RCA] = T(IRC | TLU, OPENED),
		[PPP_FSM_RCN] = T(IRC | SCR, ACK_SENT),
		[PPP_FSM_RTR] = T(STA, REQ_SENT),
		[PPP_FSM_RTA] = T(NONE, ACK_SENT),
		[PPP_FSM_RUC] = T(SCJ, ACK_SENT),
		[PPP_FSM_RXJ_PLUS] = T(NONE, ACK_SENT),
		[PPP_FSM_RXJ_MINUS] = T(TLF, STOPPED),
		[PPP_FSM_RXR] = T(NONE, ACK_SENT),
	},
	[PPP_FSM_OPENED] = {
		[PPP_FSM_UP] = ILLEGAL,
		[PPP_FSM_DOWN] = T(TLD, STARTING),
		[PPP_FSM_OPEN] = T(NONE, OPENED),
		[PPP_FSM_CLOSE] = T(TLD | IRC | STR, CLOSING),
		[PPP_FSM_TO_PLUS] = ILLEGAL, [PPP_FSM_TO_MINUS] = ILLEGAL,
		[PPP_FSM_RCR_PLUS] = T(TLD | SCR | SCA, ACK_SENT),
		[PPP_FSM_RCR_MINUS] = T(TLD | SCR | SCN, REQ_SENT),
		[PPP_FSM_RCA] = T(TLD | SCR, REQ_SENT),
		[PPP_FSM_RCN] = T(TLD | SCR, REQ_SENT),
		[PPP_FSM_RTR] = T(TLD | ZRC | STA, STOPPING),
		[PPP_FSM_RTA] = T(TLD | SCR, REQ_SENT),
		[PPP_FSM_RUC] = T(SCJ, OPENED),
		[PPP_FSM_RXJ_PLUS] = T(NONE, OPENED),
		[PPP_FSM_RXJ_MINUS] = T(TLD | IRC | STR, STOPPING),
		[PPP_FSM_RXR] = T(SER, OPENED),
	},
};

static const char *const state_names[PPP_FSM_NSTATES] = {
	"Initial", "Starting", "Closed", "Stopped", "Closing", "Stopping",
	"Req-Sent", "Ack-Rcvd", "Ack-Sent", "Opened",
};

static const char *const event_names[PPP_FSM_NEVENTS] = {
	"Up", "Down", "Open", "Close", "TO+", "TO-", "RCR+", "RCR-", "RCA",
	"RCN", "RTR", "RTA", "RUC", "RXJ+", "RXJ-", "RXR",
};

static const char *const action_names[PPP_FSM_NACTIONS] = {
	"tld", "tls", "irc", "zrc", "scr", "sca", "scn", "str", "sta", "scj",
	"ser", "tlu", "tlf",
};

struct ppp_fsm_transition ppp_fsm_lookup(enum ppp_fsm_state s,
					 enum ppp_fsm_event e)
{
	struct ppp_fsm_transition none = { 0, 0, false };

	if ((unsigned)s >= PPP_FSM_NSTATES || (unsigned)e >= PPP_FSM_NEVENTS)
		return none;
	return fsm_table[s][e];
}

const char *ppp_fsm_state_name(int state)
{
	if (state < 0 || state >= PPP_FSM_NSTATES)
		return "?";
	return state_names[state];
}

const char *ppp_fsm_event_name(int event)
{
	if (event < 0 || event >= PPP_FSM_NEVENTS)
		return "?";
	return event_names[event];
}

const char *ppp_fsm_action_name(unsigned action_bit)
{
	for (unsigned i = 0; i < PPP_FSM_NACTIONS; i++)
		if (action_bit == 1u << i)
			return action_names[i];
	return "?";
}

void ppp_fsm_init(struct ppp_fsm *f, const struct ppp_fsm_ops *ops, void *ctx,
		  uint32_t restart_ms, uint8_t max_configure,
		  uint8_t max_terminate, uint8_t max_failure)
{
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->ctx = ctx;
	f->restart_ms = restart_ms;
	f->max_configure = max_configure;
	f->max_terminate = max_terminate;
	f->max_failure = max_failure;
	f->state = PPP_FSM_INITIAL;
	f->last_event = PPP_FSM_NEVENTS;
}

static void arm_restart_timer(struct ppp_fsm *f)
{
	f->deadline = f->ops->now(f->ctx) + f->restart_ms;
	if (f->deadline == 0)
		f->deadline = 1;	/* 0 means "not running" */
}

/* Send code/id/length + data of this protocol. */
static void send_packet(struct ppp_fsm *f, uint8_t code, uint8_t id,
			const uint8_t *data, size_t len)
{
	uint8_t pkt[1500];
	size_t total;

	if (len > sizeof(pkt) - 4)
		len = sizeof(pkt) - 4;
	total = len + 4;
	pkt[0] = code;
	pkt[1] = id;
	pkt[2] = (uint8_t)(total >> 8);
	pkt[3] = (uint8_t)total;
	if (len)
		memcpy(pkt + 4, data, len);
	f->ops->send(f->ctx, f->ops->protocol, pkt, total);
}

/* scr: RFC 1661 4.4 Send-Configure-Request; 4.6 the counter is decremented
 * and the timer started each time one is sent.  A fresh Identifier every
 * time (5.1: it MUST change when the options change; always changing it
 * keeps stale Acks from matching). */
static uint16_t options_hash(const uint8_t *p, size_t n);

static void action_scr(struct ppp_fsm *f)
{
	uint8_t opts[1496];
	size_t len = f->ops->build_conf_req(f->ctx, opts, sizeof(opts));
	uint16_t hash = options_hash(opts, len);

	/* RFC 1661 5.1: the Identifier MUST change when the options change
	 * or a valid reply came; it MAY stay on a retransmission (TO+). */
	if (!(f->keep_id_on_retransmit && f->last_event == PPP_FSM_TO_PLUS &&
	      !f->replied && hash == f->req_hash))
		f->id++;
	f->req_hash = hash;
	f->replied = false;
	f->seen_ack = false;
	if (f->restart_count)
		f->restart_count--;
	arm_restart_timer(f);
	send_packet(f, PPP_CONF_REQ, f->id, opts, len);
}

static void action_str(struct ppp_fsm *f)
{
	uint8_t data[256];
	size_t len = 0;

	/* RFC 1661 5.5: the Data field may say why. */
	if (f->ops->term_data)
		len = f->ops->term_data(f->ctx, data, sizeof(data));
	f->id++;
	if (f->restart_count)
		f->restart_count--;
	arm_restart_timer(f);
	send_packet(f, PPP_TERM_REQ, f->id, data, len);
}

/* scj: Code-Reject carries the rejected packet (RFC 1661 5.6), truncated so
 * the whole fits our buffer (the session truncates to the peer's MRU). */
static void action_scj(struct ppp_fsm *f, const struct ppp_fsm_rx *rx)
{
	/* Own Identifier sequence (5.6: changed for each Code-Reject), so
	 * that a pending Configure-Ack still matches f->id. */
	f->rej_id++;
	send_packet(f, PPP_CODE_REJ, f->rej_id, rx ? rx->pkt : NULL,
		    rx ? rx->pkt_len : 0);
}

static void run_action(struct ppp_fsm *f, unsigned a, const struct ppp_fsm_rx *rx,
		       uint16_t all)
{
	switch (a) {
	case PPP_FSM_TLD:
		if (f->ops->layer_down)
			f->ops->layer_down(f->ctx);
		break;
	case PPP_FSM_TLS:
		if (f->ops->layer_started)
			f->ops->layer_started(f->ctx);
		break;
	case PPP_FSM_IRC:
		/* RFC 1661 4.4: Max-Terminate when the next send is a
		 * Terminate-Request, Max-Configure otherwise.  A new
		 * negotiation also resets the Max-Failure count. */
		f->restart_count = (all & PPP_FSM_STR) ? f->max_terminate
						       : f->max_configure;
		if (!(all & PPP_FSM_STR))
			f->nak_count = 0;
		break;
	case PPP_FSM_ZRC:
		/* RFC 1661 4.4 Zero-Restart-Count: wait one restart period
		 * for the Terminate-Ack to drain, then finish. */
		f->restart_count = 0;
		arm_restart_timer(f);
		break;
	case PPP_FSM_SCR:
		action_scr(f);
		break;
	case PPP_FSM_SCA:
	case PPP_FSM_SCN:
		if (rx)
			send_packet(f, rx->reply_code, rx->id, rx->reply,
				    rx->reply_len);
		if (a == PPP_FSM_SCA && rx && rx->code == PPP_CONF_REQ) {
			f->ack_req_id = rx->id;
			f->ack_req_hash = rx->req_hash;
			f->ack_req_valid = true;
		}
		if (a == PPP_FSM_SCN && rx && !rx->retransmission) {
			if (f->nak_count < 255)
				f->nak_count++;
			f->nak_req_id = rx->id;
			f->nak_req_hash = rx->req_hash;
		}
		break;
	case PPP_FSM_STR:
		action_str(f);
		break;
	case PPP_FSM_STA:
		send_packet(f, PPP_TERM_ACK, rx ? rx->id : f->id, NULL, 0);
		break;
	case PPP_FSM_SCJ:
		action_scj(f, rx);
		break;
	case PPP_FSM_SER:
		if (f->ops->send_echo_reply && rx)
			f->ops->send_echo_reply(f->ctx, rx->code, rx->id,
						rx->pkt, rx->pkt_len);
		break;
	case PPP_FSM_TLU:
		if (f->ops->layer_up)
			f->ops->layer_up(f->ctx);
		break;
	case PPP_FSM_TLF:
		if (f->ops->layer_finished)
			f->ops->layer_finished(f->ctx);
		break;
	}
}

static bool timer_runs_in(uint8_t state)
{
	/* RFC 1661 4.6: "the Restart timer is running" in these states. */
	return state == PPP_FSM_CLOSING || state == PPP_FSM_STOPPING ||
	       state == PPP_FSM_REQ_SENT || state == PPP_FSM_ACK_RCVD ||
	       state == PPP_FSM_ACK_SENT;
}

/*
 * The one setter of f->state: every transition of the automaton goes
 * through here and out to the trace op (action 0, from, to), at the moment
 * it happens, so that a transition made by a re-entering hook is reported
 * after the one that caused it. event is an enum ppp_fsm_event, or -1 for
 * ppp_fsm_reset().
 */
static void fsm_set_state(struct ppp_fsm *f, int event, uint8_t to)
{
	uint8_t from = f->state;

	f->state = to;
	/* an NCP never initialised (its ops unset) can still be reset */
	if (f->ops && f->ops->trace)
		f->ops->trace(f->ctx, f, event, 0, from, to);
}

void ppp_fsm_reset(struct ppp_fsm *f)
{
	fsm_set_state(f, -1, PPP_FSM_INITIAL);
	f->deadline = 0;
}

void ppp_fsm_dispatch(struct ppp_fsm *f, enum ppp_fsm_event ev,
		      const struct ppp_fsm_rx *rx)
{
	struct ppp_fsm_transition t = ppp_fsm_lookup(f->state, ev);
	uint8_t from = f->state;

	if (!t.legal) {
		/* "-": the event cannot happen in this state if the
		 * implementation is right; count it and stay put. */
		f->ops->malformed(f->ctx, PPP_BAD_ILLEGAL_EVENT);
		if (f->ops->trace)
			f->ops->trace(f->ctx, f, ev, 0, from, from);
		return;
	}
	f->last_event = (uint8_t)ev;
	/* The new state is entered before the actions run, so that a
	 * layer hook (tlu, tlf) that re-enters the automaton -- e.g. tlf
	 * closing the link -- sees the state the RFC's table names. */
	fsm_set_state(f, (int)ev, t.next);
	for (unsigned i = 0; i < PPP_FSM_NACTIONS; i++) {
		unsigned a = 1u << i;

		if (!(t.actions & a))
			continue;
		if (f->ops->trace)
			f->ops->trace(f->ctx, f, ev, a, from, t.next);
		run_action(f, a, rx, t.actions);
	}
	if (!timer_runs_in(f->state))
		f->deadline = 0;
}

void ppp_fsm_up(struct ppp_fsm *f)
{
	ppp_fsm_dispatch(f, PPP_FSM_UP, NULL);
}

void ppp_fsm_down(struct ppp_fsm *f)
{
	ppp_fsm_dispatch(f, PPP_FSM_DOWN, NULL);
}

void ppp_fsm_open(struct ppp_fsm *f)
{
	ppp_fsm_dispatch(f, PPP_FSM_OPEN, NULL);
}

void ppp_fsm_close(struct ppp_fsm *f)
{
	ppp_fsm_dispatch(f, PPP_FSM_CLOSE, NULL);
}

void ppp_fsm_timeout(struct ppp_fsm *f)
{
	if (!timer_runs_in(f->state)) {
		f->deadline = 0;
		return;
	}
	f->deadline = 0;
	ppp_fsm_dispatch(f, f->restart_count > 0 ? PPP_FSM_TO_PLUS
						 : PPP_FSM_TO_MINUS, NULL);
}

void ppp_fsm_protocol_rejected(struct ppp_fsm *f)
{
	ppp_fsm_dispatch(f, PPP_FSM_RXJ_MINUS, NULL);
}

/* A reply (Ack/Nak/Rej) counts only when its Identifier matches our last
 * Configure-Request (RFC 1661 5.2-5.4) and we are waiting for one. */
static bool awaiting_reply(const struct ppp_fsm *f, uint8_t id)
{
	return id == f->id;
}

#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(struct ppp_fsm) == 56, "ppp_fsm grew: three per session (fsm.h)");
#endif

/* FNV-1a folded to 16 bits: tells a retransmitted Configure-Request from
 * a new one with a reused Identifier (not a security boundary). */
static uint16_t options_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return (uint16_t)(h ^ (h >> 16));
}

void ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len)
{
	struct ppp_fsm_rx rx;
	uint8_t reply[1496];
	uint16_t plen;
	const uint8_t *data;
	size_t dlen;

	if (len < 4) {
		f->ops->malformed(f->ctx, PPP_BAD_HEADER_TRUNCATED);
		return;
	}
	plen = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (plen < 4) {
		f->ops->malformed(f->ctx, PPP_BAD_LENGTH_SHORT);
		return;
	}
	if (plen > len) {
		f->ops->malformed(f->ctx, PPP_BAD_LENGTH_PAST_FRAME);
		return;
	}
	/* RFC 1661 5: octets past Length are padding, ignored. */
	len = plen;
	data = pkt + 4;
	dlen = len - 4;

	memset(&rx, 0, sizeof(rx));
	rx.code = pkt[0];
	rx.id = pkt[1];
	rx.pkt = pkt;
	rx.pkt_len = len;

	switch (rx.code) {
	case PPP_CONF_REQ: {
		bool reject_naks;
		uint8_t code;

		/* RFC 1661 5.1: a peer changes the Identifier whenever the
		 * options change or it got a reply; a request with the same
		 * Identifier and options as the one we last Nak'd is a
		 * retransmission (our Nak was lost or is still on its way:
		 * under load a LAC resends while we work). It gets the same
		 * answer and does not count as another failed round, or a
		 * burst of resends would reach Max-Failure and turn the Nak
		 * of the peer's address into a Reject (RFC 1661 4.6). */
		rx.req_hash = options_hash(data, dlen);
		rx.retransmission = f->nak_count > 0 && rx.id == f->nak_req_id &&
				    rx.req_hash == f->nak_req_hash;
		reject_naks = (rx.retransmission ? f->nak_count - 1 : f->nak_count) >=
			      f->max_failure;
		/* Opened, and the very request we Acked (same Identifier,
		 * same options) comes again: duplicated on the way, or the
		 * peer resent it because our Ack was lost (RFC 1661 5.1: a
		 * peer that got our reply changes the Identifier).  The
		 * table's tld/scr/sca would tear down authentication and
		 * the NCPs for nothing, and under loss such renegotiations
		 * feed each other; answer with the same Ack instead. */
		if (f->state == PPP_FSM_OPENED && f->ack_req_valid &&
		    rx.id == f->ack_req_id && rx.req_hash == f->ack_req_hash) {
			send_packet(f, PPP_CONF_ACK, rx.id, data, dlen);
			return;
		}

		/* Where the table does the same for RCR+ and RCR- (sta in
		 * Closed, nothing in Closing/Stopping, illegal before Up),
		 * the options are not judged: they must not change what we
		 * believe about the peer.  Stopped and the negotiating
		 * states need the verdict and its reply. */
		if (f->state <= PPP_FSM_CLOSED || f->state == PPP_FSM_CLOSING ||
		    f->state == PPP_FSM_STOPPING) {
			ppp_fsm_dispatch(f, PPP_FSM_RCR_PLUS, &rx);
			return;
		}
		code = f->ops->recv_conf_req(f->ctx, data, dlen, reject_naks,
					     reply, sizeof(reply),
					     &rx.reply_len);
		if (code == 0)
			return;	/* malformed: counted by the hook */
		rx.reply_code = code;
		rx.reply = code == PPP_CONF_ACK ? data : reply;
		if (code == PPP_CONF_ACK) {
			rx.reply_len = dlen;
			f->nak_count = 0;
		}
		ppp_fsm_dispatch(f, code == PPP_CONF_ACK ? PPP_FSM_RCR_PLUS
							 : PPP_FSM_RCR_MINUS,
				 &rx);
		return;
	}
	case PPP_CONF_ACK: {
		uint8_t expect[1496];
		size_t elen;

		/* A second Ack of the same request is a duplicate: in
		 * Opened the table would renegotiate on it (RCA). */
		if (!awaiting_reply(f, rx.id) ||
		    (f->seen_ack && (f->state == PPP_FSM_ACK_RCVD ||
				     f->state == PPP_FSM_OPENED))) {
			f->ops->malformed(f->ctx, PPP_BAD_ID_MISMATCH);
			return;
		}
		/* RFC 1661 5.2: the options MUST be exactly those we sent.
		 * Our request is a pure function of our negotiation state,
		 * so rebuilding it gives what we sent. */
		if (f->state == PPP_FSM_REQ_SENT || f->state == PPP_FSM_ACK_RCVD ||
		    f->state == PPP_FSM_ACK_SENT || f->state == PPP_FSM_OPENED) {
			elen = f->ops->build_conf_req(f->ctx, expect,
						      sizeof(expect));
			if (elen != dlen || (elen && memcmp(expect, data, elen))) {
				f->ops->malformed(f->ctx, PPP_BAD_ACK_MISMATCH);
				return;
			}
		}
		if (f->state == PPP_FSM_REQ_SENT || f->state == PPP_FSM_ACK_SENT)
			f->seen_ack = true;	/* accepted: RCA takes us on */
		f->replied = true;
		ppp_fsm_dispatch(f, PPP_FSM_RCA, &rx);
		return;
	}
	case PPP_CONF_NAK:
	case PPP_CONF_REJ: {
		int rc;

		if (!awaiting_reply(f, rx.id)) {
			f->ops->malformed(f->ctx, PPP_BAD_ID_MISMATCH);
			return;
		}
		/* Only adjust our wishes while negotiating; in other states
		 * the table answers (sta, or restart from Opened). */
		if (f->state == PPP_FSM_REQ_SENT || f->state == PPP_FSM_ACK_RCVD ||
		    f->state == PPP_FSM_ACK_SENT || f->state == PPP_FSM_OPENED) {
			rc = rx.code == PPP_CONF_NAK
				? f->ops->recv_conf_nak(f->ctx, data, dlen)
				: f->ops->recv_conf_rej(f->ctx, data, dlen);
			if (rc < 0)
				return;	/* counted by the hook */
		}
		f->replied = true;
		ppp_fsm_dispatch(f, PPP_FSM_RCN, &rx);
		return;
	}
	case PPP_TERM_REQ:
		ppp_fsm_dispatch(f, PPP_FSM_RTR, &rx);
		return;
	case PPP_TERM_ACK:
		ppp_fsm_dispatch(f, PPP_FSM_RTA, &rx);
		return;
	case PPP_CODE_REJ: {
		/* RFC 1661 5.6: rejection of a code we cannot do without
		 * (1..7) is catastrophic (RXJ-); of an extension, not. */
		uint8_t rejected = dlen >= 1 ? data[0] : 0;

		ppp_fsm_dispatch(f, rejected >= PPP_CONF_REQ &&
					    rejected <= PPP_CODE_REJ
					    ? PPP_FSM_RXJ_MINUS
					    : PPP_FSM_RXJ_PLUS,
				 &rx);
		return;
	}
	default:
		break;
	}
	if (f->ops->classify_other) {
		int ev = f->ops->classify_other(f->ctx, rx.code, data, dlen);

		if (ev >= 0 && ev != PPP_FSM_RUC) {
			ppp_fsm_dispatch(f, (enum ppp_fsm_event)ev, &rx);
			return;
		}
		if (ev < 0)
			return;	/* consumed without an event */
	}
	f->ops->malformed(f->ctx, PPP_BAD_UNKNOWN_CODE);
	ppp_fsm_dispatch(f, PPP_FSM_RUC, &rx);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State changes out to the caller (docs/ppp-core.md "Tracing"): the phase
 * setter and the trace op of the LCP, IPCP and IPV6CP automata. The only
 * way a transition leaves the library; nothing is built without a
 * ppp_callbacks.trace.
 */
#include "internal.h"

const char *ppp_phase_name(enum ppp_phase p)
{
	static const char *const n[] = {"Dead", "Establish", "Authenticate", "Network",
					"Terminate"};

	return (unsigned)p < sizeof(n) / sizeof(n[0]) ? n[p] : "?";
}

const char *ppp_trace_layer_name(enum ppp_trace_layer l)
{
	static const char *const n[] = {"phase", "LCP", "IPCP", "IPV6CP"};

	return (unsigned)l < sizeof(n) / sizeof(n[0]) ? n[l] : "?";
}

const char *ppp_trace_state_name(enum ppp_trace_layer l, int state)
{
	if (l == PPP_TRACE_PHASE)
		return ppp_phase_name((enum ppp_phase)state);
	return ppp_fsm_state_name(state);
}

static void trace_out(struct ppp_session *s, enum ppp_trace_layer layer, int from, int to,
		      int event, const char *why)
{
	struct ppp_trace t;

	if (!s->cfg->cb.trace || from == to)
		return;
	t.layer = layer;
	t.from = from;
	t.to = to;
	t.event = event;
	t.why = why;
	s->cfg->cb.trace(s->ctx, &t);
}

void ppp_set_phase(struct ppp_session *s, enum ppp_phase to, const char *why)
{
	uint8_t from = s->phase;

	s->phase = (uint8_t)to;
	trace_out(s, PPP_TRACE_PHASE, from, to, -1, why);
}

void ppp_fsm_trace(void *ctx, const struct ppp_fsm *f, int event, unsigned action,
		   int from, int to)
{
	struct ppp_session *s = ctx;
	enum ppp_trace_layer layer;

	if (action != 0)
		return;	/* the transition, not each action it runs */
	if (f == &s->lcp)
		layer = PPP_TRACE_LCP;
	else if (f == &s->ipcp)
		layer = PPP_TRACE_IPCP;
	else
		layer = PPP_TRACE_IPV6CP;
	trace_out(s, layer, from, to, event, event < 0 ? "reset" : ppp_fsm_event_name(event));
}

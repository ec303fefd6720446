/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol libraries' trace callbacks, written to the log (trace.h).
 * The libraries do no I/O: this is where their transitions become lines.
 * Client strings (the user name) go through SAFE_STR.
 */
#include "trace.h"

#include <stdio.h>

#include "log.h"
#include "log_ratelimit.h"
#include "select.h"
#include "server.h"
#include "text.h"

/* trace_closing(): one event loop, one close at a time. */
static struct session *closing;

void trace_closing(struct session *s)
{
	closing = s;
}

/* A line for this session: debug level, or its bit set by l2tpctl. */
static bool wanted(const struct session *s)
{
	return (s && s->trace) || log_enabled(LOG_LVL_DEBUG);
}

/* " user 'NAME'" once the user is known, else "". */
static const char *user_part(char *buf, size_t len, const struct session *s)
{
	if (!s || !s->user[0])
		return "";
	snprintf(buf, len, " user '%s'", SAFE_STR(s->user));
	return buf;
}

void trace_l2tp(void *arg, const struct l2tp_trace *t)
{
	struct server *srv = arg;
	struct session *s = t->session_user;
	char u[TEXT_SAFE_SIZE + 16];

	if (!s && closing && t->machine == L2TP_TRACE_SESSION &&
	    closing->tunnel_id == t->tunnel_id && closing->session_id == t->session_id)
		s = closing;
	if (!wanted(s))
		return;
	if (t->machine == L2TP_TRACE_TUNNEL) {
		/* A tunnel the daemon never saw up (no user pointer: TUNNEL_UP
		 * sets it) is anyone's: an SCCRQ flood makes and evicts
		 * thousands a second. Their lines are rate-limited like the
		 * refusals; an established tunnel's are not. */
		char line[128];

		snprintf(line, sizeof(line), "tunnel %u: trace l2tp tunnel %s -> %s (%s)",
			 t->tunnel_id, l2tp_trace_state_name(t->machine, t->from),
			 l2tp_trace_state_name(t->machine, t->to), l2tp_trace_event_name(t->event));
		if (!t->tunnel_user)
			log_rl_msg(&srv->log_rl[SRV_LOG_TRACE_HALF_OPEN], server_now_ms(srv),
				   LOG_LVL_DEBUG, "%s", line);
		else
			log_msg(LOG_LVL_DEBUG, "%s", line);
		return;
	}
	log_msg_always(LOG_LVL_DEBUG, "session %u/%u%s: trace l2tp call %s -> %s (%s)",
		       t->tunnel_id, t->session_id, user_part(u, sizeof(u), s),
		       l2tp_trace_state_name(t->machine, t->from),
		       l2tp_trace_state_name(t->machine, t->to), l2tp_trace_event_name(t->event));
}

void trace_ppp(void *ctx, const struct ppp_trace *t)
{
	struct session *s = ctx;
	char u[TEXT_SAFE_SIZE + 16];

	if (!wanted(s))
		return;
	log_msg_always(LOG_LVL_DEBUG, "session %u/%u%s: trace ppp %s %s -> %s (%s)",
		       s->tunnel_id, s->session_id, user_part(u, sizeof(u), s),
		       ppp_trace_layer_name(t->layer), ppp_trace_state_name(t->layer, t->from),
		       ppp_trace_state_name(t->layer, t->to), t->why);
}

int trace_set_filter(struct server *srv, const struct session_filter *f, bool on)
{
	int n = 0;

	if (!session_filter_selects(f))
		return 0;
	for (struct session *s = srv->sessions; s; s = s->next) {
		if (!session_filter_match(srv, s, f))
			continue;
		s->trace = on;
		log_notice("session %u/%u: tracing %s by the administrator", s->tunnel_id,
			   s->session_id, on ? "on" : "off");
		n++;
	}
	return n;
}

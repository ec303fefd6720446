/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Descriptor budget: see fdbudget.h. */
#include "fdbudget.h"

void fdbudget_init(struct fdbudget *b, uint32_t per_tunnel, uint32_t per_session,
		   uint32_t per_session_early, uint32_t plane_fixed, uint32_t n_listen,
		   uint32_t control_connections)
{
	b->limit = 0;
	b->fixed = FDBUDGET_BASE + n_listen + control_connections + plane_fixed;
	b->per_tunnel = per_tunnel;
	b->per_session = per_session;
	/* A backend cannot hold more before the grant than after it. */
	b->per_session_early = per_session_early < per_session ? per_session_early : per_session;
}

uint64_t fdbudget_need(const struct fdbudget *b, uint64_t tunnels, uint64_t sessions)
{
	return b->fixed + tunnels * b->per_tunnel + sessions * b->per_session;
}

bool fdbudget_room(const struct fdbudget *b, uint64_t tunnels, uint64_t held, uint32_t more)
{
	return b->fixed + tunnels * b->per_tunnel + held + more <= b->limit;
}

uint32_t fdbudget_at_create(const struct fdbudget *b, bool deferred)
{
	return deferred ? b->per_session_early : b->per_session;
}

uint32_t fdbudget_at_grant(const struct fdbudget *b, uint32_t held)
{
	return held < b->per_session ? b->per_session - held : 0;
}

uint64_t fdbudget_soft_target(uint64_t need, uint64_t soft, uint64_t hard)
{
	if (need <= soft || hard <= soft)
		return soft;
	return hard;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Descriptor budget: see fdbudget.h. */
#include "fdbudget.h"

void fdbudget_init(struct fdbudget *b, uint32_t per_tunnel, uint32_t per_session,
		   uint32_t plane_fixed, uint32_t n_listen, uint32_t control_connections)
{
	b->limit = 0;
	b->fixed = FDBUDGET_BASE + n_listen + control_connections + plane_fixed;
	b->per_tunnel = per_tunnel;
	b->per_session = per_session;
}

uint64_t fdbudget_need(const struct fdbudget *b, uint64_t tunnels, uint64_t sessions)
{
	return b->fixed + tunnels * b->per_tunnel + sessions * b->per_session;
}

bool fdbudget_room(const struct fdbudget *b, uint64_t tunnels, uint64_t sessions)
{
	return fdbudget_need(b, tunnels, sessions + 1) <= b->limit;
}

uint64_t fdbudget_soft_target(uint64_t need, uint64_t soft, uint64_t hard)
{
	if (need <= soft || hard <= soft)
		return soft;
	return hard;
}

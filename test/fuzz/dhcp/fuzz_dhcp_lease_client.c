/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the DHCP pool's lease engine (dhcp/lease_client.h)
 * fed a hostile LAN. The input is a script of steps: let time pass, take
 * or give back a lease, or deliver a datagram whose xid and chaddr are
 * patched to one of our exchanges (so the fuzzer reaches every state
 * without guessing 32-bit xids). After every step the engine's counts
 * must agree with its leases.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "dhcp.h"
#include "lease_client.h"

static const uint8_t MAC[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
static uint32_t rnd_state;

static void on_send(void *ctx, const uint8_t *buf, size_t len, uint32_t dst)
{
	struct dhcp_msg m;

	(void)ctx;
	(void)dst;
	assert(len >= 300 && len <= DHCP_MAX_LEN);
	assert(dhcp_parse(buf, len, &m) == DHCP_OK);	/* we send only what parses */
}

static void on_event(void *ctx, enum dhcp_lc_event ev, struct dhcp_lease *l)
{
	(void)ctx;
	(void)ev;
	(void)l;
}

static uint32_t on_random(void *ctx)
{
	(void)ctx;
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state;
}

static const struct dhcp_lc_ops ops = { on_send, on_event, on_random };

static void check(const struct dhcp_lc *lc)
{
	uint32_t bound = 0, ready = 0, in_use = 0, acquiring = 0;

	for (uint32_t i = 0; i < lc->n_slots; i++) {
		const struct dhcp_lease *l = lc->leases[i];
		switch (l->state) {
		case DHCP_LS_SELECTING:
		case DHCP_LS_REQUESTING:
			acquiring++;
			break;
		case DHCP_LS_BOUND:
		case DHCP_LS_RENEWING:
		case DHCP_LS_REBINDING:
			bound++;
			if (l->in_use)
				in_use++;
			else
				ready++;
			assert(dhcp_lc_find(lc, l->addr) == l);
			break;
		default:
			assert(!l->in_use);
		}
	}
	assert(bound == lc->n_bound && ready == lc->n_ready && in_use == lc->n_in_use);
	assert(acquiring == lc->n_acquiring && lc->by_addr_len == bound);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_lc lc;
	struct dhcp_lc_config c;
	struct dhcp_lease *held[8] = { 0 };
	uint64_t now = 1000;
	size_t i = 0;

	rnd_state = 1;
	memset(&c, 0, sizeof(c));
	memcpy(c.chaddr, MAC, 6);
	c.giaddr = htonl(0xc0000201);		/* 192.0.2.1/24 */
	c.netmask = htonl(0xffffff00);
	c.block = 4;
	c.max_leases = 16;
	memcpy(c.cid_prefix, "fuzz:", 5);
	c.cid_prefix_len = 5;
	if (dhcp_lc_init(&lc, &c, &ops, NULL))
		return 0;
	dhcp_lc_start(&lc, now);
	while (i < size) {
		uint8_t op = data[i++];
		switch (op % 5) {
		case 0:			/* time passes: up to 255 s, or to the next deadline */
			if (i < size) {
				uint64_t d = dhcp_lc_next_deadline(&lc);
				now += data[i] ? data[i] * 1000ull : (d != UINT64_MAX && d > now ? d - now : 0);
				i++;
			}
			dhcp_lc_run_timers(&lc, now);
			break;
		case 1:
			held[(op >> 3) & 7] = held[(op >> 3) & 7] ? held[(op >> 3) & 7]
								  : dhcp_lc_take(&lc, now);
			break;
		case 2:
			if (held[(op >> 3) & 7]) {
				/* a lost lease is never given back: the daemon drops it */
				struct dhcp_lease *l = held[(op >> 3) & 7];
				if (l->in_use)
					dhcp_lc_give_back(&lc, l, now);
				held[(op >> 3) & 7] = NULL;
			}
			break;
		default: {		/* a datagram for lease (op >> 3) % slots */
			uint8_t buf[DHCP_MAX_LEN];
			size_t len;

			if (i + 2 > size)
				goto out;
			len = (size_t)data[i] << 8 | data[i + 1];
			i += 2;
			if (len > size - i)
				len = size - i;
			if (len > sizeof(buf))
				len = sizeof(buf);
			memcpy(buf, data + i, len);
			i += len;
			if (len >= 34 && lc.n_slots && (op & 4)) {
				const struct dhcp_lease *l = lc.leases[(op >> 3) % lc.n_slots];
				buf[4] = (uint8_t)(l->xid >> 24);
				buf[5] = (uint8_t)(l->xid >> 16);
				buf[6] = (uint8_t)(l->xid >> 8);
				buf[7] = (uint8_t)l->xid;
				memcpy(buf + 28, MAC, 6);
			}
			dhcp_lc_input(&lc, buf, len, now);
		}
		}
		/* a held lease the engine lost is forgotten, as the daemon does */
		for (int k = 0; k < 8; k++)
			if (held[k] && !held[k]->in_use)
				held[k] = NULL;
		check(&lc);
	}
out:
	dhcp_lc_stop(&lc, now);
	for (int k = 0; k < 8; k++)
		if (held[k] && held[k]->in_use)
			dhcp_lc_give_back(&lc, held[k], now);
	check(&lc);
	assert(lc.n_bound == 0);
	dhcp_lc_free(&lc);
	return 0;
}

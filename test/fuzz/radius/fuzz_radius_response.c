/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what a RADIUS server (or anyone who can send to our
 * port) sends back: radius_parse, both verifications, and reading every
 * attribute and Microsoft vendor attribute of what parsed, and what an
 * Access-Accept would grant (radius_reply_read) and an Access-Reject
 * tells the client (radius_reject_read), and the EAP packet an answer
 * carries, put together from its EAP-Message pieces (radius_eap_read). A
 * packet that
 * verifies must have been signed with the secret: a fuzzer cannot make
 * one, so verification must fail unless the input is a seed signed here.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "eap.h"
#include "radius.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t req_auth[RADIUS_AUTH_LEN] = "0123456789abcdef";
	struct radius_packet p;
	struct radius_attr a;
	size_t off = 0, total = 0;

	if (radius_parse(data, size, &p) != RADIUS_OK)
		return 0;
	assert(p.len >= RADIUS_HDR_LEN && p.len <= size && p.len <= RADIUS_MAX_LEN);
	(void)radius_verify_response(&p, p.id, req_auth, "fuzz-secret", true);
	(void)radius_verify_response(&p, p.id, req_auth, "fuzz-secret", false);
	(void)radius_verify_hashed_request(&p, "fuzz-secret", false);
	while (radius_next_attr(&p, &off, &a)) {
		assert(a.value >= data + RADIUS_HDR_LEN && a.value + a.len <= data + p.len);
		total += 2u + a.len;
	}
	assert(total == (size_t)p.len - RADIUS_HDR_LEN);
	{
		/* what an Access-Accept grants: every pointer inside the input */
		struct radius_reply r;
		char why[128];

		if (radius_reply_read(&p, &r, why, sizeof(why)) == 0) {
			for (unsigned i = 0; i < r.n_class; i++)
				assert(r.class[i] >= data && r.class[i] + r.class_len[i] <= data + p.len);
			assert(r.n_routes <= RADIUS_REPLY_MAX_ROUTES);
			assert(r.n_dns6 <= RADIUS_REPLY_MAX_DNS6);
			assert(r.framed_ipv6_prefix_len <= 128 && r.delegated_prefix_len <= 128);
			{
				char s[43];

				if (radius_ms_chap2_success(&r, s) == 0)
					assert(strlen(s) == 42 && s[0] == 'S' && s[1] == '=');
			}
		}
	}
	{
		/* what an Access-Reject tells the client: bounded text */
		struct radius_reject rej;

		radius_reject_read(&p, &rej);
		assert(rej.error >= 0 && rej.error <= 65535);
		assert(strlen(rej.message) < sizeof(rej.message));
		assert(strlen(rej.reply_message) < sizeof(rej.reply_message));
	}
	{
		/* EAP relay: whatever comes back fits the buffer, its
		 * Length is what was joined or less, State points inside */
		static uint8_t eap[RADIUS_MAX_LEN];
		struct radius_eap e;
		char why[128];

		if (radius_eap_read(&p, eap, sizeof(eap), &e, why, sizeof(why)) == 0) {
			assert(e.eap_len == 0 || e.eap_len >= 4);
			assert(e.eap_len == 0 || p.msg_auth);
			if (e.eap_len)
				assert(eap[0] == e.eap_code && eap[1] == e.eap_id &&
				       (size_t)(eap[2] << 8 | eap[3]) == e.eap_len);
			if (e.state)
				assert(e.state > data && e.state + e.state_len <= data + p.len);
		} else {
			assert(strlen(why) < sizeof(why));
		}
		/* a small buffer: refused, never overrun */
		{
			uint8_t small[64];

			if (radius_eap_read(&p, small, sizeof(small), &e, why, sizeof(why)) == 0)
				assert(e.eap_len <= sizeof(small));
		}
	}
	for (unsigned t = 0; t < 40; t++)
		if (radius_find_vsa(&p, RADIUS_VENDOR_MICROSOFT, (uint8_t)t, &a))
			assert(a.value >= data && a.value + a.len <= data + p.len);
	return 0;
}

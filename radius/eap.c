/* SPDX-License-Identifier: GPL-2.0-or-later */
/* EAP over RADIUS: what a server's answer carries (eap.h). */
#include "eap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int fail(char *why, size_t wl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, wl, fmt, ap);
	va_end(ap);
	return -1;
}

/* The EAP code each answer must carry (RFC 3579 2.6.3: a NAS decides by
 * the RADIUS code; an EAP packet that says otherwise is a conflict the
 * client must not see). */
static int expected_code(uint8_t radius_code)
{
	switch (radius_code) {
	case RADIUS_ACCESS_CHALLENGE: return RADIUS_EAP_REQUEST;
	case RADIUS_ACCESS_ACCEPT: return RADIUS_EAP_SUCCESS;
	case RADIUS_ACCESS_REJECT: return RADIUS_EAP_FAILURE;
	default: return -1;
	}
}

int radius_eap_read(const struct radius_packet *p, uint8_t *buf, size_t cap,
		    struct radius_eap *e, char *why, size_t wl)
{
	struct radius_attr a;
	size_t off = 0, total = 0;
	bool in_run = false, run_ended = false;
	int want = expected_code(p->code);
	uint16_t len;

	memset(e, 0, sizeof(*e));
	if (want < 0)
		return fail(why, wl, "RADIUS code %u carries no EAP", (unsigned)p->code);
	while (radius_next_attr(p, &off, &a)) {
		if (a.type == RADIUS_STATE) {
			/* RFC 2865 5.24: one State, at least one octet */
			if (e->state)
				return fail(why, wl, "more than one State");
			if (a.len == 0)
				return fail(why, wl, "an empty State");
			e->state = a.value;
			e->state_len = a.len;
		}
		if (a.type != RADIUS_EAP_MESSAGE) {
			if (in_run)
				run_ended = true;
			in_run = false;
			continue;
		}
		/* RFC 3579 3.1: in order and consecutive, each at least one
		 * octet */
		if (run_ended)
			return fail(why, wl, "EAP-Message attributes that are not consecutive");
		if (a.len == 0)
			return fail(why, wl, "an empty EAP-Message");
		if (total + a.len > cap)
			return fail(why, wl, "an EAP packet longer than %zu octets", cap);
		memcpy(buf + total, a.value, a.len);
		total += a.len;
		in_run = true;
	}
	if (total == 0) {
		/* RFC 3579 2.1: a Challenge exists only to carry the next
		 * EAP Request; an Accept or Reject without EAP is the
		 * caller's to judge */
		if (p->code == RADIUS_ACCESS_CHALLENGE)
			return fail(why, wl, "an Access-Challenge without EAP-Message");
		return 0;
	}
	/* RFC 3579 3.2: EAP only with a Message-Authenticator (which the
	 * response's verification checked when present) */
	if (!p->msg_auth)
		return fail(why, wl, "EAP-Message without Message-Authenticator");
	/* RFC 3748 4: Code, Identifier, Length (octets past it are padding) */
	if (total < 4)
		return fail(why, wl, "an EAP packet of %zu octets", total);
	len = (uint16_t)(buf[2] << 8 | buf[3]);
	if (len < 4 || len > total)
		return fail(why, wl, "an EAP Length of %u in %zu octets", (unsigned)len, total);
	if (buf[0] != want)
		return fail(why, wl, "EAP code %u in RADIUS code %u (RFC 3579 2.6.3)",
			    (unsigned)buf[0], (unsigned)p->code);
	/* RFC 3748 4.1: a Request has a Type; 4.2: Success and Failure
	 * are the header alone */
	if (want == RADIUS_EAP_REQUEST && len < 5)
		return fail(why, wl, "an EAP Request without a Type");
	if (want != RADIUS_EAP_REQUEST && len != 4)
		return fail(why, wl, "an EAP %s of %u octets",
			    want == RADIUS_EAP_SUCCESS ? "Success" : "Failure", (unsigned)len);
	e->eap_len = len;
	e->eap_code = buf[0];
	e->eap_id = buf[1];
	return 0;
}

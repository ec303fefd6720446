/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP over RADIUS (RFC 3579), the NAS's half of reading: the EAP packet a
 * server's answer carries, put together again from its EAP-Message
 * attributes, and the State to echo in the next Access-Request. Pure: a
 * verified packet in (radius_verify_response), the EAP packet and State
 * out. The Access-Request side is radius_put_access_request with
 * RADIUS_AUTH_EAP (request.h), which splits the client's packet into
 * attributes of 253 octets.
 */
#ifndef RADIUS_EAP_H
#define RADIUS_EAP_H

#include <stddef.h>
#include <stdint.h>

#include "radius.h"

/* RFC 3748 section 4: the EAP codes. */
enum radius_eap_code { RADIUS_EAP_REQUEST = 1, RADIUS_EAP_RESPONSE = 2, RADIUS_EAP_SUCCESS = 3,
		       RADIUS_EAP_FAILURE = 4 };

struct radius_eap {
	uint16_t eap_len;		/* the EAP packet's Length; 0: no EAP-Message */
	uint8_t eap_code, eap_id;
	const uint8_t *state;		/* the State attribute's value, NULL none; points
					 * into the packet */
	uint8_t state_len;
};

/* From a verified Access-Challenge, Access-Accept or Access-Reject: the
 * EAP packet into buf (cap octets; RADIUS_MAX_LEN always holds it), and
 * the State. Checked: the EAP-Message attributes are consecutive (RFC
 * 3579 3.1), the packet carries a Message-Authenticator when it carries
 * EAP (3.2), the EAP header's Length covers at least its header and no
 * more than what came (RFC 3748 4; octets past it are padding), the EAP
 * code is the one the RADIUS code calls for (Challenge: Request, Accept:
 * Success, Reject: Failure; RFC 3579 2.6.3), an Access-Challenge
 * carries EAP at all, and State appears at most once, not empty (RFC 2865
 * 5.24). 0, or -1 with the reason in why. */
int radius_eap_read(const struct radius_packet *p, uint8_t *buf, size_t cap,
		    struct radius_eap *e, char *why, size_t why_len);

#endif

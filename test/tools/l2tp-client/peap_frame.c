/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PEAPv0 framing without TLS: see peap_frame.h. */
#include "peap_frame.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

const char *peap_frame_err_name(enum peap_frame_err e)
{
	switch (e) {
	case PEAP_F_OK: return "ok";
	case PEAP_F_EMPTY: return "no flags";
	case PEAP_F_TRUNCATED: return "truncated TLS Message Length";
	case PEAP_F_TOO_LONG: return "TLS Message Length too long";
	case PEAP_F_OVERRUN: return "fragments past the TLS Message Length";
	case PEAP_F_SHORT: return "message shorter than its TLS Message Length";
	case PEAP_F_LENGTH_CHANGED: return "TLS Message Length changed";
	case PEAP_F_NERR: break;
	}
	return "?";
}

/* RFC 5216 3.1: Flags, then the 4-octet TLS Message Length when L is set,
 * then TLS data. */
enum peap_frame_err peap_frag_parse(const uint8_t *p, size_t n, struct peap_frag *f)
{
	memset(f, 0, sizeof(*f));
	if (n < 1)
		return PEAP_F_EMPTY;
	f->flags = p[0];
	f->version = p[0] & PEAP_VERSION_MASK;
	p++;
	n--;
	if (f->flags & PEAP_FLAG_L) {
		if (n < 4)
			return PEAP_F_TRUNCATED;
		f->has_length = true;
		f->tls_length = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				(uint32_t)p[2] << 8 | p[3];
		if (f->tls_length > PEAP_MAX_MESSAGE)
			return PEAP_F_TOO_LONG;
		p += 4;
		n -= 4;
	}
	f->data = p;
	f->len = n;
	return PEAP_F_OK;
}

enum peap_frame_err peap_reasm_add(struct peap_reasm *r, const struct peap_frag *f,
				   bool *done)
{
	enum peap_frame_err e = PEAP_F_OK;

	*done = false;
	if (f->has_length) {
		/* RFC 5216 3.1: L is on the first fragment; a repeat on a
		 * later one must agree */
		if (r->total && r->total != f->tls_length)
			e = PEAP_F_LENGTH_CHANGED;
		else if (r->got > f->tls_length)
			e = PEAP_F_OVERRUN;
		else
			r->total = f->tls_length;
	}
	if (e == PEAP_F_OK) {
		/* f->len came from an EAP packet (< 64 KiB): no overflow */
		uint32_t limit = r->total ? r->total : PEAP_MAX_MESSAGE;

		if (f->len > limit - r->got)
			e = PEAP_F_OVERRUN;
		else
			r->got += (uint32_t)f->len;
	}
	if (e == PEAP_F_OK && !(f->flags & PEAP_FLAG_M)) {
		if (r->total && r->got != r->total)
			e = PEAP_F_SHORT;
		else
			*done = true;
	}
	if (e != PEAP_F_OK || *done)
		memset(r, 0, sizeof(*r));
	return e;
}

int peap_frag_build(const uint8_t *msg, size_t total, size_t *off,
		    uint8_t *out, size_t cap)
{
	size_t left, hdr = 1, take;
	bool first = *off == 0;

	if (*off > total || cap < 2)
		return -1;
	left = total - *off;
	/* RFC 5216 3.1: the first fragment of several carries L and the
	 * whole length; every one but the last carries M */
	if (first && left > cap - 1) {
		if (cap < 6)
			return -1;
		hdr = 5;
	}
	take = left > cap - hdr ? cap - hdr : left;
	out[0] = 0;	/* PEAP version 0 */
	if (hdr == 5) {
		out[0] |= PEAP_FLAG_L;
		out[1] = (uint8_t)(total >> 24);
		out[2] = (uint8_t)(total >> 16);
		out[3] = (uint8_t)(total >> 8);
		out[4] = (uint8_t)total;
	}
	if (take < left)
		out[0] |= PEAP_FLAG_M;
	if (take)
		memcpy(out + hdr, msg + *off, take);
	*off += take;
	return (int)(hdr + take);
}

/*
 * [MS-PEAP] 3.1.5.6: PEAPv0 tunnels EAP without its header, except the
 * Extensions packet. FreeRADIUS (rlm_eap_peap) sends its Identity Request
 * whole: 01 id 00 05 01. A compressed Identity is the single octet 01, so
 * five octets of that shape can only be the full form (wpa_supplicant
 * tells them apart the same way).
 */
enum peap_inner_err peap_inner_parse(const uint8_t *p, size_t n, uint8_t outer_id,
				     struct peap_inner *in)
{
	memset(in, 0, sizeof(*in));
	if (n < 1)
		return PEAP_I_EMPTY;
	if (n >= 5 && (p[4] == EAP_TYPE_EXTENSIONS ||
		       (n == 5 && p[0] == 1 && get16(p + 2) == 5 && p[4] == 1))) {
		size_t len = get16(p + 2);

		if (len < 5 || len > n)
			return PEAP_I_BAD_LENGTH;
		if (p[0] != 1)
			return PEAP_I_NOT_REQUEST;
		in->code = p[0];
		in->id = p[1];
		in->type = p[4];
		in->full_header = true;
		in->data = p + 5;
		in->len = len - 5;
		return PEAP_I_OK;
	}
	in->code = 1;
	in->id = outer_id;
	in->type = p[0];
	in->data = p + 1;
	in->len = n - 1;
	return PEAP_I_OK;
}

/*
 * draft-kamath-pppext-eap-mschapv2 2: OpCode, MS-CHAPv2-ID, MS-Length
 * (OpCode to the end), then per OpCode: Challenge: Value-Size (16),
 * Challenge, Name; Success and Failure: the message text.
 */
enum peap_mschapv2_err peap_mschapv2_parse(const uint8_t *p, size_t n,
					   struct peap_mschapv2 *m)
{
	size_t mslen;

	memset(m, 0, sizeof(*m));
	if (n < 4)
		return PEAP_M_TRUNCATED;
	m->opcode = p[0];
	m->ms_id = p[1];
	mslen = get16(p + 2);
	if (mslen < 4 || mslen > n)
		return PEAP_M_BAD_LENGTH;
	n = mslen;
	switch (m->opcode) {
	case MSCHAPV2_OP_CHALLENGE:
		if (n < 5)
			return PEAP_M_TRUNCATED;
		if (p[4] != 16)
			return PEAP_M_BAD_VALUE_SIZE;
		if (n < 5 + 16)
			return PEAP_M_TRUNCATED;
		m->challenge = p + 5;
		m->name = p + 21;
		m->name_len = n - 21;
		return PEAP_M_OK;
	case MSCHAPV2_OP_SUCCESS:
	case MSCHAPV2_OP_FAILURE:
		m->message = p + 4;
		m->message_len = n - 4;
		return PEAP_M_OK;
	default:
		return PEAP_M_OPCODE;
	}
}

int peap_mschapv2_response(uint8_t ms_id, const uint8_t peer_challenge[16],
			   const uint8_t nt_response[24], const uint8_t *user,
			   size_t user_len, uint8_t *out, size_t cap)
{
	size_t len = PEAP_MSCHAPV2_RESPONSE_LEN(user_len);

	if (len > cap || len > 0xffff)
		return -1;
	out[0] = MSCHAPV2_OP_RESPONSE;
	out[1] = ms_id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	out[4] = 49;	/* Value-Size: RFC 2759 4's Response field */
	memcpy(out + 5, peer_challenge, 16);
	memset(out + 21, 0, 8);		/* Reserved */
	memcpy(out + 29, nt_response, 24);
	out[53] = 0;			/* Flags */
	if (user_len)
		memcpy(out + 54, user, user_len);
	return (int)len;
}

/* [MS-PEAP] 2.2.8.1: each TLV is M(1) R(1) Type(14), Length(16), Value. */
enum peap_tlv_err peap_tlv_result(const uint8_t *p, size_t n, uint16_t *status)
{
	bool found = false;

	*status = 0;
	while (n) {
		uint16_t t, len;

		if (n < 4)
			return PEAP_T_TRUNCATED;
		t = get16(p);
		len = get16(p + 2);
		if (len > n - 4)
			return PEAP_T_TRUNCATED;
		if ((t & PEAP_TLV_TYPE_MASK) == PEAP_TLV_RESULT) {
			if (len != 2)
				return PEAP_T_BAD_RESULT;
			*status = get16(p + 4);
			if (*status != PEAP_RESULT_SUCCESS &&
			    *status != PEAP_RESULT_FAILURE)
				return PEAP_T_BAD_RESULT;
			found = true;
		} else if (t & PEAP_TLV_MANDATORY) {
			/* e.g. Crypto-Binding (12): FreeRADIUS's PEAPv0
			 * sends none, and we do not do it */
			return PEAP_T_UNKNOWN_MANDATORY;
		}
		p += 4 + len;
		n -= 4 + (size_t)len;
	}
	return found ? PEAP_T_OK : PEAP_T_NO_RESULT;
}

void peap_result_response(uint8_t id, uint16_t status,
			  uint8_t out[PEAP_RESULT_RESPONSE_LEN])
{
	out[0] = 2;		/* Response */
	out[1] = id;
	out[2] = 0;
	out[3] = PEAP_RESULT_RESPONSE_LEN;
	out[4] = EAP_TYPE_EXTENSIONS;
	out[5] = (PEAP_TLV_MANDATORY | PEAP_TLV_RESULT) >> 8;
	out[6] = (uint8_t)PEAP_TLV_RESULT;
	out[7] = 0;
	out[8] = 2;
	out[9] = (uint8_t)(status >> 8);
	out[10] = (uint8_t)status;
}

unsigned peap_failure_code(const uint8_t *msg, size_t len)
{
	unsigned code = 0;
	size_t i = 0;

	/* RFC 2759 6: "E=eeeeeeeeee R=r C=cccc... V=vvvvvvvvvv M=<msg>" */
	while (i + 2 <= len) {
		if ((i == 0 || msg[i - 1] == ' ') && msg[i] == 'E' && msg[i + 1] == '=') {
			for (i += 2; i < len && msg[i] >= '0' && msg[i] <= '9' &&
				     code < 100000000u; i++)
				code = code * 10 + (unsigned)(msg[i] - '0');
			return code;
		}
		i++;
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the test client's PEAP framing parsers
 * (test/tools/l2tp-client/peap_frame.c), everything a PEAP server's bytes
 * reach before or after TLS: the Flags/TLS Message Length of a fragment
 * and the reassembly count of a run of them, the tunnelled EAP packet,
 * EAP-MSCHAPv2, the Result TLV and the Failure text. The first byte picks
 * the parser; what a parser returns must lie inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "peap_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *in, size_t len)
{
	if (n && (p < in || p + n > in + len))
		__builtin_trap();
}

/* The input cut into fragments by its own bytes: a length octet, then
 * that many octets of PEAP Type-Data; the reassembly count never passes
 * its bound nor an announced length. */
static void run_fragments(const uint8_t *p, size_t n)
{
	struct peap_reasm r = { 0 };

	while (n) {
		size_t k = p[0] < n - 1 ? p[0] : n - 1;
		struct peap_frag f;
		bool done;

		if (peap_frag_parse(p + 1, k, &f) == PEAP_F_OK) {
			inside(f.data, f.len, p + 1, k);
			if (f.has_length && f.tls_length > PEAP_MAX_MESSAGE)
				__builtin_trap();
			if (peap_reasm_add(&r, &f, &done) == PEAP_F_OK &&
			    (r.got > PEAP_MAX_MESSAGE || (r.total && r.got > r.total)))
				__builtin_trap();
		}
		p += 1 + k;
		n -= 1 + k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1;
	size_t n = size - 1;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		run_fragments(p, n);
		break;
	case 1: {
		struct peap_inner in;

		if (peap_inner_parse(p, n, 7, &in) == PEAP_I_OK)
			inside(in.data, in.len, p, n);
		break;
	}
	case 2: {
		struct peap_mschapv2 m;

		if (peap_mschapv2_parse(p, n, &m) == PEAP_M_OK) {
			inside(m.challenge, m.challenge ? 16 : 0, p, n);
			inside(m.name, m.name_len, p, n);
			inside(m.message, m.message_len, p, n);
			peap_failure_code(m.message, m.message_len);
		}
		break;
	}
	case 3: {
		uint16_t st;

		if (peap_tlv_result(p, n, &st) == PEAP_T_OK &&
		    st != PEAP_RESULT_SUCCESS && st != PEAP_RESULT_FAILURE)
			__builtin_trap();
		break;
	}
	default: {
		/* our fragmenting of the input as a TLS message: the pieces
		 * put back together are the message */
		uint8_t out[256], back[4096];
		size_t off = 0, got = 0, cap = 6 + (n % 200);

		if (n > sizeof(back))
			break;
		while (off < n) {
			int k = peap_frag_build(p, n, &off, out, cap);
			size_t hdr;

			if (k < 2)
				__builtin_trap();
			hdr = (out[0] & PEAP_FLAG_L) ? 5 : 1;
			memcpy(back + got, out + hdr, (size_t)k - hdr);
			got += (size_t)k - hdr;
			if (!(out[0] & PEAP_FLAG_M) != (off == n))
				__builtin_trap();
		}
		if (got != n || (n && memcmp(back, p, n)))
			__builtin_trap();
		break;
	}
	}
	return 0;
}

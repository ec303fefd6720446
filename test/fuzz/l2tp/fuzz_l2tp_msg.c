/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the control message parser: header, AVPs, hidden AVPs. Whatever
 * decodes must re-encode and decode again to the same message type and AVP
 * set (the encoder and decoder agree on everything the decoder accepts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_codec.h"

static struct l2tp_msg m, m2;
static uint8_t out[L2TP_MAX_CTRL * 2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct l2tp_secret secret = {(const uint8_t *)"fuzz-secret", 11};
	struct l2tp_header h;
	enum l2tp_reason r;

	if (l2tp_ctrl_header_parse(data, size, &h) != L2TP_OK)
		return 0;
	/* with and without a secret: hidden AVPs take both paths */
	(void)l2tp_msg_decode(data + h.hdr_len, h.frame_len - h.hdr_len, NULL, &m);
	r = l2tp_msg_decode(data + h.hdr_len, h.frame_len - h.hdr_len, &secret, &m);
	if (r == L2TP_OK && !m.zlb) {
		size_t n = l2tp_msg_encode(&m, h.tunnel_id, h.session_id, h.ns, h.nr, NULL,
					   out, sizeof(out));
		uint64_t known = m.present;

		if (n == 0)
			abort(); /* a decoded message always fits twice the input limit */
		if (l2tp_msg_decode(out + L2TP_CTRL_HDR_LEN, n - L2TP_CTRL_HDR_LEN, NULL,
				    &m2) != L2TP_OK)
			abort();
		if (m2.type != m.type || m2.present != known)
			abort();
	}
	return 0;
}

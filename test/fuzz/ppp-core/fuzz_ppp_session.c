/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A whole server session fed a sequence of frames.  Input: records of a
 * 2-byte big-endian length and that many frame bytes; a zero length makes
 * the session's timer fire instead.  Auth requests are answered at once
 * with local credentials, so every phase is reachable.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ppp_auth_method order[] = {
		PPP_AUTH_MSCHAPV2, PPP_AUTH_CHAP_MD5, PPP_AUTH_PAP, PPP_AUTH_EAP };
	struct fz *z = calloc(1, sizeof(*z));
	uint64_t now = 1000;
	size_t off = 0;

	if (!z)
		return 0;
	fz_init(z, PPP_SERVER, 99);
	z->answer = true;
	ppp_set_auth_methods(&z->s, order, 4);
	ppp_start(&z->s, now);
	while (off + 2 <= size) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		uint8_t *frame;

		off += 2;
		if (n == 0) {
			uint64_t d = ppp_next_deadline(&z->s);

			if (d > now)
				now = d;
			ppp_timer_expired(&z->s, now);
			continue;
		}
		if (n > size - off)
			n = size - off;
		/* exact-size copy so reads past the frame are caught */
		frame = malloc(n);
		if (!frame)
			break;
		memcpy(frame, data + off, n);
		z->nout = 0;
		ppp_input(&z->s, now, frame, n, NULL);
		free(frame);
		off += n;
		now += 10;
	}
	free(z);
	return 0;
}

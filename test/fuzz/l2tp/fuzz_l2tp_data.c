/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the data message header parser used by the userspace data path:
 * every accepted header must describe a payload inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "l2tp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_header h;
	volatile uint8_t sink = 0;

	if (l2tp_data_header_parse(data, size, &h) != L2TP_OK)
		return 0;
	if (h.hdr_len > h.frame_len || h.frame_len > size)
		abort();
	for (size_t i = h.hdr_len; i < h.frame_len; i++)
		sink ^= data[i]; /* ASan checks the whole payload is readable */
	(void)sink;
	return 0;
}

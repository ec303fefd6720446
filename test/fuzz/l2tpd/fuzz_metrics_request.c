/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the metrics endpoint's request parser
 * (metrics_request_parse), on whatever a peer that reaches the port sends,
 * and the label escaping of the page (prom_sample) on the same bytes as a
 * label value, checking the page line stays one line.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf b = { 0 };
	enum metrics_request r;
	char *label, *page;
	bool head;

	r = metrics_request_parse(data, size, &head);
	assert(r <= METRICS_REQ_BAD);
	assert(!head || r == METRICS_REQ_METRICS || r == METRICS_REQ_NOT_FOUND);

	label = malloc(size + 1);
	if (!label)
		return 0;
	memcpy(label, data, size);
	label[size] = '\0';
	prom_sample(&b, "l2tpd_session_bytes_total", 1, "user", label, NULL);
	page = sb_take(&b);
	if (page) {
		/* exactly one line: no raw newline inside the label */
		assert(strchr(page, '\n') == page + strlen(page) - 1);
		free(page);
	}
	free(label);
	return 0;
}

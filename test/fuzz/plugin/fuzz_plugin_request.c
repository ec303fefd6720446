/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what the charon plugin accepts from l2tpd's socket
 * (l2tp_ipsec_parse_request, the whole of the plugin's decision before it
 * asks charon to act). The input is one datagram. Whatever is accepted must
 * be a DELETE_IKE_SA naming a real IKE_SA id, and must survive a round
 * trip through the writer l2tpd uses: the plugin never acts on something
 * l2tpd could not have sent.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_ipsec_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_ipsec_msg m, again;
	struct l2tp_ipsec_writer w;
	uint8_t buf[64];
	enum l2tp_ipsec_reason r;
	size_t n;

	r = l2tp_ipsec_parse_request(data, size, &m);
	assert((unsigned)r < L2TP_IPSEC_R_MAX);
	if (r != L2TP_IPSEC_OK)
		return 0;
	assert(m.type == L2TP_IPSEC_DELETE_IKE_SA);
	assert(m.ike_id != 0);
	assert(size <= L2TP_IPSEC_MSG_MAX);

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_DELETE_IKE_SA);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, m.ike_id);
	n = l2tp_ipsec_end(&w);
	assert(n > 0);
	assert(l2tp_ipsec_parse_request(buf, n, &again) == L2TP_IPSEC_OK);
	assert(again.ike_id == m.ike_id);
	return 0;
}

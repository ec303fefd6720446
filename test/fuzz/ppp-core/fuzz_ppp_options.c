/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LCP/IPCP/IPV6CP option parsing.  Input: one selector byte (protocol and
 * code), then the options.  The packet is given the Identifier the session
 * expects, so Nak/Reject reach the option handlers too.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t protos[3] = { PPP_PROTO_LCP, PPP_PROTO_IPCP,
					    PPP_PROTO_IPV6CP };
	static const uint8_t codes[4] = { 1, 2, 3, 4 };
	struct fz *srv, *cli;
	uint8_t pkt[1600], frame[1700];
	size_t olen, flen;
	uint16_t proto;
	uint8_t code;
	struct ppp_fsm *f;
	struct ppp_session *s;

	if (size < 1)
		return 0;
	proto = protos[data[0] % 3];
	code = codes[(data[0] / 3) % 4];
	srv = calloc(1, sizeof(*srv));
	cli = calloc(1, sizeof(*cli));
	if (!srv || !cli)
		goto out;
	/* The client side judges options too (e.g. the server's auth). */
	if (proto == PPP_PROTO_LCP) {
		fz_init(srv, (data[0] / 12) & 1 ? PPP_CLIENT : PPP_SERVER, 42);
		ppp_start(&srv->s, 1000);
		s = &srv->s;
		f = &s->lcp;
	} else {
		/* No authentication: straight to the network phase. */
		fz_init(srv, PPP_SERVER, 7);
		fz_init(cli, PPP_CLIENT, 9);
		ppp_set_profile(&srv->s, &srv->profile);
		ppp_start(&srv->s, 1000);
		ppp_start(&cli->s, 1000);
		for (int i = 0; i < 8; i++) {
			fz_deliver(srv, cli, 1000, true);
			fz_deliver(cli, srv, 1000, true);
		}
		if ((data[0] / 12) & 1)
			s = &cli->s;
		else
			s = &srv->s;
		f = proto == PPP_PROTO_IPCP ? &s->ipcp : &s->ipv6cp;
	}
	olen = size - 1 > 1500 ? 1500 : size - 1;
	pkt[0] = code;
	pkt[1] = code == 1 ? 0x55 : f->id;
	pkt[2] = (uint8_t)((olen + 4) >> 8);
	pkt[3] = (uint8_t)(olen + 4);
	memcpy(pkt + 4, data + 1, olen);
	flen = fz_frame(frame, sizeof(frame), proto, pkt, olen + 4);
	ppp_input(s, 1000, frame, flen, NULL);
	/* and once more, as a retransmission in the new state */
	ppp_input(s, 1001, frame, flen, NULL);
out:
	free(srv);
	free(cli);
	return 0;
}

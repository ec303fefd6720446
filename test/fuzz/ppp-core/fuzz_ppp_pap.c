/*
 * PAP (RFC 1334) packet parsing, both roles.  Input: one byte choosing the
 * role (bit 0: client) and whether the Identifier is forced to the one
 * expected (bit 1), then the packet from its Code field on.  The server
 * answers any auth request at once with local credentials.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *srv, *cli;
	struct ppp_session *s;
	uint8_t pkt[1600], frame[1700];
	size_t len, flen;

	if (size < 1)
		return 0;
	srv = calloc(1, sizeof(*srv));
	cli = calloc(1, sizeof(*cli));
	if (!srv || !cli)
		goto out;
	fz_pair_to_auth(srv, cli, PPP_AUTH_PAP);
	srv->answer = true;
	s = (data[0] & 1) ? &cli->s : &srv->s;
	len = size - 1 > 1500 ? 1500 : size - 1;
	memcpy(pkt, data + 1, len);
	if ((data[0] & 2) && len >= 2)
		pkt[1] = s->auth.id;
	flen = fz_frame(frame, sizeof(frame), PPP_PROTO_PAP, pkt, len);
	ppp_input(s, 1000, frame, flen, NULL);
	ppp_input(s, 1001, frame, flen, NULL);
	ppp_timer_expired(s, 5000);
out:
	free(srv);
	free(cli);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP (RFC 3748) relay packet parsing, both roles.  Input: one byte choosing the
 * role (bit 0: client) and whether the Identifier is forced to the one
 * expected (bit 1), then the packet from its Code field on.  The server
 * answers any auth request at once with local credentials.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_auth_packet(data, size, PPP_AUTH_EAP, PPP_PROTO_EAP);
}

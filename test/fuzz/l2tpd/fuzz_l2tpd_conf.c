/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the l2tpd.conf loader (l2tpd/daemon/config.c, with the
 * shared swanctl-syntax parser of lib/conf.c) on arbitrary text,
 * includes refused. A file is either loaded with sane values or refused
 * with a message that names where.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tpd_config c;
	char err[512] = "";

	if (size > 64 * 1024)
		return 0;
	if (config_load_buffer("fuzz.conf", data, size, &c, err, sizeof(err)) != 0) {
		if (!err[0] || strncmp(err, "fuzz.conf", 9) != 0)
			__builtin_trap();
		return 0;
	}
	/* what config_load promises the daemon */
	if (c.n_listen == 0 || c.n_listen > L2TPD_MAX_LISTEN || c.retransmit_initial == 0 ||
	    c.retransmit_max < c.retransmit_initial || c.max_sessions == 0 || c.max_tunnels == 0)
		__builtin_trap();
	if (!memchr(c.control_socket, 0, sizeof(c.control_socket)) ||
	    !memchr(c.host_name, 0, sizeof(c.host_name)) ||
	    !memchr(c.tunnel_secret, 0, sizeof(c.tunnel_secret)))
		__builtin_trap();
	return 0;
}

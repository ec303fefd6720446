/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which control socket l2tpctl talks to, first match wins:
 *   1. --socket PATH
 *   2. $L2TPCTL_SOCKET
 *   3. control_socket in the file given with --config FILE
 *   4. control_socket in /etc/l2tpd/l2tpd.conf, when that file is readable
 *   5. the compiled-in default, /run/l2tpd/l2tpd.sock
 * The files are read with the daemon's own parser (l2tpd/daemon/config.c),
 * so l2tpctl and l2tpd never disagree on what a file says. A file that is
 * named with --config must load; so must the default file when it is
 * readable: falling back to the compiled-in path could reach the wrong
 * daemon, so a broken file is an error with file:line:col.
 */
#include "commands.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define DEFAULT_CONFIG "/etc/l2tpd/l2tpd.conf"

int l2tpctl_socket_path(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("L2TPCTL_SOCKET");
	const char *file = l2tpctl_opts.config;
	struct l2tpd_config cfg;

	if (l2tpctl_opts.socket) {
		snprintf(buf, len, "%s", l2tpctl_opts.socket);
		return 0;
	}
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	if (!file) {
		if (access(DEFAULT_CONFIG, R_OK) != 0) {
			config_defaults(&cfg);
			snprintf(buf, len, "%s", cfg.control_socket);
			return 0;
		}
		file = DEFAULT_CONFIG;
	}
	if (config_load(file, &cfg, err, errlen) != 0)
		return -1;
	snprintf(buf, len, "%s", cfg.control_socket);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reload of l2tpd.conf (SIGHUP, l2tpctl reload), with the same parser as at
 * start. Two steps so that server_reload() applies nothing unless both
 * l2tpd.conf and the policy file load: config_reload_load() parses, and
 * config_reload_apply() takes what can change live and names what cannot.
 * Which key is which: docs/operations.md "Reload".
 */
#ifndef L2TPD_RELOAD_H
#define L2TPD_RELOAD_H

#include <stddef.h>

#include "config.h"

struct server;

/* Parse srv->config_path into next. -1 with "file:line:col: ..." in err. */
int config_reload_load(struct server *srv, struct l2tpd_config *next, char *err, size_t errlen);
/* Apply the live keys of next; `restart` gets the restart-only keys that
 * differ ("listen, dataplane"), empty when none. */
void config_reload_apply(struct server *srv, const struct l2tpd_config *next, char *restart,
			 size_t restartlen);
/* The restart-only keys that differ between a and b, comma-separated
 * (pure: unit-tested). */
void config_restart_only_diff(const struct l2tpd_config *a, const struct l2tpd_config *b,
			      char *out, size_t outlen);

#endif

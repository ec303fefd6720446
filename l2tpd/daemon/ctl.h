/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket (unix, stream, mode 0660, root and control_group):
 * l2tpctl sends one line, e.g. "status", "json sessions",
 * "disconnect user alice", "disconnect session 1234/5678", "reload"; the
 * daemon answers with text (or JSON with the "json" prefix) and closes.
 * Replies start with "ok\n" or "error: <reason>\n". See docs/operations.md.
 */
#ifndef L2TPD_CTL_H
#define L2TPD_CTL_H

#include "server.h"

int ctl_open(struct server *srv, const char *path, const char *group);
void ctl_close(struct server *srv);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One l2tpd per configuration: an exclusive flock(2) on "<control_socket>.lock"
 * taken before any socket is opened. A second daemon with the same
 * control socket would otherwise unlink the first one's control and plugin
 * sockets and leave it unreachable (docs/operations.md "One daemon per
 * configuration"). The lock file holds the owner's pid for the message.
 */
#ifndef L2TPD_INSTANCE_LOCK_H
#define L2TPD_INSTANCE_LOCK_H

#include <stddef.h>

/* Returns the lock's fd (kept open for the daemon's life), or -1 with a
 * message in err: "another l2tpd (pid N) ..." or the system error. */
int instance_lock(const char *control_socket, char *err, size_t errlen);
/* Releases the lock (the file stays, see instance_lock.c). */
void instance_unlock(int fd);

#endif

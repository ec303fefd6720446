/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "instance_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void lock_path(const char *control_socket, char *buf, size_t len)
{
	snprintf(buf, len, "%s.lock", control_socket);
}

int instance_lock(const char *control_socket, char *err, size_t errlen)
{
	char path[160], dir[160], pid[32];
	char *slash;
	int fd;

	lock_path(control_socket, path, sizeof(path));
	/* The runtime directory, as net_listen_unix would create it. */
	snprintf(dir, sizeof(dir), "%s", control_socket);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0750);
	}
	/* 0644: anyone may read who holds the daemon's pid; only root writes. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the instance lock %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		long other = 0;

		if (n > 0) {
			pid[n] = 0;
			other = strtol(pid, NULL, 10);
		}
		close(fd);
		if (e == EWOULDBLOCK && other > 0)
			snprintf(err, errlen, "another l2tpd (pid %ld) is running with the control "
				 "socket %s (lock %s); not starting a second one", other,
				 control_socket, path);
		else if (e == EWOULDBLOCK)
			snprintf(err, errlen, "another l2tpd is running with the control socket %s "
				 "(lock %s); not starting a second one", control_socket, path);
		else
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
		return -1;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* Best effort: without the pid the lock still holds, the message of a
	 * second daemon just cannot name it. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, strlen(pid), 0) < 0)
		pid[0] = 0;
	return fd;
}

void instance_unlock(int fd)
{
	/* The file stays: unlinking it would let a daemon that opened the old
	 * inode and one that creates a new file both hold "the" lock. */
	if (fd >= 0)
		close(fd);
}

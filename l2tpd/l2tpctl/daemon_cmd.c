/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's daemon commands: one request line on the control socket, the
 * reply copied to stdout. The daemon answers "ok\n<text>" or
 * "error: <reason>\n" (protocol: l2tpd/daemon/ctl.h).
 */
#include "commands.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Send `request`, print the reply body; the exit status says how it went. */
int l2tpctl_request(const char *req, FILE *out, FILE *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[256], emsg[512];
	char buf[65536], line[600];
	size_t len = 0;
	int fd, rc = L2TPCTL_OK;
	int first = 1;

	if (l2tpctl_socket_path(path, sizeof(path), emsg, sizeof(emsg)))
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "config", "l2tpctl: %s", emsg);
	if (strlen(path) >= sizeof(sun.sun_path))
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "usage",
				    "l2tpctl: socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return l2tpctl_fail(out, err, L2TPCTL_FAIL, "unreachable",
					    "l2tpctl: l2tpd is not running (no control socket at %s)",
					    path);
		if (e == EACCES || e == EPERM)
			return l2tpctl_fail(out, err, L2TPCTL_FAIL, "permission_denied",
					    "l2tpctl: %s: permission denied (root or the control "
					    "group only)", path);
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "unreachable", "l2tpctl: %s: %s", path,
				    strerror(e));
	}
	snprintf(line, sizeof(line), "%s%s\n", l2tpctl_opts.json ? "json " : "", req);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		int e = errno;
		close(fd);
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "protocol",
				    "l2tpctl: cannot send the request: %s", strerror(e));
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		if (first) {
			char *nl = strchr(buf, '\n');
			if (!nl)
				continue;
			first = 0;
			if (strncmp(buf, "ok\n", 3) != 0) {
				/* "error: <reason>": the daemon refused the request */
				const char *why = buf;
				*nl = 0;
				if (!strncmp(why, "error: ", 7))
					why += 7;
				l2tpctl_fail(out, err, L2TPCTL_FAIL, "daemon", "l2tpd: %s", why);
				rc = L2TPCTL_FAIL;
				/* the body of an error reply is not part of the answer */
				len = 0;
				while (read(fd, buf, sizeof(buf)) > 0)
					;
				break;
			}
			nl++;
			fwrite(nl, 1, len - (size_t)(nl - buf), out);
		} else {
			fwrite(buf, 1, len, out);
		}
		len = 0;
	}
	close(fd);
	if (first)
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "protocol",
				    "l2tpctl: l2tpd closed the connection without an answer");
	return rc;
}

static int no_args(const char *name, int argc, FILE *out, FILE *err)
{
	if (argc)
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage", "usage: l2tpctl [--json] %s",
				    name);
	return L2TPCTL_OK;
}

int l2tpctl_status(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("status", argc, out, err) ?: l2tpctl_request("status", out, err);
}

int l2tpctl_tunnels(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("tunnels", argc, out, err) ?: l2tpctl_request("tunnels", out, err);
}

int l2tpctl_radius(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("radius", argc, out, err) ?: l2tpctl_request("radius", out, err);
}

int l2tpctl_reload(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("reload", argc, out, err) ?: l2tpctl_request("reload", out, err);
}

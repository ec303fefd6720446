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

#define DEFAULT_SOCKET "/run/l2tpd/l2tpd.sock"

static const char *socket_path(void)
{
	const char *env = getenv("L2TPCTL_SOCKET");

	if (l2tpctl_opts.socket)
		return l2tpctl_opts.socket;
	return env && *env ? env : DEFAULT_SOCKET;
}

/* Send `request`, print the reply body; the exit status says how it went. */
static int request(const char *req, FILE *out, FILE *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = socket_path();
	char buf[65536], line[600];
	size_t len = 0;
	int fd, rc = L2TPCTL_OK;
	int first = 1;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(err, "l2tpctl: socket path too long: %s\n", path);
		return L2TPCTL_FAIL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;
		if (e == ENOENT || e == ECONNREFUSED)
			fprintf(err, "l2tpctl: l2tpd is not running (no control socket at %s)\n", path);
		else if (e == EACCES || e == EPERM)
			fprintf(err, "l2tpctl: %s: permission denied (root or the control group only)\n",
				path);
		else
			fprintf(err, "l2tpctl: %s: %s\n", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return L2TPCTL_FAIL;
	}
	snprintf(line, sizeof(line), "%s%s\n", l2tpctl_opts.json ? "json " : "", req);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		fprintf(err, "l2tpctl: cannot send the request: %s\n", strerror(errno));
		close(fd);
		return L2TPCTL_FAIL;
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
				fprintf(err, "l2tpd: %.*s\n", (int)(nl - buf), buf);
				rc = L2TPCTL_FAIL;
			}
			nl++;
			fwrite(nl, 1, len - (size_t)(nl - buf), out);
		} else {
			fwrite(buf, 1, len, out);
		}
		len = 0;
	}
	close(fd);
	if (first) {
		fprintf(err, "l2tpctl: l2tpd closed the connection without an answer\n");
		return L2TPCTL_FAIL;
	}
	return rc;
}

static int no_args(const char *name, int argc, FILE *err)
{
	if (argc) {
		fprintf(err, "usage: l2tpctl [--json] %s\n", name);
		return L2TPCTL_USAGE;
	}
	return L2TPCTL_OK;
}

int l2tpctl_status(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("status", argc, err) ?: request("status", out, err);
}

int l2tpctl_tunnels(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("tunnels", argc, err) ?: request("tunnels", out, err);
}

int l2tpctl_sessions(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("sessions", argc, err) ?: request("sessions", out, err);
}

int l2tpctl_reload(int argc, char **argv, FILE *out, FILE *err)
{
	return no_args("reload", argc, err) ?: request("reload", out, err);
}

int l2tpctl_disconnect(int argc, char **argv, FILE *out, FILE *err)
{
	char req[320];

	if (argc != 2 || (strcmp(argv[0], "user") && strcmp(argv[0], "session")) ||
	    strlen(argv[1]) > 255 || strpbrk(argv[1], " \t\r\n")) {
		fprintf(err, "usage: l2tpctl disconnect user NAME | session TUNNEL/SESSION\n");
		return L2TPCTL_USAGE;
	}
	snprintf(req, sizeof(req), "disconnect %s %s", argv[0], argv[1]);
	return request(req, out, err);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ctl_request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static enum ctl_parse fail(struct ctl_request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum ctl_parse fail(struct ctl_request *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->error, sizeof(req->error), fmt, ap);
	va_end(ap);
	return CTL_PARSE_ERROR;
}

/* "1234/5678", both 0..65535, nothing else. */
static bool parse_ids(const char *s, uint16_t *tid, uint16_t *sid)
{
	unsigned long v[2];
	char *end;

	for (int i = 0; i < 2; i++) {
		if (*s < '0' || *s > '9')
			return false;
		v[i] = strtoul(s, &end, 10);
		if (v[i] > 65535 || end - s > 5)
			return false;
		s = end;
		if (i == 0 && *s++ != '/')
			return false;
	}
	if (*s)
		return false;
	*tid = (uint16_t)v[0];
	*sid = (uint16_t)v[1];
	return true;
}

enum ctl_parse ctl_request_parse(const char *buf, size_t len, struct ctl_request *req)
{
	char *line = req->words, *argv[CTL_MAX_ARGS + 1], *save = NULL;
	const char *nl = memchr(buf, '\n', len);
	size_t n;
	int argc = 0;

	memset(req, 0, sizeof(*req));
	if (!nl) {
		if (memchr(buf, 0, len))
			return fail(req, "request contains a NUL byte");
		if (len < CTL_MAX_REQUEST)
			return CTL_PARSE_MORE;
		return fail(req, "request too long");
	}
	n = (size_t)(nl - buf);
	if (n >= CTL_MAX_REQUEST)
		return fail(req, "request too long");
	if (memchr(buf, 0, n))
		return fail(req, "request contains a NUL byte");
	memcpy(line, buf, n);
	line[n] = 0;
	for (char *tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (argc == CTL_MAX_ARGS)
			return fail(req, "too many words");
		argv[argc++] = tok;
	}
	if (argc && !strcmp(argv[0], "json")) {
		req->json = true;
		memmove(argv, argv + 1, (size_t)--argc * sizeof(argv[0]));
	}
	if (argc == 0)
		return fail(req, "empty request");
	if (argc == 1 && !strcmp(argv[0], "status"))
		req->cmd = CTL_CMD_STATUS;
	else if (argc == 1 && !strcmp(argv[0], "tunnels"))
		req->cmd = CTL_CMD_TUNNELS;
	else if (!strcmp(argv[0], "sessions"))
		req->cmd = CTL_CMD_SESSIONS;	/* selectors checked by select.c */
	else if (argc == 1 && !strcmp(argv[0], "reload"))
		req->cmd = CTL_CMD_RELOAD;
	else if (argc == 1 && !strcmp(argv[0], "pools"))
		req->cmd = CTL_CMD_POOLS;
	else if (argc == 1 && !strcmp(argv[0], "radius"))
		req->cmd = CTL_CMD_RADIUS;
	else if (argc == 3 && !strcmp(argv[0], "disconnect") && !strcmp(argv[1], "user")) {
		req->cmd = CTL_CMD_DISCONNECT_USER;
		snprintf(req->user, sizeof(req->user), "%s", argv[2]);
	} else if (argc == 3 && !strcmp(argv[0], "disconnect") && !strcmp(argv[1], "session")) {
		req->cmd = CTL_CMD_DISCONNECT_SESSION;
		if (!parse_ids(argv[2], &req->tunnel_id, &req->session_id))
			return fail(req, "expected TUNNEL/SESSION ids, e.g. 1234/5678");
	} else if (argc >= 2 && !strcmp(argv[0], "disconnect")) {
		req->cmd = CTL_CMD_DISCONNECT;	/* selector words: select.c */
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "all") != 0 && !strchr(argv[i], '='))
				return fail(req, "disconnect: expected KEY=VALUE selectors or all "
					    "(user=, session=, address=, interface=, peer=, policy=)");
	} else if (argc == 2 && !strcmp(argv[0], "drain") &&
		   (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		req->cmd = CTL_CMD_DRAIN;
		req->drain_on = !strcmp(argv[1], "on");
	} else if (!strcmp(argv[0], "trace")) {
		/* trace on|off SELECTOR...: selector words checked by select.c */
		req->cmd = CTL_CMD_TRACE;
		if (argc < 3 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
			return fail(req, "trace: expected on|off and KEY=VALUE selectors or all "
				    "(user=, session=, address=, interface=, peer=, policy=)");
		req->trace_on = !strcmp(argv[1], "on");
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "all") != 0 && !strchr(argv[i], '='))
				return fail(req, "trace: expected KEY=VALUE selectors or all "
					    "(user=, session=, address=, interface=, peer=, policy=)");
		for (int i = 2; i < argc; i++)
			req->args[req->n_args++] = argv[i];
		return CTL_PARSE_OK;
	} else {
		char word[64];

		return fail(req, "unknown request '%s' (status, tunnels, sessions, disconnect, "
			    "drain, trace, reload, pools, radius)", text_safe(word, sizeof(word), argv[0]));
	}
	for (int i = 1; i < argc; i++)
		req->args[req->n_args++] = argv[i];
	return CTL_PARSE_OK;
}

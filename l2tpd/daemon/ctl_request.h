/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's request parser (protocol: ctl.h), pure: bytes in,
 * a request or an error out. Unit-tested (test/unit/l2tpd-daemon) and
 * fuzzed (test/fuzz/l2tpd) on its own.
 */
#ifndef L2TPD_CTL_REQUEST_H
#define L2TPD_CTL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest request line, newline included. */
#define CTL_MAX_REQUEST 512

/* json + a command + every selector word once (select.h) */
#define CTL_MAX_ARGS 16

enum ctl_cmd {
	CTL_CMD_STATUS,
	CTL_CMD_TUNNELS,
	CTL_CMD_SESSIONS,		/* args: selector words (select.h), may be none */
	CTL_CMD_RELOAD,
	CTL_CMD_DISCONNECT_USER,
	CTL_CMD_DISCONNECT_SESSION,
	CTL_CMD_DISCONNECT,		/* args: selector words, at least one */
	CTL_CMD_DRAIN,			/* drain_on */
	CTL_CMD_TRACE,			/* trace_on; args: selector words, at least one */
	CTL_CMD_POOLS,			/* each pool's IPv4 lease counts */
	CTL_CMD_RADIUS,			/* RADIUS servers and engines (radius_status.h) */
};

struct ctl_request {
	bool json;			/* "json" prefix: answer in JSON */
	enum ctl_cmd cmd;
	char user[CTL_MAX_REQUEST];	/* CTL_CMD_DISCONNECT_USER */
	uint16_t tunnel_id, session_id;	/* CTL_CMD_DISCONNECT_SESSION */
	bool drain_on;			/* CTL_CMD_DRAIN */
	bool trace_on;			/* CTL_CMD_TRACE */
	/* CTL_CMD_SESSIONS, CTL_CMD_DISCONNECT, CTL_CMD_TRACE: the selector
	 * words after the command, pointing into words[] */
	char words[CTL_MAX_REQUEST];
	char *args[CTL_MAX_ARGS];
	int n_args;
	char error[160];		/* CTL_PARSE_ERROR: the reason, printable */
};

enum ctl_parse {
	CTL_PARSE_MORE,		/* no newline yet: read more */
	CTL_PARSE_OK,
	CTL_PARSE_ERROR,	/* answer "error: <req->error>" and close */
};

/* Parse what a client has sent so far, buf[0..len). A request ends at its
 * first newline; without one, CTL_PARSE_MORE while len is below
 * CTL_MAX_REQUEST, an error after. A NUL byte before the newline is an
 * error (answered, never waited on). */
enum ctl_parse ctl_request_parse(const char *buf, size_t len, struct ctl_request *req);

#endif

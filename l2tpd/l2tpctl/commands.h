/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl: one table of top-level commands. A command gets the arguments
 * after its name and returns the process exit status:
 *   0 ok / granted, 1 failure (bad file, daemon error), 2 usage error,
 *   3 a decision was made and it is "deny" (policy test).
 * To add a daemon command (status, sessions, disconnect, reload), write
 * l2tpctl_<name>() in its own file and add a row to commands[] in main.c.
 */
#ifndef L2TPCTL_COMMANDS_H
#define L2TPCTL_COMMANDS_H

#include <stdio.h>

#define L2TPCTL_OK 0
#define L2TPCTL_FAIL 1
#define L2TPCTL_USAGE 2
#define L2TPCTL_DENIED 3

struct l2tpctl_command {
	const char *name;
	const char *args;	/* for the usage text */
	const char *help;
	int (*run)(int argc, char **argv, FILE *out, FILE *err);
};

/* Options given before the command:
 * l2tpctl [--json] [--socket PATH | --config FILE] CMD */
struct l2tpctl_options {
	int json;
	const char *socket;	/* NULL: see l2tpctl_socket_path() */
	const char *config;	/* --config FILE: its control_socket key */
};
extern struct l2tpctl_options l2tpctl_opts;

/* The control socket, in the order documented in discover.c; -1 with a
 * message (file:line:col of a broken l2tpd.conf) in err. */
int l2tpctl_socket_path(char *buf, size_t len, char *err, size_t errlen);

/* Report a failure (json_err.c): with --json one object
 * {"error":{"code":CODE,"message":...}} on out, else the message on err.
 * Returns status. */
int l2tpctl_fail(FILE *out, FILE *err, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

int l2tpctl_policy(int argc, char **argv, FILE *out, FILE *err);
/* Client profiles from the server's swanctl.conf (client_config.c). */
int l2tpctl_client_config(int argc, char **argv, FILE *out, FILE *err);
/* Daemon commands, over the control socket (daemon_cmd.c). */
int l2tpctl_status(int argc, char **argv, FILE *out, FILE *err);
int l2tpctl_tunnels(int argc, char **argv, FILE *out, FILE *err);
int l2tpctl_radius(int argc, char **argv, FILE *out, FILE *err);
int l2tpctl_reload(int argc, char **argv, FILE *out, FILE *err);
/* Send one request line, print the reply (daemon_cmd.c). */
int l2tpctl_request(const char *req, FILE *out, FILE *err);
/* Selecting sessions (select_cmd.c): filters, disconnect, drain. */
int l2tpctl_sessions(int argc, char **argv, FILE *out, FILE *err);
int l2tpctl_disconnect(int argc, char **argv, FILE *out, FILE *err);
int l2tpctl_drain(int argc, char **argv, FILE *out, FILE *err);
int l2tpctl_trace(int argc, char **argv, FILE *out, FILE *err);

#endif

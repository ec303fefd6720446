/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl: the control tool of l2tpd. Commands live in a table; each is a
 * function in its own file (see commands.h). Offline commands (policy) work
 * without a running daemon.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const struct l2tpctl_command commands[] = {
	{ "policy", "check|test|hash ...", "offline checks of a policy file", l2tpctl_policy },
	{ "status", "", "ports in use of max, tunnels, sessions", l2tpctl_status },
	{ "tunnels", "", "the daemon's tunnels", l2tpctl_tunnels },
	{ "sessions", "[--user U] [--address A]", "sessions: user, peer, address, interface, uptime, "
	  "traffic;\n      also --peer IP[:PORT] --interface IF --policy P, --sort id|user|address|"
	  "peer|interface|policy|uptime", l2tpctl_sessions },
	{ "disconnect", "--user U|--session T/S", "end the sessions selected;\n      also --address A "
	  "--interface IF --peer P --policy P (all must match), --all --yes", l2tpctl_disconnect },
	{ "drain", "[on|off]", "refuse new tunnels and sessions, keep those up (not kept "
	  "across a restart)", l2tpctl_drain },
	{ "trace", "on|off --session T/S", "log the state transitions of the sessions selected\n"
	  "      whatever log_level (selectors as for disconnect, or --all)", l2tpctl_trace },
	{ "reload", "", "reload l2tpd.conf and the policy file (kept on error)", l2tpctl_reload },
	{ "radius", "", "RADIUS servers: alive or dead, authentication and accounting\n"
	  "      counters, round-trip times, the accounting queue and spool", l2tpctl_radius },
	{ "client-config", "KIND --server ADDR ...", "a client profile (windows, apple, "
	  "networkmanager, android)", l2tpctl_client_config },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))


static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpctl [--json] [--socket PATH | --config FILE] COMMAND [ARGS...]\n"
		   "       l2tpctl --version\n\n"
		   "options:\n"
		   "  --json         machine-readable output; every failure is one object\n"
		   "                 {\"error\":{\"code\":...,\"message\":...}} on stdout\n"
		   "  --socket PATH  the daemon's control socket\n"
		   "  --config FILE  use the control_socket of this l2tpd.conf\n\n"
		   "the control socket, first match wins:\n"
		   "  1. --socket PATH\n"
		   "  2. $L2TPCTL_SOCKET\n"
		   "  3. control_socket in --config FILE\n"
		   "  4. control_socket in /etc/l2tpd/l2tpd.conf, when readable\n"
		   "  5. /run/l2tpd/l2tpd.sock\n\n"
		   "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %-22s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f, "  %-8s %-22s %s\n", "help", "", "this text");
}

int main(int argc, char **argv)
{
	const char *bad_option = NULL;

	/* Global options before the command. */
	while (argc >= 2 && argv[1][0] == '-' && argv[1][1] == '-') {
		if (!strcmp(argv[1], "--json")) {
			l2tpctl_opts.json = 1;
		} else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "--version")) {
			break;
		} else if ((!strcmp(argv[1], "--socket") || !strcmp(argv[1], "--config")) &&
			   argc >= 3) {
			if (argv[1][2] == 's')
				l2tpctl_opts.socket = argv[2];
			else
				l2tpctl_opts.config = argv[2];
			argv++;
			argc--;
		} else {
			bad_option = argv[1];
			break;
		}
		argv++;
		argc--;
	}
	if (bad_option)
		return l2tpctl_fail(stdout, stderr, L2TPCTL_USAGE, "usage",
				    "l2tpctl: unknown option or missing argument: '%s' (try 'l2tpctl "
				    "help')", bad_option);
	if (argc < 2) {
		if (l2tpctl_opts.json)
			return l2tpctl_fail(stdout, stderr, L2TPCTL_USAGE, "usage",
					    "l2tpctl: no command (try 'l2tpctl help')");
		usage(stderr);
		return L2TPCTL_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return L2TPCTL_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("l2tpctl %s\n", L2TPD_PACKAGE_VERSION);
		return L2TPCTL_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 2, argv + 2, stdout, stderr);
	return l2tpctl_fail(stdout, stderr, L2TPCTL_USAGE, "unknown_command",
			    "l2tpctl: unknown command '%s' (try 'l2tpctl help')", argv[1]);
}

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
	{ "sessions", "", "sessions: user, peer, address, interface, uptime, traffic", l2tpctl_sessions },
	{ "disconnect", "user NAME|session T/S", "end a user's sessions or one session", l2tpctl_disconnect },
	{ "reload", "", "reload the policy file (kept on error)", l2tpctl_reload },
	{ "client-config", "KIND --server ADDR ...", "a client profile (windows, apple, networkmanager, android)", l2tpctl_client_config },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

struct l2tpctl_options l2tpctl_opts;

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpctl [--json] [--socket PATH] COMMAND [ARGS...]\n"
		   "       l2tpctl --version\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %-22s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f, "  %-8s %-22s %s\n", "help", "", "this text");
}

int main(int argc, char **argv)
{
	/* Global options before the command. */
	while (argc >= 2 && argv[1][0] == '-' && argv[1][1] == '-') {
		if (!strcmp(argv[1], "--json")) {
			l2tpctl_opts.json = 1;
		} else if (!strcmp(argv[1], "--socket") && argc >= 3) {
			l2tpctl_opts.socket = argv[2];
			argv++;
			argc--;
		} else {
			break;
		}
		argv++;
		argc--;
	}
	if (argc < 2) {
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
	fprintf(stderr, "l2tpctl: unknown command '%s' (try 'l2tpctl help')\n", argv[1]);
	return L2TPCTL_USAGE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl sessions [--user U] [--address A] [--peer IP[:PORT]] [--interface IF]
 *                  [--policy P] [--sort id|user|address|peer|interface|policy|uptime]
 * l2tpctl disconnect --user U | --session T/S | --address A | --interface IF
 *                    | --peer P | --policy P | --all --yes
 *         (and the older forms: disconnect user NAME | session T/S)
 * l2tpctl drain [on|off]
 * l2tpctl trace on|off --session T/S | --user U | ... | --all
 *
 * The options become request words (user=U ... sort=KEY): the daemon
 * filters (l2tpd/daemon/select.c), so only the sessions asked for cross
 * the socket. Several selectors all have to match. --all ends every
 * session and wants --yes, so a mistyped command cannot drop everyone.
 */
#include "commands.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define REQ_MAX 480	/* the daemon reads one line of at most 512 bytes */

static const char *const selectors[] = { "user", "address", "peer", "interface", "policy",
					 "session", "sort" };

static int add_word(char *req, size_t len, const char *key, const char *val)
{
	size_t n = strlen(req);
	int w;

	/* one word per value: no blanks, no control characters */
	for (const char *p = val; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -1;
	if (!*val)
		return -1;
	w = snprintf(req + n, len - n, " %s=%s", key, val);
	return w < 0 || (size_t)w >= len - n ? -1 : 0;
}

/* --KEY VALUE pairs of `allowed` (a mask over selectors[]) into req.
 * Returns 0, or -1 with the offending word in *bad. */
static int parse_selectors(int argc, char **argv, unsigned allowed, char *req, size_t len,
			   bool *all, bool *yes, const char **bad)
{
	for (int i = 0; i < argc; i++) {
		size_t k;

		*bad = argv[i];
		if (all && !strcmp(argv[i], "--all")) {
			*all = true;
			continue;
		}
		if (yes && !strcmp(argv[i], "--yes")) {
			*yes = true;
			continue;
		}
		if (strncmp(argv[i], "--", 2))
			return -1;
		for (k = 0; k < sizeof(selectors) / sizeof(selectors[0]); k++)
			if ((allowed & (1u << k)) && !strcmp(argv[i] + 2, selectors[k]))
				break;
		if (k == sizeof(selectors) / sizeof(selectors[0]) || i + 1 >= argc)
			return -1;
		*bad = argv[i + 1];
		if (add_word(req, len, selectors[k], argv[++i]))
			return -1;
	}
	return 0;
}

int l2tpctl_sessions(int argc, char **argv, FILE *out, FILE *err)
{
	char req[REQ_MAX] = "sessions";
	const char *bad = NULL;

	/* every selector but session=, and sort= */
	if (parse_selectors(argc, argv, 0x5f, req, sizeof(req), NULL, NULL, &bad))
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "usage: l2tpctl sessions [--user U] [--address A] [--peer P] "
				    "[--interface IF] [--policy P] [--sort id|user|address|peer|"
				    "interface|policy|uptime] (at '%.64s')", bad ? bad : "");
	return l2tpctl_request(req, out, err);
}

int l2tpctl_disconnect(int argc, char **argv, FILE *out, FILE *err)
{
	char req[REQ_MAX] = "disconnect";
	const char *bad = NULL;
	bool all = false, yes = false;

	/* the older positional forms: disconnect user NAME | session T/S */
	if (argc == 2 && (!strcmp(argv[0], "user") || !strcmp(argv[0], "session"))) {
		if (add_word(req, sizeof(req), argv[0], argv[1]))
			goto usage;
		/* the daemon's own words for these: "disconnect user NAME" */
		snprintf(req, sizeof(req), "disconnect %s %s", argv[0], argv[1]);
		return l2tpctl_request(req, out, err);
	}
	/* every selector but sort= */
	if (parse_selectors(argc, argv, 0x3f, req, sizeof(req), &all, &yes, &bad))
		goto usage;
	if (all && strcmp(req, "disconnect"))
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "l2tpctl disconnect: --all does not combine with a selector");
	if (all && !yes)
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "l2tpctl disconnect --all ends every session: add --yes to "
				    "confirm");
	if (all)
		return l2tpctl_request("disconnect all", out, err);
	if (!strcmp(req, "disconnect"))
		goto usage;
	return l2tpctl_request(req, out, err);
usage:
	return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
			    "usage: l2tpctl disconnect --user U | --session TUNNEL/SESSION | "
			    "--address A | --interface IF | --peer P | --policy P | --all --yes%s%.64s%s",
			    bad ? " (at '" : "", bad ? bad : "", bad ? "')" : "");
}

int l2tpctl_drain(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc == 0 || (argc == 1 && !strcmp(argv[0], "on")))
		return l2tpctl_request("drain on", out, err);
	if (argc == 1 && !strcmp(argv[0], "off"))
		return l2tpctl_request("drain off", out, err);
	return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage", "usage: l2tpctl drain [on|off]");
}

/* Per-session tracing: the session's state transitions in the daemon's
 * log whatever its log_level (docs/operations.md "Following one session"). */
int l2tpctl_trace(int argc, char **argv, FILE *out, FILE *err)
{
	char req[REQ_MAX];
	const char *bad = NULL;
	bool all = false;

	if (argc < 2 || (strcmp(argv[0], "on") && strcmp(argv[0], "off")))
		goto usage;
	snprintf(req, sizeof(req), "trace %s", argv[0]);
	/* every selector but sort= */
	if (parse_selectors(argc - 1, argv + 1, 0x3f, req, sizeof(req), &all, NULL, &bad))
		goto usage;
	if (all && strchr(req + 6, '='))
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "l2tpctl trace: --all does not combine with a selector");
	if (all)
		snprintf(req, sizeof(req), "trace %s all", argv[0]);
	return l2tpctl_request(req, out, err);
usage:
	return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
			    "usage: l2tpctl trace on|off --session TUNNEL/SESSION | --user U | "
			    "--address A | --interface IF | --peer P | --policy P | --all%s%.64s%s",
			    bad ? " (at '" : "", bad ? bad : "", bad ? "')" : "");
}

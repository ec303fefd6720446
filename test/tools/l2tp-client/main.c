/* SPDX-License-Identifier: GPL-2.0-or-later */
/* l2tp-client: see client.h and docs/test-client.md. */
#include <stdio.h>

#include "client.h"

int main(int argc, char **argv)
{
	struct client_opts o;
	struct client cl;
	char err[256];
	int rc;

	rc = client_opts_parse(argc, argv, &o, err, sizeof(err));
	if (rc == OPTS_HELP) {
		fputs(client_usage_text, stdout);
		return 0;
	}
	if (rc != OPTS_OK) {
		fprintf(stderr, "l2tp-client: %s\n%s", err, client_usage_text);
		return 2;
	}
	if (client_init(&cl, &o) < 0) {
		client_free(&cl);
		return 1;
	}
	rc = client_run(&cl);
	client_free(&cl);
	return rc;
}

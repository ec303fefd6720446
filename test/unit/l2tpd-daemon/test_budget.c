/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory budget of the daemon's per-session and per-tunnel state (the
 * control plane's and the data plane's are budgeted in their own tests).
 * sizeof is deterministic: this is a design limit, not a timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "server.h"

#define SESSION_BUDGET 2048	/* of the 16 KiB RSS per session target */
#define TUNNEL_BUDGET 512

static void session_state_fits_its_budget(void **state)
{
	printf("struct session: %zu bytes (ppp-core %zu of it)\n", sizeof(struct session),
	       sizeof(struct ppp_session));
	assert_true(sizeof(struct session) <= SESSION_BUDGET);
}

static void tunnel_state_fits_its_budget(void **state)
{
	printf("struct tunnel: %zu bytes\n", sizeof(struct tunnel));
	assert_true(sizeof(struct tunnel) <= TUNNEL_BUDGET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_state_fits_its_budget),
		cmocka_unit_test(tunnel_state_fits_its_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

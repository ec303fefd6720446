/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A daemon file that asks which backend it got: check_daemon_isolation.sh
 * must fail on this tree (test/unit/dataplane/meson.build, should_fail). */
#include "dataplane.h"

int is_kernel(const struct dataplane_ops *ops)
{
	return ops == &dataplane_kernel;
}

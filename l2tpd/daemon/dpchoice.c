/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The data plane the daemon runs: see dpchoice.h. */
#include "dpchoice.h"

#include "log.h"

const struct dataplane_ops *dpchoice_choose(const struct l2tpd_config *cfg)
{
	char reason[256] = "";

	switch (cfg->dataplane) {
	case DP_KERNEL:
		if (dataplane_kernel.probe(reason, sizeof(reason))) {
			log_err("dataplane = kernel, but the kernel cannot: %s", reason);
			return NULL;
		}
		return &dataplane_kernel;
	case DP_USERSPACE:
		return &dataplane_userspace;
	case DP_AUTO:
		break;
	}
	if (dataplane_kernel.probe(reason, sizeof(reason)) == 0)
		return &dataplane_kernel;
	log_notice("kernel data path unavailable (%s): using the userspace data path", reason);
	return &dataplane_userspace;
}

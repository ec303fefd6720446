/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which data plane the daemon runs (l2tpd.conf `dataplane`): the one place
 * in the daemon that names a backend. Everything else drives the chosen one
 * through dataplane.h and asks its capabilities (docs/dataplane.md); the
 * unit suite's dataplane/daemon-isolation check keeps it that way.
 */
#ifndef L2TPD_DPCHOICE_H
#define L2TPD_DPCHOICE_H

#include "config.h"
#include "dataplane.h"

/* The backend for cfg->dataplane (auto: the kernel's if its probe passes,
 * else userspace, said at notice level); NULL with a log line when the
 * configured one cannot run here. */
const struct dataplane_ops *dpchoice_choose(const struct l2tpd_config *cfg);

#endif

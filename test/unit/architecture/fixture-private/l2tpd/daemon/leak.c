/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixture: the daemon may include policy's interface, not its private
 * header (must be caught) */
#include "policy.h"
#include "policy_int.h"

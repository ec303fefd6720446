/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Closing file descriptors off the event loop.
 *
 * Closing the last fd of a TUN device or of a ppp unit unregisters a
 * network device; the kernel waits for RCU grace periods and for the
 * device's references to drop (netdev_run_todo), 20-50 ms per device on
 * the development machine, far more under qemu TCG. Done inline, tearing
 * down thousands of sessions stalls the daemon's loop for minutes
 * (docs/performance.md). A dp_closer takes the fds and closes them on one
 * thread of its own, in the order they were given (so a backend can keep
 * an order such as "PPP channel, then unit, then PPPoL2TP socket").
 *
 * Ownership: dp_closer_close() takes the fd; the caller must forget it at
 * once (the number stays allocated until the closer thread closes it, so
 * it cannot be handed out again and alias anything in the meantime).
 * The closer thread touches nothing but the queue and the fds it owns.
 * dp_closer_free() closes what is still queued, joins the thread, and
 * returns once every fd is closed: after it, every device is gone.
 */
#ifndef L2TPD_DP_CLOSER_H
#define L2TPD_DP_CLOSER_H

#include <stddef.h>
#include <stdint.h>

struct dp_closer;

struct dp_closer_stats {
	uint64_t queued;	/* fds handed over */
	uint64_t closed;	/* closed by the thread */
	uint64_t inline_closed;	/* closed in the caller (no thread or no memory) */
	size_t pending;		/* queued, not closed yet */
	size_t max_pending;	/* high-water mark of the queue */
};

/* 0 or -errno. The thread starts with the first fd, with every signal
 * blocked (the daemon takes its signals through signalfd on the loop). */
int dp_closer_new(struct dp_closer **out);
/* Hand fd over (negative fds are ignored). Never waits on the kernel: it
 * takes a mutex held only for O(1) queue work. If the thread cannot be
 * started or the queue cannot grow, the fd is closed right here, so it is
 * never leaked. c NULL: close() inline. */
void dp_closer_close(struct dp_closer *c, int fd);
/* Wait until every fd handed over is closed (for tests and tools that
 * check the devices are gone). */
void dp_closer_flush(struct dp_closer *c);
void dp_closer_get_stats(struct dp_closer *c, struct dp_closer_stats *st);
/* Close what is queued, stop and join the thread, free. NULL is fine. */
void dp_closer_free(struct dp_closer *c);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rate limits for log lines a peer can cause at will (SCCRQ and ICRQ
 * refused, datagrams dropped): per message class, the first `burst` lines
 * of each interval are written, the rest only counted; the next line of
 * the class after the interval (or log_rl_flush from a timer) first writes
 * one summary, "suppressed N 'what' in the last S s". So a class writes at
 * most burst + 1 lines per interval, whatever the flood. Time is passed
 * in (milliseconds, any monotonic origin) so the rules are unit-tested.
 */
#ifndef L2TPD_LOG_RATELIMIT_H
#define L2TPD_LOG_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

struct log_rl {
	const char *what;	/* the class, for the summary line */
	uint32_t burst;		/* lines written per interval */
	uint32_t interval_ms;
	uint32_t logged;	/* in the current interval */
	uint64_t window_start;
	uint64_t suppressed;	/* in the current interval */
	uint64_t total_suppressed;
};

#define LOG_RL_INIT(what_, burst_, interval_ms_) \
	{ .what = (what_), .burst = (burst_), .interval_ms = (interval_ms_) }

/*
 * The pure rule. One occurrence at `now`: true if its line is to be
 * written. If an interval ended, *summary gets the number suppressed in it
 * (0: no summary due) and *summary_ms its length.
 */
bool log_rl_take(struct log_rl *rl, uint64_t now, uint64_t *summary, uint64_t *summary_ms);
/* Timer: end the interval if it is over; the count to report, or 0. */
uint64_t log_rl_roll(struct log_rl *rl, uint64_t now, uint64_t *summary_ms);
/* When log_rl_flush is next due (something suppressed), or UINT64_MAX. */
uint64_t log_rl_deadline(const struct log_rl *rl);

/* The rule plus the lines: the summary (if due) then this line (if allowed). */
void log_rl_msg(struct log_rl *rl, uint64_t now, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Write the summary of an interval that is over (call from a timer). */
void log_rl_flush(struct log_rl *rl, uint64_t now);

#endif

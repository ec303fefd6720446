/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rate-limited log lines: see log_ratelimit.h. */
#include "log_ratelimit.h"

#include <stdarg.h>
#include <stdio.h>

uint64_t log_rl_roll(struct log_rl *rl, uint64_t now, uint64_t *summary_ms)
{
	uint64_t n;

	*summary_ms = 0;
	if (now < rl->window_start + rl->interval_ms)
		return 0;
	n = rl->suppressed;
	*summary_ms = now - rl->window_start;
	rl->window_start = now;
	rl->logged = 0;
	rl->suppressed = 0;
	return n;
}

bool log_rl_take(struct log_rl *rl, uint64_t now, uint64_t *summary, uint64_t *summary_ms)
{
	*summary = 0;
	*summary_ms = 0;
	if (rl->logged == 0 && rl->suppressed == 0)
		rl->window_start = now;	/* a quiet class starts a fresh interval */
	else
		*summary = log_rl_roll(rl, now, summary_ms);
	if (rl->logged < rl->burst) {
		rl->logged++;
		return true;
	}
	rl->suppressed++;
	rl->total_suppressed++;
	return false;
}

uint64_t log_rl_deadline(const struct log_rl *rl)
{
	return rl->suppressed ? rl->window_start + rl->interval_ms : UINT64_MAX;
}

static void summary_line(const struct log_rl *rl, enum log_level level, uint64_t n, uint64_t ms)
{
	log_msg(level, "suppressed %llu '%s' line(s) in the last %llu s",
		(unsigned long long)n, rl->what, (unsigned long long)((ms + 999) / 1000));
}

void log_rl_msg(struct log_rl *rl, uint64_t now, enum log_level level, const char *fmt, ...)
{
	uint64_t n, ms;
	bool write;
	va_list ap;
	char line[512];

	if (!log_enabled(level))
		return;
	write = log_rl_take(rl, now, &n, &ms);
	if (n)
		summary_line(rl, level, n, ms);
	if (!write)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(level, "%s", line);
}

void log_rl_flush(struct log_rl *rl, uint64_t now)
{
	uint64_t n, ms;

	if (rl->suppressed == 0)
		return;
	n = log_rl_roll(rl, now, &ms);
	if (n)
		summary_line(rl, LOG_LVL_WARN, n, ms);
}

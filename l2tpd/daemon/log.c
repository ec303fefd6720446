/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"

/* Process-wide logging settings: not per-session state. */
static enum log_level current_level = LOG_LVL_INFO;
static int use_prefix;

void log_init(enum log_level level, int syslog_prefix)
{
	current_level = level;
	use_prefix = syslog_prefix;
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

int log_enabled(enum log_level level)
{
	return level <= current_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	static const struct { const char *name; enum log_level level; } names[] = {
		{ "error", LOG_LVL_ERR }, { "warning", LOG_LVL_WARN },
		{ "notice", LOG_LVL_NOTICE }, { "info", LOG_LVL_INFO },
		{ "debug", LOG_LVL_DEBUG },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -1;
}

static void log_write(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void log_write(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const tags[] = {
		[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warning",
		[LOG_LVL_NOTICE] = "notice", [LOG_LVL_INFO] = "info",
		[LOG_LVL_DEBUG] = "debug",
	};
	char line[1024], safe[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One event, one line, whatever a caller forgot: control characters
	 * and bytes that are not UTF-8 become \xNN (lib/text.h). Client
	 * strings are also passed through SAFE_STR by the callers, which
	 * escapes quotes and backslashes as well (docs/l2tpd.md "Logging"). */
	text_escape(safe, sizeof(safe), line, strlen(line), 0);
	if (use_prefix) {
		fprintf(stderr, "<%d>%s\n", level, safe);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld l2tpd %s: %s\n", when, ts.tv_nsec / 1000000L,
			tags[level], safe);
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

void log_msg_always(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

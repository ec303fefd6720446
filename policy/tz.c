/*
 * Local time in a configured zone. The C library knows the tz database only
 * through the TZ variable, so a conversion sets TZ, calls tzset() and
 * localtime_r()/mktime(), and restores it. Evaluation caches the UTC offset
 * per 15-minute bucket: every offset change in the tz database since 1970
 * falls on a quarter hour, so a bucket never straddles a DST change.
 */
#include "policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool policy_tz_valid(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	FILE *f;
	bool ok;

	if (!tz[0] || tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 200)
		return false;
	if (strcmp(tz, "UTC") == 0)
		return true;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", tz);
	f = fopen(path, "rb");
	if (!f)
		return false;
	/* glibc silently falls back to UTC on a bad zone: check it is TZif */
	ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

struct tz_saved {
	char *old;
	bool had;
	bool switched;
};

static bool tz_enter(const char *tz, struct tz_saved *s)
{
	const char *cur = getenv("TZ");

	s->had = cur != NULL;
	s->old = cur ? strdup(cur) : NULL;
	s->switched = false;
	if (s->had && !s->old)
		return false;
	if (tz) {
		if (setenv("TZ", tz, 1) != 0) {
			free(s->old);
			return false;
		}
		s->switched = true;
	}
	tzset();
	return true;
}

static void tz_leave(struct tz_saved *s)
{
	if (s->switched) {
		if (s->had)
			setenv("TZ", s->old, 1);
		else
			unsetenv("TZ");
		tzset();
	}
	free(s->old);
}

bool policy_localtime(const char *tz, time_t t, struct tm *out)
{
	struct tz_saved s;
	bool ok;

	if (!tz_enter(tz, &s))
		return false;
	ok = localtime_r(&t, out) != NULL;
	tz_leave(&s);
	return ok;
}

bool policy_mktime(const char *tz, struct tm *tm, time_t *out)
{
	struct tz_saved s;
	time_t t;

	if (!tz_enter(tz, &s))
		return false;
	tm->tm_isdst = -1;	/* let the zone decide: DST or not */
	t = mktime(tm);
	tz_leave(&s);
	if (t == (time_t)-1)
		return false;
	*out = t;
	return true;
}

void policy_local_wmin(struct policy *p, time_t t, int *wday, int *minute)
{
	long long bucket = (long long)(t >= 0 ? t / 900 : (t - 899) / 900);
	long long local, days, secs;

	if (!p->tz_cached || p->tz_bucket != bucket) {
		struct tm tm;
		if (policy_localtime(p->timezone, t, &tm))
			p->tz_offset = tm.tm_gmtoff;
		else
			p->tz_offset = 0;
		p->tz_bucket = bucket;
		p->tz_cached = true;
	}
	local = (long long)t + p->tz_offset;
	days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	secs = local - days * 86400;
	/* 1970-01-01 was a Thursday (4) */
	*wday = (int)(((days % 7) + 7 + 4) % 7);
	*minute = (int)(secs / 60);
}

bool timewin_match(const struct timewin *w, int wday, int minute)
{
	int prev = (wday + 6) % 7;

	if (w->start < w->end)
		return (w->days & (1u << wday)) && minute >= w->start &&
		       minute < w->end;
	/* across midnight: the evening of a listed day, or the early hours
	 * of the day after a listed day */
	return ((w->days & (1u << wday)) && minute >= w->start) ||
	       ((w->days & (1u << prev)) && minute < w->end);
}

static const char *const day_names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					   "Fri", "Sat" };

/* "Mon-Fri 08:00-18:00", "Sat,Mon 22:00-06:00", "00:00-24:00" */
char *timewin_format(const struct timewin *w, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (w->days != 0x7f) {
		/* runs of consecutive days, Monday first */
		int d = 0;
		while (d < 7) {
			int day = (d + 1) % 7, end = d;
			if (!(w->days & (1u << day))) {
				d++;
				continue;
			}
			while (end + 1 < 7 && (w->days & (1u << ((end + 2) % 7))))
				end++;
			int n = end > d
				? snprintf(buf + off, len - off, "%s%s-%s", off ? "," : "",
					   day_names[day], day_names[(end + 1) % 7])
				: snprintf(buf + off, len - off, "%s%s", off ? "," : "",
					   day_names[day]);
			if (n < 0 || (size_t)n >= len - off)
				return buf;
			off += (size_t)n;
			d = end + 1;
		}
		if (off < len - 1)
			buf[off++] = ' ';
		buf[off] = '\0';
	}
	snprintf(buf + off, len - off, "%02u:%02u-%02u:%02u", w->start / 60,
		 w->start % 60, w->end / 60, w->end % 60);
	return buf;
}

bool policy_parse_time(const policy_t *p, const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	bool utc;
	size_t len = strlen(s);

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return false;
	if (s[n] == 'T' || s[n] == ' ') {
		int m = 0;
		if (sscanf(s + n + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
			return false;
		n += 1 + m;
		if (s[n] == ':') {
			if (sscanf(s + n + 1, "%2d%n", &sec, &m) != 1)
				return false;
			n += 1 + m;
		}
	}
	utc = s[n] == 'Z';
	if ((size_t)n + (utc ? 1 : 0) != len)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    h < 0 || mi < 0 || sec < 0 || y < 1970 || y > 9999)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (utc) {
		time_t t = timegm(&tm);
		if (t == (time_t)-1)
			return false;
		*out = t;
		return true;
	}
	if (!policy_mktime(p ? p->timezone : NULL, &tm, out))
		return false;
	/* mktime normalises 2026-02-31 into March: refuse instead */
	return tm.tm_mday == d && tm.tm_mon == mo - 1;
}

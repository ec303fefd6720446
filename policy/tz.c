/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Local time in a configured zone. The C library knows the tz database only
 * through the TZ variable, so a conversion sets TZ, calls tzset() and
 * localtime_r()/mktime(), and restores it. Evaluation does not do that per
 * login: it looks the UTC offset up in a table of the zone's transitions.
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

/*
 * The zone's offset transitions between 2000 and 2100, found by probing
 * each day and bisecting to the second where the offset changed: about
 * 37,000 conversions, once per loaded policy, with TZ set once. Then a
 * lookup is a binary search, and no evaluation touches TZ or the zone file.
 * Outside that range each conversion asks the C library.
 */
#define TZ_TABLE_FROM 946684800		/* 2000-01-01T00:00Z */
#define TZ_TABLE_TO 4102444800		/* 2100-01-01T00:00Z */

static long offset_at(time_t t)
{
	struct tm tm;

	return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

static void build_table(struct policy *p)
{
	struct tz_saved s;
	size_t cap = 256;
	long prev;

	p->tz_built = true;
	p->tz_at = malloc(cap * sizeof(*p->tz_at));
	p->tz_off = malloc(cap * sizeof(*p->tz_off));
	if (!p->tz_at || !p->tz_off || !tz_enter(p->timezone, &s))
		goto fail;
	prev = offset_at(TZ_TABLE_FROM);
	p->tz_at[0] = TZ_TABLE_FROM;
	p->tz_off[0] = prev;
	p->tz_n = 1;
	for (time_t day = TZ_TABLE_FROM + 86400; day < TZ_TABLE_TO; day += 86400) {
		long off = offset_at(day);
		time_t lo = day - 86400, hi = day;

		if (off == prev)
			continue;
		while (hi - lo > 1) {	/* first second with the new offset */
			time_t mid = lo + (hi - lo) / 2;
			if (offset_at(mid) == prev)
				lo = mid;
			else
				hi = mid;
		}
		if (p->tz_n == cap) {
			time_t *a = realloc(p->tz_at, cap * 2 * sizeof(*a));
			if (a)
				p->tz_at = a;
			long *o = realloc(p->tz_off, cap * 2 * sizeof(*o));
			if (o)
				p->tz_off = o;
			if (!a || !o) {
				tz_leave(&s);
				goto fail;
			}
			cap *= 2;
		}
		p->tz_at[p->tz_n] = hi;
		p->tz_off[p->tz_n] = offset_at(hi);
		p->tz_n++;
		prev = p->tz_off[p->tz_n - 1];
	}
	tz_leave(&s);
	return;
fail:
	free(p->tz_at);
	free(p->tz_off);
	p->tz_at = NULL;
	p->tz_off = NULL;
	p->tz_n = 0;
}

static long utc_offset(struct policy *p, time_t t)
{
	struct tm tm;

	if (!p->tz_built)
		build_table(p);
	if (p->tz_n && t >= TZ_TABLE_FROM && t < TZ_TABLE_TO) {
		size_t lo = 0, hi = p->tz_n;
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (p->tz_at[mid] <= t)
				lo = mid;
			else
				hi = mid;
		}
		return p->tz_off[lo];
	}
	return policy_localtime(p->timezone, t, &tm) ? tm.tm_gmtoff : 0;
}

void policy_local_wmin(struct policy *p, time_t t, int *wday, int *minute)
{
	long long local = (long long)t + utc_offset(p, t);
	long long days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	long long secs = local - days * 86400;

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

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Strictly YYYY-MM-DD[(T| )HH:MM[:SS]][Z]. */
bool policy_parse_time(const policy_t *p, const char *s, time_t *out)
{
	size_t len = strlen(s), n = 10;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	bool utc = false;
	struct tm tm;

	if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (len > n && (s[n] == 'T' || s[n] == ' ')) {
		if (len < n + 6 || !digits(s + n + 1, 2, &h) || s[n + 3] != ':' ||
		    !digits(s + n + 4, 2, &mi))
			return false;
		n += 6;
		if (len > n && s[n] == ':') {
			if (len < n + 3 || !digits(s + n + 1, 2, &sec))
				return false;
			n += 3;
		}
	}
	if (len == n + 1 && s[n] == 'Z') {
		utc = true;
		n++;
	}
	if (n != len)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 ||
	    y < 1970)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (utc) {
		time_t t = timegm(&tm);
		if (t == (time_t)-1 || tm.tm_mday != d)
			return false;
		*out = t;
		return true;
	}
	if (!policy_mktime(p ? p->timezone : NULL, &tm, out))
		return false;
	/* mktime normalises 2026-02-31 into March: refuse instead */
	return tm.tm_mday == d && tm.tm_mon == mo - 1;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accounting spool's format (acct_spool.h). */
#include "acct_spool.h"

#include <string.h>

#include "crc32.h"

#define SYNC0 0xAC
#define SYNC1 0xC7

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* Runs on the event loop (the engine encodes each record as it is made),
 * so the checksum is lib's table-driven CRC-32, one lookup per octet. */
size_t radius_spool_encode(uint8_t *buf, size_t cap, const struct radius_spool_entry *e)
{
	size_t body;

	if (e->kind == RADIUS_SPOOL_RECORD) {
		if (e->attrs_len == 0 || e->attrs_len > RADIUS_SPOOL_MAX_ATTRS)
			return 0;
		body = RADIUS_SPOOL_RECORD_FIXED + e->attrs_len;
	} else if (e->kind == RADIUS_SPOOL_DONE) {
		body = 8;
	} else {
		return 0;
	}
	if (cap < RADIUS_SPOOL_ENTRY_OVERHEAD + body)
		return 0;
	buf[0] = SYNC0;
	buf[1] = SYNC1;
	buf[2] = (uint8_t)e->kind;
	put_be16(buf + 3, (uint16_t)body);
	put_be64(buf + 5, e->seq);
	if (e->kind == RADIUS_SPOOL_RECORD) {
		put_be32(buf + 13, e->event_time);
		memcpy(buf + 17, e->attrs, e->attrs_len);
	}
	put_be32(buf + 5 + body, crc32_ieee(buf + 2, 3 + body));
	return RADIUS_SPOOL_ENTRY_OVERHEAD + body;
}

/* The attributes of a record must be well-formed RADIUS attributes (RFC
 * 2865 section 5): the engine sends them as they are. */
static bool attrs_ok(const uint8_t *a, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 2 || a[off + 1] < 2 || a[off + 1] > len - off)
			return false;
		off += a[off + 1];
	}
	return len > 0;
}

enum entry_result { ENTRY_OK, ENTRY_TRUNCATED, ENTRY_CHECKSUM, ENTRY_MALFORMED };

/* One entry at buf (which starts with the sync pattern). */
static enum entry_result read_entry(const uint8_t *buf, size_t len, struct radius_spool_entry *e,
				    size_t *used)
{
	size_t body;

	if (len < 5)
		return ENTRY_TRUNCATED;
	body = get_be16(buf + 3);
	if (len - 5 < body + 4)
		return ENTRY_TRUNCATED;
	if (get_be32(buf + 5 + body) != crc32_ieee(buf + 2, 3 + body))
		return ENTRY_CHECKSUM;
	memset(e, 0, sizeof(*e));
	switch (buf[2]) {
	case RADIUS_SPOOL_RECORD:
		if (body < RADIUS_SPOOL_RECORD_FIXED + 2 ||
		    body > RADIUS_SPOOL_RECORD_FIXED + RADIUS_SPOOL_MAX_ATTRS ||
		    !attrs_ok(buf + 17, body - RADIUS_SPOOL_RECORD_FIXED))
			return ENTRY_MALFORMED;
		e->event_time = get_be32(buf + 13);
		e->attrs = buf + 17;
		e->attrs_len = body - RADIUS_SPOOL_RECORD_FIXED;
		break;
	case RADIUS_SPOOL_DONE:
		if (body != 8)
			return ENTRY_MALFORMED;
		break;
	default:
		return ENTRY_MALFORMED;
	}
	e->kind = (enum radius_spool_kind)buf[2];
	e->seq = get_be64(buf + 5);
	*used = 5 + body + 4;
	return ENTRY_OK;
}

unsigned radius_spool_read(const uint8_t *buf, size_t len, radius_spool_entry_fn fn, void *arg,
			   struct radius_spool_read_stats *st)
{
	size_t off = 0;
	bool damaged = false;		/* inside a damaged stretch: count it once */
	unsigned good = 0;

	memset(st, 0, sizeof(*st));
	if (len >= RADIUS_SPOOL_HEADER_LEN &&
	    memcmp(buf, RADIUS_SPOOL_HEADER, RADIUS_SPOOL_HEADER_LEN) == 0) {
		off = RADIUS_SPOOL_HEADER_LEN;
	} else if (len > 0) {
		st->bad_header = true;
		damaged = true;
		st->refused++;
	}
	while (off < len) {
		struct radius_spool_entry e;
		enum entry_result r = ENTRY_MALFORMED;
		size_t used = 0;

		if (buf[off] == SYNC0 && (len - off < 2 || buf[off + 1] == SYNC1))
			r = read_entry(buf + off, len - off, &e, &used);
		if (r == ENTRY_OK) {
			damaged = false;
			good++;
			if (e.kind == RADIUS_SPOOL_RECORD)
				st->records++;
			else
				st->done++;
			fn(arg, &e);
			off += used;
			continue;
		}
		/* not an entry here: a damaged stretch starts (or goes on);
		 * look for the next sync pattern one octet further */
		if (!damaged) {
			damaged = true;
			st->refused++;
			if (r == ENTRY_TRUNCATED)
				st->truncated++;
			else if (r == ENTRY_CHECKSUM)
				st->bad_checksum++;
			else
				st->malformed++;
		}
		st->skipped_octets++;
		off++;
	}
	return good;
}

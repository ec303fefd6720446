/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounting spool's format (docs/radius.md, "The accounting spool"):
 * accounting records not yet acknowledged by a server, kept on disk so they
 * survive a restart. Pure: entries are encoded into bytes and read back
 * from bytes; the file and its writer are spool_file.h.
 *
 * A spool is an 8-octet header ("L2RACCT1") then entries, each:
 *
 *   0  2  sync 0xAC 0xC7
 *   2  1  kind: 1 record, 2 done (the record with that sequence number
 *         was acknowledged or dropped)
 *   3  2  body length (big-endian)
 *   5  n  body: record: seq (8), event time (4, seconds since 1970),
 *               the record's RADIUS attributes (without Acct-Delay-Time)
 *               done:   seq (8)
 *   5+n 4 CRC-32 (IEEE 802.3, lib/crc32.h) over octets 2 .. 5+n-1
 *
 * The reader checks every entry on its own: a damaged one (bad checksum,
 * cut short, impossible contents) is refused and reading goes on at the
 * next sync pattern, so one bad entry never costs the rest.
 */
#ifndef RADIUS_ACCT_SPOOL_H
#define RADIUS_ACCT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIUS_SPOOL_HEADER "L2RACCT1"
#define RADIUS_SPOOL_HEADER_LEN 8
#define RADIUS_SPOOL_ENTRY_OVERHEAD 9		/* sync, kind, length, CRC */
#define RADIUS_SPOOL_RECORD_FIXED 12		/* seq, event time */
/* attributes of one record: a packet minus its header */
#define RADIUS_SPOOL_MAX_ATTRS (4096 - 20)
#define RADIUS_SPOOL_MAX_ENTRY (RADIUS_SPOOL_ENTRY_OVERHEAD + RADIUS_SPOOL_RECORD_FIXED + \
				RADIUS_SPOOL_MAX_ATTRS)

enum radius_spool_kind { RADIUS_SPOOL_RECORD = 1, RADIUS_SPOOL_DONE = 2 };

struct radius_spool_entry {
	enum radius_spool_kind kind;
	uint64_t seq;
	uint32_t event_time;			/* record only */
	const uint8_t *attrs;			/* record only */
	size_t attrs_len;
};

/* What the spool's owner does with the file (the engine calls these in
 * order; spool_file.c and the tests' in-memory spool carry them out). */
enum radius_spool_op {
	RADIUS_SPOOL_APPEND,		/* bytes: one encoded entry */
	RADIUS_SPOOL_RESET,		/* nothing outstanding: back to the header alone */
	RADIUS_SPOOL_REWRITE_BEGIN,	/* a new file: APPENDs until COMMIT go there */
	RADIUS_SPOOL_REWRITE_COMMIT,	/* the new file replaces the old one */
};

/* The encoded entry's length, or 0 (does not fit, attributes too long). */
size_t radius_spool_encode(uint8_t *buf, size_t cap, const struct radius_spool_entry *e);

struct radius_spool_read_stats {
	unsigned records, done;		/* good entries */
	unsigned refused;		/* damaged entries (one per damaged stretch) */
	unsigned bad_checksum, truncated, malformed;	/* why, for the first failure of each stretch */
	size_t skipped_octets;
	bool bad_header;
};

typedef void (*radius_spool_entry_fn)(void *arg, const struct radius_spool_entry *e);

/* Every good entry of a spool, in order. A missing or wrong header is
 * refused like a damaged entry (the entries after it are still read).
 * Returns the number of good entries. */
unsigned radius_spool_read(const uint8_t *buf, size_t len, radius_spool_entry_fn fn, void *arg,
			   struct radius_spool_read_stats *st);

#endif

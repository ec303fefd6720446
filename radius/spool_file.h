/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounting spool on disk (docs/radius.md, "The accounting spool"):
 * a file of the administrator's naming (<dir>/accounting.spool by
 * default) in the format of acct_spool.h, written by one
 * thread of its own so that the event loop never waits for the disk. The
 * loop hands each operation over (a mutex held for a list append, no I/O);
 * the thread appends what accumulated, then fdatasync()s once for the
 * batch (group commit). A rewrite, and a reset to the header alone, go to
 * <name>.new beside it, which is synced, then renamed over the spool and
 * the directory synced: at every moment one complete spool is on disk, and
 * the spool is never truncated in place. A rewrite that could not be
 * written completely (a write failed, or an append was refused by the
 * pending bound) is abandoned and the old spool kept.
 */
#ifndef RADIUS_SPOOL_FILE_H
#define RADIUS_SPOOL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "acct_spool.h"

#define RADIUS_SPOOL_FILE_NAME "accounting.spool"
#define RADIUS_SPOOL_FILE_TMP_SUFFIX ".new"	/* a rewrite's file: <name>.new beside it */
#define RADIUS_SPOOL_FILE_MAX_READ (256u << 20)

struct radius_spool_file_stats {
	uint64_t batches, syncs;
	uint64_t write_errors;		/* write, sync or rename failed (the file stays as it was) */
	uint64_t dropped;		/* appends refused: max_pending octets not yet on disk */
	uint64_t resets;		/* back to the header alone (a new file renamed over) */
	uint64_t rewrites;		/* rewrites renamed over the spool */
	uint64_t rewrites_abandoned;	/* rewrites not complete: the old spool kept */
};

struct radius_spool_file;

/* Locks the directory of path (flock: one process per spool, and so one
 * spool per directory), opens (creates) the file path, whose rewrites go
 * to path + ".new" in the same directory, and reads what the previous run
 * left into *old (malloc'd, for radius_acct_restore; free it). Runs at
 * start, before the loop, and reads synchronously. NULL with a reason in
 * err. max_pending: octets handed over and not yet written, beyond which
 * appends are refused and counted (a disk that stopped answering must not
 * eat the memory). */
struct radius_spool_file *radius_spool_file_open_path(const char *path, size_t max_pending,
						      uint8_t **old, size_t *old_len,
						      char *err, size_t errlen);
/* The same for <dir>/accounting.spool. */
struct radius_spool_file *radius_spool_file_open(const char *dir, size_t max_pending,
						 uint8_t **old, size_t *old_len,
						 char *err, size_t errlen);
/* Hand an operation to the writer thread (never waits for the disk). The
 * signature fits radius_acct_ops.spool with the file as ctx. */
void radius_spool_file_op(void *file, enum radius_spool_op op, const uint8_t *bytes, size_t len);
/* Wait until everything handed over is on disk (at shutdown, in tests). */
void radius_spool_file_flush(struct radius_spool_file *f);
void radius_spool_file_stats(struct radius_spool_file *f, struct radius_spool_file_stats *st);
/* Flush, stop the thread, close. */
void radius_spool_file_close(struct radius_spool_file *f);

#endif

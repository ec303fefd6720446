/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accounting spool on disk (spool_file.h). */
#include "spool_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct op {
	struct op *next;
	enum radius_spool_op kind;
	bool incomplete;		/* a COMMIT whose rewrite lost an append on the way */
	size_t len;
	uint8_t bytes[];
};

struct radius_spool_file {
	char path[PATH_MAX], tmp[PATH_MAX];
	int dirfd, fd, newfd;		/* newfd: a rewrite in progress, -1 none */
	/* the writer thread's own (no lock): a write to the new file failed;
	 * what was written to each file since its last sync */
	bool new_failed, fd_dirty, new_dirty;
	bool fd_lazy;		/* done entries written to fd, not yet synced */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work, written;
	struct op *head, *tail;
	size_t pending, max_pending;
	uint64_t handed, done;		/* operations handed over / carried out */
	/* the loop's side, under lock: between REWRITE_BEGIN and COMMIT, and
	 * whether an append of that rewrite was refused */
	bool rewriting, rewrite_lost;
	struct op *commit;		/* the COMMIT of the rewrite being handed over */
	bool stop;
	struct radius_spool_file_stats st;
};

static bool write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

static bool write_header(int fd)
{
	return write_all(fd, (const uint8_t *)RADIUS_SPOOL_HEADER, RADIUS_SPOOL_HEADER_LEN);
}

/* In the writer thread: the rewrite in progress is abandoned; the old
 * spool, which holds everything the new one would have, stays. */
static void abandon_rewrite(struct radius_spool_file *f, struct radius_spool_file_stats *acc)
{
	if (f->newfd < 0)
		return;
	close(f->newfd);
	f->newfd = -1;
	f->new_dirty = f->new_failed = false;
	unlinkat(f->dirfd, f->tmp, 0);
	acc->rewrites_abandoned++;
}

/* In the writer thread: the new file, complete, replaces the spool. The
 * order is what makes it crash-safe: the new file's contents reach the
 * disk (fdatasync) before the rename can, and the rename reaches it
 * (fsync of the directory) before the old file is let go. At every moment
 * the spool's name is one complete spool, the old or the new;
 * the old one is never cut short in place. On any failure the old file
 * stays and stays in use. */
static bool replace(struct radius_spool_file *f, struct radius_spool_file_stats *acc)
{
	acc->syncs++;
	if (fdatasync(f->newfd) != 0 || renameat(f->dirfd, f->tmp, f->dirfd, f->path) != 0) {
		acc->write_errors++;
		abandon_rewrite(f, acc);
		return false;
	}
	/* the rename is done; if the directory cannot be synced, a crash
	 * may bring back the old file, which holds at least as much */
	if (fsync(f->dirfd) != 0)
		acc->write_errors++;
	close(f->fd);
	f->fd = f->newfd;
	f->newfd = -1;
	f->fd_dirty = f->fd_lazy = f->new_dirty = f->new_failed = false;
	return true;
}

/* In the writer thread: a new file with the header, where the rewrite's
 * appends go until COMMIT. */
static bool begin_rewrite(struct radius_spool_file *f, struct radius_spool_file_stats *acc)
{
	if (f->newfd >= 0)
		abandon_rewrite(f, acc);
	f->newfd = openat(f->dirfd, f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
			  0600);
	if (f->newfd < 0 || !write_header(f->newfd)) {
		acc->write_errors++;
		if (f->newfd >= 0)
			close(f->newfd);
		f->newfd = -1;	/* the old file keeps everything */
		return false;
	}
	f->new_dirty = true;
	f->new_failed = false;
	return true;
}

/* In the writer thread. */
static void apply(struct radius_spool_file *f, const struct op *o,
		  struct radius_spool_file_stats *acc)
{
	switch (o->kind) {
	case RADIUS_SPOOL_APPEND:
		if (f->newfd >= 0) {
			f->new_dirty = true;
			if (!write_all(f->newfd, o->bytes, o->len)) {
				acc->write_errors++;
				f->new_failed = true;	/* the new file lacks it */
			}
		} else {
			/* A done entry needs no sync of its own: lost to a
			 * power failure, it costs a record sent twice (at
			 * least once, docs/radius.md), never a record lost;
			 * the next record's sync, a rewrite or the close
			 * takes it to the disk. At a steady pace every
			 * record is acknowledged alone: this halves the
			 * syncs. Octet 2 is the entry's kind (acct_spool.h). */
			if (o->len > 2 && o->bytes[2] == RADIUS_SPOOL_DONE)
				f->fd_lazy = true;
			else
				f->fd_dirty = true;
			if (!write_all(f->fd, o->bytes, o->len))
				acc->write_errors++;
		}
		return;
	case RADIUS_SPOOL_RESET:
		/* nothing outstanding: a new file with the header alone is
		 * renamed over the spool, as a rewrite with no records. Not
		 * ftruncate() on the spool: that cuts the only copy in place,
		 * and a rewrite in progress would be renamed over it after */
		abandon_rewrite(f, acc);
		if (begin_rewrite(f, acc) && replace(f, acc))
			acc->resets++;
		return;
	case RADIUS_SPOOL_REWRITE_BEGIN:
		begin_rewrite(f, acc);
		return;
	case RADIUS_SPOOL_REWRITE_COMMIT:
		if (f->newfd < 0)
			return;		/* BEGIN failed: the appends went to the old file */
		if (o->incomplete || f->new_failed) {
			/* an append of the rewrite was refused or not
			 * written: renaming the new file over the spool would
			 * lose a record the old file has */
			abandon_rewrite(f, acc);
			return;
		}
		if (replace(f, acc))
			acc->rewrites++;
		return;
	}
}

static void *writer(void *arg)
{
	struct radius_spool_file *f = arg;

	pthread_mutex_lock(&f->lock);
	for (;;) {
		struct op *list;
		uint64_t n = 0;
		struct radius_spool_file_stats acc = { 0 };

		while (!f->head && !f->stop)
			pthread_cond_wait(&f->work, &f->lock);
		if (!f->head && f->stop)
			break;
		list = f->head;
		f->head = f->tail = NULL;
		f->pending = 0;
		pthread_mutex_unlock(&f->lock);
		while (list) {
			struct op *o = list;

			list = o->next;
			apply(f, o, &acc);
			free(o);
			n++;
		}
		/* group commit: one sync per file written in the batch (appends
		 * to the spool before a rewrite began, and to the rewrite's new
		 * file, may share a batch) */
		if (f->fd_dirty) {
			acc.syncs++;
			if (fdatasync(f->fd) != 0)
				acc.write_errors++;
			f->fd_dirty = f->fd_lazy = false;
		}
		if (f->newfd >= 0 && f->new_dirty) {
			acc.syncs++;
			if (fdatasync(f->newfd) != 0)
				acc.write_errors++;
			f->new_dirty = false;
		}
		pthread_mutex_lock(&f->lock);
		f->st.batches++;
		f->st.syncs += acc.syncs;
		f->st.write_errors += acc.write_errors;
		f->st.resets += acc.resets;
		f->st.rewrites += acc.rewrites;
		f->st.rewrites_abandoned += acc.rewrites_abandoned;
		f->done += n;
		pthread_cond_broadcast(&f->written);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static bool read_all(int fd, uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	struct stat sb;
	uint8_t *b;
	size_t n = 0;

	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "stat: %s", strerror(errno));
		return false;
	}
	if ((uint64_t)sb.st_size > RADIUS_SPOOL_FILE_MAX_READ) {
		snprintf(err, errlen, "%lld octets, more than %u: not a spool of ours",
			 (long long)sb.st_size, RADIUS_SPOOL_FILE_MAX_READ);
		return false;
	}
	b = malloc((size_t)sb.st_size + 1);
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	while (n < (size_t)sb.st_size) {
		ssize_t r = pread(fd, b + n, (size_t)sb.st_size - n, (off_t)n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			free(b);
			return false;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = b;
	*out_len = n;
	return true;
}

struct radius_spool_file *radius_spool_file_open_path(const char *path, size_t max_pending,
						      uint8_t **old, size_t *old_len,
						      char *err, size_t errlen)
{
	struct radius_spool_file *f;
	char dir[PATH_MAX];
	const char *base = strrchr(path, '/');
	struct stat sb;

	*old = NULL;
	*old_len = 0;
	/* a file in a directory: the rewrite's temporary file goes beside
	 * it (the same file system), so the rename over it is atomic */
	if (!base || !base[1] || !strcmp(base + 1, ".") || !strcmp(base + 1, "..") ||
	    strlen(base + 1) + sizeof(RADIUS_SPOOL_FILE_TMP_SUFFIX) > NAME_MAX + 1 ||
	    (size_t)(base - path) >= sizeof(dir)) {
		snprintf(err, errlen, "%s: not a file name in a directory", path);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (base == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	f->fd = f->newfd = -1;
	f->max_pending = max_pending;
	snprintf(f->path, sizeof(f->path), "%s", base + 1);
	snprintf(f->tmp, sizeof(f->tmp), "%s%s", base + 1, RADIUS_SPOOL_FILE_TMP_SUFFIX);
	f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(f);
		return NULL;
	}
	/* one writer per spool: two daemons appending to one file would
	 * interleave and rewrite each other's records away. The directory
	 * is locked, not the file, which a rewrite replaces by a rename */
	if (flock(f->dirfd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "%s: %s", dir, errno == EWOULDBLOCK
			 ? "the accounting spool is in use by another process"
			 : strerror(errno));
		goto fail;
	}
	f->fd = openat(f->dirfd, f->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(f->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (!read_all(f->fd, old, old_len, err, errlen))
		goto fail;
	/* The name is the administrator's: a typo naming a file that is not
	 * a spool (one of /etc, a database) must not be rewritten to a spool
	 * header. Only a header cut short at the spool's creation (a crash
	 * within its first write) is taken as ours. */
	if (*old_len && memcmp(*old, RADIUS_SPOOL_HEADER,
			       *old_len < RADIUS_SPOOL_HEADER_LEN ? *old_len
								  : RADIUS_SPOOL_HEADER_LEN)) {
		snprintf(err, errlen, "%s: not an accounting spool (no %s header): refused, "
			 "left as it is", path, RADIUS_SPOOL_HEADER);
		goto fail;
	}
	if (*old_len == 0 && !write_header(f->fd)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->work, NULL);
	pthread_cond_init(&f->written, NULL);
	if (pthread_create(&f->thread, NULL, writer, f) != 0) {
		snprintf(err, errlen, "cannot start the spool writer");
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->work);
		pthread_cond_destroy(&f->written);
		goto fail;
	}
	return f;
fail:
	free(*old);
	*old = NULL;
	*old_len = 0;
	if (f->fd >= 0)
		close(f->fd);
	close(f->dirfd);
	free(f);
	return NULL;
}

struct radius_spool_file *radius_spool_file_open(const char *dir, size_t max_pending,
						 uint8_t **old, size_t *old_len,
						 char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, RADIUS_SPOOL_FILE_NAME) >= (int)sizeof(path)) {
		*old = NULL;
		*old_len = 0;
		snprintf(err, errlen, "%s: name too long", dir);
		return NULL;
	}
	return radius_spool_file_open_path(path, max_pending, old, old_len, err, errlen);
}

void radius_spool_file_op(void *file, enum radius_spool_op kind, const uint8_t *bytes, size_t len)
{
	struct radius_spool_file *f = file;
	struct op *o = NULL;

	pthread_mutex_lock(&f->lock);
	if (kind == RADIUS_SPOOL_APPEND && f->pending + len > f->max_pending) {
		f->st.dropped++;
		f->rewrite_lost |= f->rewriting;
		pthread_mutex_unlock(&f->lock);
		return;
	}
	if (kind == RADIUS_SPOOL_REWRITE_COMMIT) {
		/* the COMMIT was allocated with its BEGIN: a rewrite handed
		 * over always ends, or the appends after it would go on into
		 * a new file that is never renamed */
		if (!f->rewriting) {
			pthread_mutex_unlock(&f->lock);
			return;		/* its BEGIN was not handed over */
		}
		o = f->commit;
		f->commit = NULL;
		o->incomplete = f->rewrite_lost;
		f->rewriting = f->rewrite_lost = false;
	}
	pthread_mutex_unlock(&f->lock);
	if (!o) {
		o = malloc(sizeof(*o) + len);
		if (o && kind == RADIUS_SPOOL_REWRITE_BEGIN) {
			struct op *commit = malloc(sizeof(*commit));

			pthread_mutex_lock(&f->lock);
			free(f->commit);	/* a BEGIN without COMMIT before: none */
			f->commit = commit;
			pthread_mutex_unlock(&f->lock);
			if (!commit) {
				free(o);
				o = NULL;
			}
		}
		if (!o) {
			/* an append is lost (counted; the record stays held
			 * in memory); a BEGIN not handed over leaves the
			 * rewrite's appends to the old file (second copies,
			 * which the reader keeps once); a RESET not handed
			 * over leaves a file of finished records */
			pthread_mutex_lock(&f->lock);
			f->st.dropped++;
			f->rewrite_lost |= f->rewriting && kind == RADIUS_SPOOL_APPEND;
			pthread_mutex_unlock(&f->lock);
			return;
		}
		o->incomplete = false;
	}
	o->next = NULL;
	o->kind = kind;
	o->len = len;
	if (len)
		memcpy(o->bytes, bytes, len);
	pthread_mutex_lock(&f->lock);
	if (kind == RADIUS_SPOOL_REWRITE_BEGIN) {
		f->rewriting = true;
		f->rewrite_lost = false;
	}
	if (f->tail)
		f->tail->next = o;
	else
		f->head = o;
	f->tail = o;
	f->pending += len;
	f->handed++;
	pthread_cond_signal(&f->work);
	pthread_mutex_unlock(&f->lock);
}

void radius_spool_file_flush(struct radius_spool_file *f)
{
	pthread_mutex_lock(&f->lock);
	while (f->done < f->handed)
		pthread_cond_wait(&f->written, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

void radius_spool_file_stats(struct radius_spool_file *f, struct radius_spool_file_stats *st)
{
	pthread_mutex_lock(&f->lock);
	*st = f->st;
	pthread_mutex_unlock(&f->lock);
}

void radius_spool_file_close(struct radius_spool_file *f)
{
	if (!f)
		return;
	radius_spool_file_flush(f);
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_signal(&f->work);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	if (f->fd_lazy)
		(void)fdatasync(f->fd);	/* the done entries, before we go */
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->work);
	pthread_cond_destroy(&f->written);
	if (f->newfd >= 0) {
		close(f->newfd);
		unlinkat(f->dirfd, f->tmp, 0);
	}
	free(f->commit);
	close(f->fd);
	close(f->dirfd);
	free(f);
}

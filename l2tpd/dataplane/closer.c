/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Closing fds off the event loop: see closer.h. */
#include "closer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dp_closer {
	pthread_mutex_t mu;
	pthread_cond_t work;		/* the thread: fds queued or stop */
	pthread_cond_t idle;		/* flush: the queue ran dry */
	int *q;				/* ring of fds, cap a power of two */
	size_t head, len, cap;
	size_t busy;			/* fds taken off the ring, being closed */
	bool started, stop;
	pthread_t thread;
	struct dp_closer_stats st;
};

/* Close in batches: take up to this many per lock, close them unlocked. */
#define CLOSER_BATCH 64

static void *closer_main(void *arg)
{
	struct dp_closer *c = arg;
	int batch[CLOSER_BATCH];

	pthread_mutex_lock(&c->mu);
	for (;;) {
		size_t n = 0;

		while (c->len == 0 && !c->stop)
			pthread_cond_wait(&c->work, &c->mu);
		if (c->len == 0 && c->stop)
			break;
		while (c->len && n < CLOSER_BATCH) {
			batch[n++] = c->q[c->head];
			c->head = (c->head + 1) & (c->cap - 1);
			c->len--;
		}
		c->busy = n;
		pthread_mutex_unlock(&c->mu);
		for (size_t i = 0; i < n; i++)
			close(batch[i]);	/* the slow part: device unregistration */
		pthread_mutex_lock(&c->mu);
		c->busy = 0;
		c->st.closed += n;
		if (c->len == 0)
			pthread_cond_broadcast(&c->idle);
	}
	pthread_cond_broadcast(&c->idle);
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int dp_closer_new(struct dp_closer **out)
{
	struct dp_closer *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if (pthread_mutex_init(&c->mu, NULL)) {
		free(c);
		return -ENOMEM;
	}
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->idle, NULL);
	*out = c;
	return 0;
}

/* Called with the mutex held. */
static bool start_locked(struct dp_closer *c)
{
	sigset_t all, old;
	int rc;

	if (c->started)
		return true;
	/* The thread inherits this mask: no signal is ever delivered to it
	 * (a SIGTERM taken here would kill the daemon by default action). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, closer_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return false;
	pthread_setname_np(c->thread, "dp-closer");
	c->started = true;
	return true;
}

/* Called with the mutex held. */
static bool grow_locked(struct dp_closer *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 256;
	int *nq;

	if (c->len < c->cap)
		return true;
	nq = malloc(ncap * sizeof(*nq));
	if (!nq)
		return false;
	for (size_t i = 0; i < c->len; i++)
		nq[i] = c->q[(c->head + i) & (c->cap - 1)];
	free(c->q);
	c->q = nq;
	c->head = 0;
	c->cap = ncap;
	return true;
}

void dp_closer_close(struct dp_closer *c, int fd)
{
	if (fd < 0)
		return;
	if (!c) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&c->mu);
	if (c->stop || !start_locked(c) || !grow_locked(c)) {
		c->st.inline_closed++;
		pthread_mutex_unlock(&c->mu);
		close(fd);	/* slow, but never a leaked device */
		return;
	}
	c->q[(c->head + c->len) & (c->cap - 1)] = fd;
	c->len++;
	c->st.queued++;
	if (c->len > c->st.max_pending)
		c->st.max_pending = c->len;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
}

void dp_closer_flush(struct dp_closer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	while (c->started && (c->len || c->busy))
		pthread_cond_wait(&c->idle, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

void dp_closer_get_stats(struct dp_closer *c, struct dp_closer_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	*st = c->st;
	st->pending = c->len + c->busy;
	pthread_mutex_unlock(&c->mu);
}

void dp_closer_free(struct dp_closer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	if (c->started)
		pthread_join(c->thread, NULL);	/* it drains the queue first */
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->idle);
	pthread_mutex_destroy(&c->mu);
	free(c->q);
	free(c);
}

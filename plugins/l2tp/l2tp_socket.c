/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "l2tp_socket.h"
#include "l2tp_report.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <daemon.h>
#include <collections/linked_list.h>
#include <processing/jobs/callback_job.h>
#include <threading/mutex.h>
#include <threading/thread.h>

/** Where l2tpd listens unless charon.plugins.l2tp.socket says otherwise. */
#define L2TP_DEFAULT_SOCKET "/run/l2tpd/charon.sock"

/** Reconnect back-off, milliseconds. */
#define BACKOFF_MIN 500
#define BACKOFF_MAX 10000

/** A send to l2tpd may take this long before the link is reset. */
#define SEND_TIMEOUT_S 5

typedef struct private_l2tp_socket_t private_l2tp_socket_t;

/**
 * Private data of a l2tp_socket_t object.
 */
struct private_l2tp_socket_t {

	/**
	 * Public l2tp_socket_t interface.
	 */
	l2tp_socket_t public;

	/**
	 * l2tpd's socket path
	 */
	char *path;

	/**
	 * Connected socket, -1 while not connected (thread only)
	 */
	int fd;

	/**
	 * Pipe waking the thread: [0] polled, [1] written by queue/destroy
	 */
	int wake[2];

	/**
	 * Messages waiting for the thread, chunk_t*
	 */
	linked_list_t *queue;

	/**
	 * Messages are accepted into the queue (a connection is up)
	 */
	bool accepting;

	/**
	 * The queue overflowed: reconnect and replay
	 */
	bool overflow;

	/**
	 * Stop the thread
	 */
	bool stop;

	/**
	 * Most messages held; more means l2tpd is stuck
	 */
	u_int max_queue;

	/**
	 * Protects queue, accepting, overflow, stop
	 */
	mutex_t *mutex;

	/**
	 * The I/O thread
	 */
	thread_t *thread;
};

static void chunk_free_ptr(chunk_t *c)
{
	chunk_free(c);
	free(c);
}

static void wake_thread(private_l2tp_socket_t *this)
{
	char c = 0;

	/* non-blocking: a full pipe already wakes the thread */
	if (write(this->wake[1], &c, 1) < 0)
	{
		return;
	}
}

METHOD(l2tp_socket_t, queue_, void,
	private_l2tp_socket_t *this, chunk_t msg)
{
	chunk_t *copy;

	if (!msg.len)
	{
		return;
	}
	this->mutex->lock(this->mutex);
	if (!this->accepting || this->overflow)
	{
		this->mutex->unlock(this->mutex);
		chunk_free(&msg);
		return;
	}
	if (this->queue->get_count(this->queue) >= this->max_queue)
	{
		/* l2tpd does not keep up: start over with a replay rather than
		 * grow without bound or lose an SA silently */
		this->overflow = TRUE;
		this->mutex->unlock(this->mutex);
		chunk_free(&msg);
		wake_thread(this);
		return;
	}
	INIT(copy);
	*copy = msg;
	this->queue->insert_last(this->queue, copy);
	this->mutex->unlock(this->mutex);
	wake_thread(this);
}

/**
 * Send one message; FALSE when the link must be reset.
 */
static bool send_msg(private_l2tp_socket_t *this, chunk_t msg)
{
	ssize_t n = send(this->fd, msg.ptr, msg.len, MSG_NOSIGNAL);

	if (n != (ssize_t)msg.len)
	{
		DBG1(DBG_CFG, "l2tp: sending to l2tpd failed: %s",
			 n < 0 ? strerror(errno) : "short write");
		return FALSE;
	}
	return TRUE;
}

static void disconnect(private_l2tp_socket_t *this)
{
	if (this->fd >= 0)
	{
		close(this->fd);
		this->fd = -1;
	}
	this->mutex->lock(this->mutex);
	this->accepting = FALSE;
	this->overflow = FALSE;
	this->queue->destroy_function(this->queue, (void*)chunk_free_ptr);
	this->queue = linked_list_create();
	this->mutex->unlock(this->mutex);
}

static bool try_connect(private_l2tp_socket_t *this)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	int fd;

	if (strlen(this->path) >= sizeof(addr.sun_path))
	{
		return FALSE;
	}
	strcpy(addr.sun_path, this->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
	{
		return FALSE;
	}
	if (connect(fd, (struct sockaddr*)&addr, sizeof(addr)) < 0)
	{
		close(fd);
		return FALSE;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	this->fd = fd;
	return TRUE;
}

/**
 * Collect the reports of every current SA. Runs on our thread; IKE_SAs are
 * checked out one at a time by the enumerator, and nothing is sent while
 * one is held.
 */
static linked_list_t *collect_replay()
{
	enumerator_t *enumerator, *children;
	linked_list_t *list = linked_list_create();
	ike_sa_t *ike_sa;
	child_sa_t *child_sa;
	chunk_t *msg;

	enumerator = charon->ike_sa_manager->create_enumerator(
											charon->ike_sa_manager, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		if (ike_sa->get_state(ike_sa) != IKE_ESTABLISHED &&
			ike_sa->get_state(ike_sa) != IKE_REKEYING &&
			ike_sa->get_state(ike_sa) != IKE_REKEYED)
		{
			continue;
		}
		INIT(msg);
		*msg = l2tp_report_ike(ike_sa, TRUE, NULL);
		list->insert_last(list, msg);
		children = ike_sa->create_child_sa_enumerator(ike_sa);
		while (children->enumerate(children, &child_sa))
		{
			switch (child_sa->get_state(child_sa))
			{
				case CHILD_INSTALLED:
				case CHILD_REKEYING:
				case CHILD_REKEYED:
					break;
				default:
					continue;
			}
			if (l2tp_report_is_l2tp(child_sa))
			{
				INIT(msg);
				*msg = l2tp_report_child(ike_sa, child_sa, TRUE);
				list->insert_last(list, msg);
			}
		}
		children->destroy(children);
	}
	enumerator->destroy(enumerator);
	return list;
}

/**
 * HELLO, every current SA, REPLAY_END.
 */
static bool hello_and_replay(private_l2tp_socket_t *this)
{
	linked_list_t *list;
	chunk_t *msg, hello, end;
	u_int count;
	bool ok;

	hello = l2tp_report_simple(L2TP_IPSEC_HELLO);
	ok = send_msg(this, hello);
	chunk_free(&hello);
	/* from here on, events are queued: they follow the replay */
	this->mutex->lock(this->mutex);
	this->accepting = TRUE;
	this->mutex->unlock(this->mutex);

	list = collect_replay();
	count = list->get_count(list);
	while (list->remove_first(list, (void**)&msg) == SUCCESS)
	{
		if (ok && msg->len)
		{
			ok = send_msg(this, *msg);
		}
		chunk_free_ptr(msg);
	}
	list->destroy(list);
	end = l2tp_report_simple(L2TP_IPSEC_REPLAY_END);
	ok = ok && send_msg(this, end);
	chunk_free(&end);
	if (ok)
	{
		DBG1(DBG_CFG, "l2tp: connected to l2tpd at %s, %u SA reports replayed",
			 this->path, count);
	}
	return ok;
}

/**
 * Job deleting an IKE_SA l2tpd asked us to delete.
 */
static job_requeue_t delete_ike(uint32_t *unique_id)
{
	DBG1(DBG_CFG, "l2tp: l2tpd asks to delete IKE_SA with unique id %u",
		 *unique_id);
	charon->controller->terminate_ike(charon->controller, *unique_id, FALSE,
									  NULL, NULL, 0);
	return JOB_REQUEUE_NONE;
}

/**
 * Read what l2tpd sends; FALSE when the link is gone.
 */
static bool receive(private_l2tp_socket_t *this)
{
	u_char buf[L2TP_IPSEC_MSG_MAX];
	struct l2tp_ipsec_msg msg;
	enum l2tp_ipsec_reason reason;
	uint32_t *id;
	ssize_t n;

	n = recv(this->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
	{
		return TRUE;
	}
	if (n <= 0)
	{
		DBG1(DBG_CFG, "l2tp: l2tpd closed the connection");
		return FALSE;
	}
	reason = l2tp_ipsec_parse_request(buf, min((size_t)n, sizeof(buf)), &msg);
	if (reason != L2TP_IPSEC_OK)
	{
		DBG1(DBG_CFG, "l2tp: message from l2tpd ignored: %s",
			 l2tp_ipsec_reason_name(reason));
		return TRUE;
	}
	/* DELETE_IKE_SA, the only request there is (l2tp_ipsec_parse_request).
	 * terminate_ike() checks the IKE_SA out and may wait for it: a worker
	 * thread does it, not ours */
	id = malloc_thing(uint32_t);
	*id = msg.ike_id;
	lib->processor->queue_job(lib->processor,
		(job_t*)callback_job_create((callback_job_cb_t)delete_ike, id,
									free, NULL));
	return TRUE;
}

/**
 * Send what is queued; FALSE when the link must be reset.
 */
static bool flush_queue(private_l2tp_socket_t *this)
{
	chunk_t *msg;
	bool ok = TRUE;

	while (ok)
	{
		this->mutex->lock(this->mutex);
		if (this->overflow)
		{
			this->mutex->unlock(this->mutex);
			DBG1(DBG_CFG, "l2tp: too many reports queued for l2tpd, "
				 "reconnecting to replay");
			return FALSE;
		}
		if (this->queue->remove_first(this->queue, (void**)&msg) != SUCCESS)
		{
			this->mutex->unlock(this->mutex);
			break;
		}
		this->mutex->unlock(this->mutex);
		ok = send_msg(this, *msg);
		chunk_free_ptr(msg);
	}
	return ok;
}

static bool stopping(private_l2tp_socket_t *this)
{
	bool stop;

	this->mutex->lock(this->mutex);
	stop = this->stop;
	this->mutex->unlock(this->mutex);
	return stop;
}

/**
 * Wait for the socket or the wake pipe, or timeout ms (-1: forever).
 */
static void wait_events(private_l2tp_socket_t *this, int timeout, bool *readable)
{
	struct pollfd pfd[2] = {
		{ .fd = this->wake[0], .events = POLLIN },
		{ .fd = this->fd, .events = POLLIN },
	};
	char drain[64];

	*readable = FALSE;
	if (poll(pfd, this->fd >= 0 ? 2 : 1, timeout) <= 0)
	{
		return;
	}
	if (pfd[0].revents & POLLIN)
	{
		while (read(this->wake[0], drain, sizeof(drain)) > 0)
		{
			/* drained */
		}
	}
	if (this->fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
	{
		*readable = TRUE;
	}
}

static void *run(private_l2tp_socket_t *this)
{
	int backoff = BACKOFF_MIN;
	bool logged = FALSE, readable;

	while (!stopping(this))
	{
		if (this->fd < 0)
		{
			if (!try_connect(this))
			{
				if (!logged)
				{
					DBG1(DBG_CFG, "l2tp: l2tpd not reachable at %s (%s), "
						 "retrying", this->path, strerror(errno));
					logged = TRUE;
				}
				wait_events(this, backoff, &readable);
				backoff = min(backoff * 2, BACKOFF_MAX);
				continue;
			}
			backoff = BACKOFF_MIN;
			logged = FALSE;
			if (!hello_and_replay(this))
			{
				disconnect(this);
				continue;
			}
		}
		if (!flush_queue(this))
		{
			disconnect(this);
			continue;
		}
		wait_events(this, -1, &readable);
		if (readable && !receive(this))
		{
			disconnect(this);
		}
	}
	return NULL;
}

METHOD(l2tp_socket_t, destroy, void,
	private_l2tp_socket_t *this)
{
	this->mutex->lock(this->mutex);
	this->stop = TRUE;
	this->mutex->unlock(this->mutex);
	wake_thread(this);
	this->thread->join(this->thread);
	disconnect(this);
	this->queue->destroy(this->queue);
	this->mutex->destroy(this->mutex);
	close(this->wake[0]);
	close(this->wake[1]);
	free(this->path);
	free(this);
}

/**
 * See header
 */
l2tp_socket_t *l2tp_socket_create()
{
	private_l2tp_socket_t *this;

	INIT(this,
		.public = {
			.queue = _queue_,
			.destroy = _destroy,
		},
		.path = strdup(lib->settings->get_str(lib->settings,
							"%s.plugins.l2tp.socket", L2TP_DEFAULT_SOCKET, lib->ns)),
		.max_queue = lib->settings->get_int(lib->settings,
							"%s.plugins.l2tp.max_queue", 100000, lib->ns),
		.fd = -1,
		.queue = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);

	if (pipe(this->wake) < 0 ||
		fcntl(this->wake[0], F_SETFL, O_NONBLOCK) < 0 ||
		fcntl(this->wake[1], F_SETFL, O_NONBLOCK) < 0)
	{
		DBG1(DBG_CFG, "l2tp: cannot create a pipe: %s", strerror(errno));
		this->queue->destroy(this->queue);
		this->mutex->destroy(this->mutex);
		free(this->path);
		free(this);
		return NULL;
	}
	this->thread = thread_create((thread_main_t)run, this);
	if (!this->thread)
	{
		close(this->wake[0]);
		close(this->wake[1]);
		this->queue->destroy(this->queue);
		this->mutex->destroy(this->mutex);
		free(this->path);
		free(this);
		return NULL;
	}
	return &this->public;
}

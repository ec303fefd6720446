/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpd: the L2TP/IPsec remote-access concentrator's daemon.
 *
 *   l2tpd [--config FILE] [--policy FILE] [--check] [--foreground]
 *
 * Loads /etc/l2tpd/l2tpd.conf and /etc/l2tpd/policy.conf (refusing to start
 * on an error, with file:line:col), opens UDP 1701 and the control socket,
 * drops every capability but CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, tells
 * systemd it is ready (Type=notify, watchdog) and runs the event loop.
 * SIGHUP reloads the policy; SIGTERM/SIGINT stop in order.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "ctl.h"
#include "instance_lock.h"
#include "log.h"
#include "server.h"

#define DEFAULT_CONFIG "/etc/l2tpd/l2tpd.conf"
#define DEFAULT_POLICY "/etc/l2tpd/policy.conf"

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpd [--config FILE] [--policy FILE] [--check]\n"
		   "  --config FILE  daemon settings (default " DEFAULT_CONFIG ")\n"
		   "  --policy FILE  users, pools and policies (default " DEFAULT_POLICY ")\n"
		   "  --check        load both files, report problems, and exit\n");
}

/* Keep only what the daemon needs after start-up: CAP_NET_ADMIN (netlink
 * for the kernel data path, addresses, routes, SO_MARK) and
 * CAP_NET_BIND_SERVICE. The bounding set loses the rest too, so nothing
 * the process runs later can regain them. */
static int drop_capabilities(void)
{
	const unsigned long keep = (1ul << CAP_NET_ADMIN) | (1ul << CAP_NET_BIND_SERVICE);
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	for (unsigned long cap = 0; cap <= 63; cap++) {
		if (keep & (1ul << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL && errno != EPERM)
			return -1;
	}
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		data[i].effective &= k;
		data[i].permitted &= k;
		data[i].inheritable = 0;
	}
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *arg)
{
	struct server *srv = arg;
	char msg[1024];

	if (si->ssi_signo == SIGHUP) {
		sd_notify(0, "RELOADING=1");
		server_reload(srv, msg, sizeof(msg));
		sd_notify(0, "READY=1");
		return 0;
	}
	sd_notify(0, "STOPPING=1");
	server_stop(srv);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "check", no_argument, NULL, 'k' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG, *policy_path = DEFAULT_POLICY;
	struct l2tpd_config cfg;
	struct policy_error perr;
	struct server srv;
	policy_t *policy = NULL;
	sd_event *event = NULL;
	char err[1024];
	bool check = false;
	sigset_t mask;
	int opt, rc = 1, lock_fd;

	while ((opt = getopt_long(argc, argv, "c:p:kfh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'k': check = true; break;
		case 'f': break;	/* always in the foreground: systemd or a terminal */
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init(LOG_LVL_INFO, getenv("JOURNAL_STREAM") != NULL);
	if (config_load(config_path, &cfg, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	log_set_level(cfg.log_level);
	if (policy_load(policy_path, &policy, &perr)) {
		log_err("%s", perr.msg);
		return 1;
	}
	if (check) {
		struct policy_counts c;
		policy_get_counts(policy, &c);
		printf("%s: ok\n%s: ok (%zu users, %zu groups, %zu pools, %zu policies)\n", config_path,
		       policy_path, c.users, c.groups, c.pools, c.policies);
		policy_free(policy);
		return 0;
	}

	/* Before any socket: a second daemon must not unlink the first's. */
	lock_fd = instance_lock(cfg.control_socket, err, sizeof(err));
	if (lock_fd < 0) {
		log_err("%s", err);
		policy_free(policy);
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sd_event_default(&event) < 0) {
		log_err("cannot create the event loop");
		return 1;
	}
	rc = server_init(&srv, event, &cfg, config_path, policy_path, policy);
	policy = NULL;	/* owned by the server now, even when init failed */
	if (rc) {
		rc = 1;
		goto out;
	}
	rc = 1;
	if (ctl_open(&srv, cfg.control_socket, cfg.control_group))
		goto out;
	if (drop_capabilities())
		log_warn("could not drop capabilities: %s", strerror(errno));
	sd_event_add_signal(event, NULL, SIGTERM, on_signal, &srv);
	sd_event_add_signal(event, NULL, SIGINT, on_signal, &srv);
	sd_event_add_signal(event, NULL, SIGHUP, on_signal, &srv);
	sd_event_set_watchdog(event, true);
	sd_notify(0, "READY=1");
	log_notice("ready: control socket %s", cfg.control_socket);
	rc = sd_event_loop(event) < 0 ? 1 : 0;
	log_notice("stopped");
out:
	ctl_close(&srv);
	server_free(&srv);
	if (policy)
		policy_free(policy);
	sd_event_unref(event);
	instance_unlock(lock_fd);
	return rc;
}

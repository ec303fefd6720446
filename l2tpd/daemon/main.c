/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpd: the L2TP/IPsec remote-access concentrator's daemon.
 *
 *   l2tpd [--config FILE] [--policy FILE] [--check] [--foreground] [--version]
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
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "ctl.h"
#include "dhcppool.h"
#include "proxyarp.h"
#include "instance_lock.h"
#include "log.h"
#include "server.h"

#define DEFAULT_CONFIG "/etc/l2tpd/l2tpd.conf"
#define DEFAULT_POLICY "/etc/l2tpd/policy.conf"

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpd [--config FILE] [--policy FILE] [--check] [--version]\n"
		   "  --config FILE  daemon settings (default " DEFAULT_CONFIG ")\n"
		   "  --policy FILE  users, pools and policies (default " DEFAULT_POLICY ")\n"
		   "  --check        load both files, report problems, and exit\n"
		   "  --version      print the version and exit\n");
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

/*
 * RLIMIT_NOFILE against what the configured limits need (fdbudget.h):
 * raise the soft limit up to the hard one if that is short, and refuse to
 * start when even the hard limit is: an administrator who configured
 * `sessions = 20000` expects 20000 or an error at start, not refusals
 * later at an unknown count. The limit in force becomes the budget that
 * each session's descriptors are checked against at run time.
 */
static int check_fd_budget(struct server *srv)
{
	uint64_t need = server_fd_need(srv);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		log_err("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		return -1;
	}
	uint64_t target = fdbudget_soft_target(need, rl.rlim_cur, rl.rlim_max);
	if (target != rl.rlim_cur) {
		struct rlimit nl = { (rlim_t)target, rl.rlim_max };
		int err = setrlimit(RLIMIT_NOFILE, &nl);

		if (err && need < target) {
			/* the hard limit may be over fs.nr_open: what is needed */
			nl.rlim_cur = (rlim_t)need;
			err = setrlimit(RLIMIT_NOFILE, &nl);
		}
		if (err)
			log_warn("cannot raise the descriptor limit to %llu: %s",
				 (unsigned long long)target, strerror(errno));
		else
			rl.rlim_cur = nl.rlim_cur;
	}
	if (need > (uint64_t)rl.rlim_cur) {
		log_err("the configured limits need %llu file descriptors (limits { tunnels = %u; "
			"sessions = %u }, %s data path) but RLIMIT_NOFILE allows %llu (hard limit "
			"%llu): raise LimitNOFILE= in the unit (or ulimit -n), or lower the limits",
			(unsigned long long)need, srv->cfg.max_tunnels, srv->cfg.max_sessions,
			srv->dp_ops->name, (unsigned long long)rl.rlim_cur,
			(unsigned long long)rl.rlim_max);
		return -1;
	}
	srv->fdb.limit = rl.rlim_cur;
	log_info("descriptors: %llu needed, limit %llu", (unsigned long long)need,
		 (unsigned long long)rl.rlim_cur);
	return 0;
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
		{ "version", no_argument, NULL, 'V' },
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

	while ((opt = getopt_long(argc, argv, "c:p:kfhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'k': check = true; break;
		case 'f': break;	/* always in the foreground: systemd or a terminal */
		case 'h': usage(stdout); return 0;
		case 'V': printf("l2tpd %s\n", L2TPD_PACKAGE_VERSION); return 0;
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
		dhcppools_check(policy, stdout);
		proxyarp_check(policy, stdout);
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
	if (check_fd_budget(&srv))
		goto out;
	if (ctl_open(&srv, cfg.control_socket, cfg.control_group))
		goto out;
	if (drop_capabilities())
		log_warn("could not drop capabilities: %s", strerror(errno));
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		int r = sd_event_add_signal(event, NULL, signals[i], on_signal, &srv);
		if (r < 0) {
			/* without them, systemctl stop and reload would not work */
			log_err("cannot handle signal %s: %s", strsignal(signals[i]), strerror(-r));
			goto out;
		}
	}
	if (sd_event_set_watchdog(event, true) < 0)
		log_warn("cannot enable the systemd watchdog");
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

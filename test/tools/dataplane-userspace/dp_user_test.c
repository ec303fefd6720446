/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dp-user-test: one endpoint of an L2TP session on the userspace data path,
 * for integration tests in network namespaces (test/integration/dataplane).
 *
 * It binds a UDP socket, creates one tunnel and one session with the ids
 * given, addresses the TUN device (no PPP negotiation: not its job), and
 * runs a poll loop: UDP datagrams with T=0 go to data_rx, control messages
 * are printed and ignored, TUN fds go to fd_ready. Commands, one per line,
 * on stdin or on a FIFO (--cmd-fifo):
 *   send-ppp      send an LCP Echo-Request (0xc021, fixed payload)
 *   stats [TAG]   print the session's counters and the drops by reason
 *   quit          delete session and tunnel, check the TUN device is gone
 * Received PPP control frames are printed as "ppp-rx proto=0x.... hex=...".
 *
 *   dp-user-test --local 192.0.2.1 --peer 192.0.2.2 --tunnel 100:200 \
 *                --session 10:20 --ip 198.51.100.1:198.51.100.2
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_user.h"

#define MAX_FDS 16

/* LCP Echo-Request, identifier 1, length 8, magic 0xdeadbeef (RFC 1661
 * section 5.8): a control frame both ends recognise in the logs. */
static const uint8_t test_frame[] = {0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef};

struct driver {
	const struct dataplane_ops *ops;
	struct dataplane *dp;
	struct dp_tunnel *t;
	struct dp_session *s;
	int udp_fd, cmd_fd;
	int watched[MAX_FDS];
	int n_watched;
	char ifname[IFNAMSIZ];
	char line[4096];
	size_t line_len;
	uint64_t control_msgs;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_ppp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame, size_t len)
{
	printf("ppp-rx proto=0x%04x len=%zu hex=", len >= 2 ? frame[0] << 8 | frame[1] : 0, len);
	for (size_t i = 0; i < len; i++)
		printf("%02x", frame[i]);
	printf("\n");
}

static int on_watch(void *ctx, int fd)
{
	struct driver *d = ctx;

	if (d->n_watched == MAX_FDS)
		return -ENOSPC;
	d->watched[d->n_watched++] = fd;
	return 0;
}

static void on_unwatch(void *ctx, int fd)
{
	struct driver *d = ctx;

	for (int i = 0; i < d->n_watched; i++) {
		if (d->watched[i] == fd) {
			d->watched[i] = d->watched[--d->n_watched];
			return;
		}
	}
}

static int parse_pair(const char *arg, unsigned long *a, unsigned long *b)
{
	char *end;

	*a = strtoul(arg, &end, 0);
	if (*end != ':')
		return -1;
	*b = strtoul(end + 1, &end, 0);
	return *end ? -1 : 0;
}

static int parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 0;
	}
	return -1;
}

static void print_stats(struct driver *d, const char *tag)
{
	const struct dp_user_counters *c = dp_user_session_counters(d->dp, d->s);
	const uint64_t *drops = dp_user_drops(d->dp);
	struct dp_stats st;

	d->ops->session_stats(d->dp, d->s, &st);
	printf("stats %s rx_packets=%llu rx_bytes=%llu tx_packets=%llu tx_bytes=%llu "
	       "rx_errors=%llu tx_errors=%llu tx_dropped=%llu ctrl_rx=%llu ctrl_tx=%llu "
	       "control_msgs=%llu",
	       tag, (unsigned long long)st.rx_packets, (unsigned long long)st.rx_bytes,
	       (unsigned long long)st.tx_packets, (unsigned long long)st.tx_bytes,
	       (unsigned long long)st.rx_errors, (unsigned long long)st.tx_errors,
	       (unsigned long long)st.tx_dropped, (unsigned long long)c->ctrl_rx_packets,
	       (unsigned long long)c->ctrl_tx_packets, (unsigned long long)d->control_msgs);
	for (int i = 0; i < DP_DROP_MAX; i++)
		printf(" %s=%llu", dp_user_drop_name((enum dp_user_drop)i),
		       (unsigned long long)drops[i]);
	printf("\n");
}

/* Returns 1 to quit. */
static int command(struct driver *d, char *line)
{
	char *cmd = strtok(line, " \t\r");
	char *arg = strtok(NULL, " \t\r");

	if (!cmd)
		return 0;
	if (strcmp(cmd, "send-ppp") == 0) {
		int err = d->ops->session_send_ppp(d->dp, d->s, test_frame, sizeof(test_frame));

		printf("sent-ppp rc=%d\n", err);
	} else if (strcmp(cmd, "stats") == 0) {
		print_stats(d, arg ? arg : "-");
	} else if (strcmp(cmd, "quit") == 0) {
		return 1;
	} else {
		printf("unknown-command %s\n", cmd);
	}
	return 0;
}

static int read_commands(struct driver *d)
{
	ssize_t n = read(d->cmd_fd, d->line + d->line_len, sizeof(d->line) - 1 - d->line_len);
	char *nl;

	if (n == 0)
		return 1;	/* stdin closed: quit */
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : 1;
	d->line_len += (size_t)n;
	d->line[d->line_len] = 0;
	while ((nl = strchr(d->line, '\n'))) {
		size_t used = (size_t)(nl - d->line) + 1;

		*nl = 0;
		if (command(d, d->line))
			return 1;
		memmove(d->line, d->line + used, d->line_len - used + 1);
		d->line_len -= used;
	}
	if (d->line_len == sizeof(d->line) - 1)
		d->line_len = 0;	/* an endless line: forget it */
	return 0;
}

static void read_udp(struct driver *d)
{
	static uint8_t buf[65536];
	struct sockaddr_storage from;

	for (int i = 0; i < 64; i++) {
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(d->udp_fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &flen);

		if (n < 0)
			return;
		/* RFC 2661 section 3.1: T=1 is a control message; the
		 * control plane's job, not the data path's. */
		if (n >= 1 && (buf[0] & 0x80)) {
			d->control_msgs++;
			printf("control-message len=%zd (ignored)\n", n);
			continue;
		}
		d->ops->data_rx(d->dp, buf, (size_t)n, &(struct dp_rx_meta){ .from = &from });
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dp-user-test --local ADDR --peer ADDR --tunnel LOCAL:PEER --session LOCAL:PEER\n"
		"                    [--ip LOCAL:PEER] [--ipv6 LOCALIFID:PEERIFID] [--port N]\n"
		"                    [--peer-port N] [--mtu N] [--ifname NAME] [--mark N]\n"
		"                    [--cmd-fifo PATH] [--proxy-arp]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"local", required_argument, NULL, 'l'}, {"peer", required_argument, NULL, 'p'},
		{"port", required_argument, NULL, 'P'}, {"peer-port", required_argument, NULL, 'Q'},
		{"tunnel", required_argument, NULL, 't'}, {"session", required_argument, NULL, 's'},
		{"ip", required_argument, NULL, 'i'}, {"ipv6", required_argument, NULL, '6'},
		{"mtu", required_argument, NULL, 'm'}, {"ifname", required_argument, NULL, 'n'},
		{"mark", required_argument, NULL, 'k'}, {"cmd-fifo", required_argument, NULL, 'f'},
		{"proxy-arp", no_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *local = NULL, *peer = NULL, *ip = NULL, *ip6 = NULL, *ifname = NULL,
		   *fifo = NULL;
	unsigned long port = 1701, peer_port = 1701, mtu = 1400, mark = 0;
	unsigned long ltid = 0, ptid = 0, lsid = 0, psid = 0;
	struct driver d;
	struct dp_callbacks cb;
	struct dp_tunnel_params tp;
	struct dp_session_params sp;
	char reason[128];
	int c, err, rc = 0, proxy_arp = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': local = optarg; break;
		case 'p': peer = optarg; break;
		case 'P': port = strtoul(optarg, NULL, 0); break;
		case 'Q': peer_port = strtoul(optarg, NULL, 0); break;
		case 't': if (parse_pair(optarg, &ltid, &ptid)) usage(); break;
		case 's': if (parse_pair(optarg, &lsid, &psid)) usage(); break;
		case 'i': ip = optarg; break;
		case '6': ip6 = optarg; break;
		case 'm': mtu = strtoul(optarg, NULL, 0); break;
		case 'n': ifname = optarg; break;
		case 'k': mark = strtoul(optarg, NULL, 0); break;
		case 'f': fifo = optarg; break;
		case 'a': proxy_arp = 1; break;
		default: usage();
		}
	}
	if (!local || !peer || !ltid || !ptid || !lsid || !psid || ltid > 0xffff ||
	    ptid > 0xffff || lsid > 0xffff || psid > 0xffff)
		usage();

	memset(&d, 0, sizeof(d));
	d.ops = &dataplane_userspace;
	memset(&tp, 0, sizeof(tp));
	if (parse_addr(local, (uint16_t)port, &tp.local) || parse_addr(peer, (uint16_t)peer_port, &tp.peer))
		usage();

	err = d.ops->probe(reason, sizeof(reason));
	printf("probe rc=%d %s\n", err, reason);
	if (err < 0)
		return 1;

	d.udp_fd = socket(tp.local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d.udp_fd < 0 || bind(d.udp_fd, (struct sockaddr *)&tp.local,
				 tp.local.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							       : sizeof(struct sockaddr_in6)) < 0) {
		perror("udp socket");
		return 1;
	}
	if (fifo) {
		/* O_RDWR: we hold a writer ourselves, so a test that writes
		 * one command at a time never makes us see end-of-file. */
		d.cmd_fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (d.cmd_fd < 0) {
			perror(fifo);
			return 1;
		}
	} else {
		d.cmd_fd = STDIN_FILENO;
	}

	memset(&cb, 0, sizeof(cb));
	cb.ctx = &d;
	cb.ppp_control_rx = on_ppp;
	cb.watch_fd = on_watch;
	cb.unwatch_fd = on_unwatch;
	err = d.ops->create(&cb, NULL, &d.dp);
	if (err < 0) {
		fprintf(stderr, "create: %s\n", strerror(-err));
		return 1;
	}
	tp.udp_fd = d.udp_fd;
	tp.local_tunnel_id = (uint16_t)ltid;
	tp.peer_tunnel_id = (uint16_t)ptid;
	tp.fwmark = (uint32_t)mark;
	err = d.ops->tunnel_create(d.dp, &tp, &d.t);
	if (err < 0) {
		fprintf(stderr, "tunnel_create: %s\n", strerror(-err));
		return 1;
	}
	memset(&sp, 0, sizeof(sp));
	sp.local_session_id = (uint16_t)lsid;
	sp.peer_session_id = (uint16_t)psid;
	sp.mtu = (uint16_t)mtu;
	sp.mru = (uint16_t)mtu;
	sp.ifname_hint = ifname;
	err = d.ops->session_create(d.dp, d.t, &sp, NULL, &d.s);
	if (err < 0) {
		fprintf(stderr, "session_create: %s\n", strerror(-err));
		return 1;
	}
	snprintf(d.ifname, sizeof(d.ifname), "%s", d.ops->session_ifname(d.dp, d.s));
	if (ip || ip6) {
		struct dp_ip_params ipp;

		memset(&ipp, 0, sizeof(ipp));
		ipp.proxy_arp = proxy_arp;
		if (ip) {
			char a[64], *colon;

			snprintf(a, sizeof(a), "%s", ip);
			colon = strchr(a, ':');
			if (!colon)
				usage();
			*colon = 0;
			if (inet_pton(AF_INET, a, &ipp.local) != 1 ||
			    inet_pton(AF_INET, colon + 1, &ipp.peer) != 1)
				usage();
		}
		if (ip6) {
			unsigned long long l, p;
			char *end;

			l = strtoull(ip6, &end, 0);
			if (*end != ':')
				usage();
			p = strtoull(end + 1, &end, 0);
			ipp.has_ipv6 = 1;
			ipp.local_ifid = l;
			ipp.peer_ifid = p;
		}
		err = d.ops->session_set_ip(d.dp, d.s, &ipp);
		if (err < 0) {
			fprintf(stderr, "session_set_ip: %s\n", strerror(-err));
			return 1;
		}
	}
	printf("ready ifname=%s\n", d.ifname);

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop_signal) {
		struct pollfd pfd[MAX_FDS + 2];
		int n = 0;

		pfd[n++] = (struct pollfd){.fd = d.udp_fd, .events = POLLIN};
		pfd[n++] = (struct pollfd){.fd = d.cmd_fd, .events = POLLIN};
		for (int i = 0; i < d.n_watched; i++)
			pfd[n++] = (struct pollfd){.fd = d.watched[i], .events = POLLIN};
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			rc = 1;
			break;
		}
		if (pfd[0].revents & POLLIN)
			read_udp(&d);
		for (int i = 2; i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
				d.ops->fd_ready(d.dp, pfd[i].fd);
		if ((pfd[1].revents & (POLLIN | POLLHUP)) && read_commands(&d))
			break;
	}

	d.ops->session_delete(d.dp, d.s);
	d.ops->tunnel_delete(d.dp, d.t);
	d.ops->destroy(d.dp);
	/* The TUN device is not persistent: closing its fd removed it. */
	if (if_nametoindex(d.ifname) == 0) {
		printf("gone ifname=%s\n", d.ifname);
	} else {
		printf("still-present ifname=%s\n", d.ifname);
		rc = 1;
	}
	close(d.udp_fd);
	return rc;
}

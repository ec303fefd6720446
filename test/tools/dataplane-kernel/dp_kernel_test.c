/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dp-kernel-test: one endpoint of an L2TP tunnel and session on the kernel
 * data path (l2tpd/dataplane/kernel), driven by an integration test.
 *
 *   dp-kernel-test --probe
 *   dp-kernel-test --local A --peer B --tunnel L:P --session L:P --ip LOCAL,PEER
 *                  --control FIFO [--port 1701] [--ifname NAME] [--mtu N] [--mru N]
 *                  [--ipv6 LIFID,PIFID] [--proxy-arp]
 *
 * It binds a UDP socket to A:port, connects it to B:port, creates the
 * tunnel and the session through the backend and, without any PPP
 * negotiation (not its job), calls session_set_ip so that IP flows. Then it
 * prints "ifname NAME" and "ready" and serves commands read from FIFO, one
 * per line:
 *   send lcp    an LCP Echo-Request through session_send_ppp (channel fd)
 *   send ipcp   an IPCP Configure-Request (unit fd)
 *   stats       "stats rx_packets=N rx_bytes=N tx_packets=N tx_bytes=N ..."
 *   counters    the backend's counters
 *   quit        deletes session and tunnel, prints "gone" if the interface
 *               went with them, and exits 0 (1 if it did not)
 * Frames handed up through ppp_control_rx are printed as "rx HEX".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane.h"
#include "dataplane_kernel.h"

#define MAX_WATCH 16

struct driver {
	int watched[MAX_WATCH];
	int nwatched;
};

static const uint8_t lcp_echo[] = {
	0xc0, 0x21,                     /* LCP */
	0x09, 0x2a, 0x00, 0x10,         /* Echo-Request, id 42, length 16 (RFC 1661 5.8) */
	0x00, 0x00, 0x00, 0x00,         /* magic number 0: none negotiated */
	'd', 'p', 'k', '-', 't', 'e', 's', 't',
};

static const uint8_t ipcp_req[] = {
	0x80, 0x21,                     /* IPCP */
	0x01, 0x07, 0x00, 0x0a,         /* Configure-Request, id 7, length 10 */
	0x03, 0x06, 198, 51, 100, 1,    /* IP-Address (RFC 1332 section 3.3) */
};

static void rx(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame, size_t len)
{
	size_t i;

	printf("rx ");
	for (i = 0; i < len; i++)
		printf("%02x", frame[i]);
	printf("\n");
}

static int watch_fd(void *ctx, int fd)
{
	struct driver *d = ctx;

	if (d->nwatched == MAX_WATCH)
		return -ENOSPC;
	d->watched[d->nwatched++] = fd;
	return 0;
}

static void unwatch_fd(void *ctx, int fd)
{
	struct driver *d = ctx;
	int i;

	for (i = 0; i < d->nwatched; i++) {
		if (d->watched[i] == fd) {
			d->watched[i] = d->watched[--d->nwatched];
			return;
		}
	}
}

static int parse_pair(const char *s, char sep, unsigned long *a, unsigned long *b, int base)
{
	char *end;

	*a = strtoul(s, &end, base);
	if (*end != sep)
		return -1;
	*b = strtoul(end + 1, &end, base);
	return *end ? -1 : 0;
}

static int udp_socket(const char *local, const char *peer, unsigned port,
		      struct sockaddr_storage *l, struct sockaddr_storage *p)
{
	int family = strchr(local, ':') ? AF_INET6 : AF_INET;
	int fd, one = 1;
	socklen_t len;

	memset(l, 0, sizeof(*l));
	memset(p, 0, sizeof(*p));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)l, *b = (struct sockaddr_in *)p;

		a->sin_family = b->sin_family = AF_INET;
		a->sin_port = b->sin_port = htons(port);
		if (inet_pton(AF_INET, local, &a->sin_addr) != 1 ||
		    inet_pton(AF_INET, peer, &b->sin_addr) != 1)
			return -EINVAL;
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)l, *b = (struct sockaddr_in6 *)p;

		a->sin6_family = b->sin6_family = AF_INET6;
		a->sin6_port = b->sin6_port = htons(port);
		if (inet_pton(AF_INET6, local, &a->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, peer, &b->sin6_addr) != 1)
			return -EINVAL;
		len = sizeof(*a);
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* As the daemon will: the listening socket holds addr:1701 too. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)l, len) < 0 || connect(fd, (struct sockaddr *)p, len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: dp-kernel-test --probe\n"
		"       dp-kernel-test --local A --peer B --tunnel L:P --session L:P "
		"--ip LOCAL,PEER --control FIFO [--port N] [--ifname NAME] [--mtu N] [--mru N] "
		"[--ipv6 LIFID,PIFID] [--proxy-arp]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "probe", no_argument, NULL, 'P' },
		{ "local", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "tunnel", required_argument, NULL, 't' },
		{ "session", required_argument, NULL, 's' },
		{ "ip", required_argument, NULL, 'i' },
		{ "ipv6", required_argument, NULL, '6' },
		{ "ifname", required_argument, NULL, 'n' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "mru", required_argument, NULL, 'M' },
		{ "proxy-arp", no_argument, NULL, 'a' },
		{ "control", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const struct dataplane_ops *ops = &dataplane_kernel;
	const char *local = NULL, *peer = NULL, *control = NULL;
	unsigned long tl = 0, tp = 0, sl = 0, sp = 0, port = 1701;
	struct dp_tunnel_params tparams;
	struct dp_session_params sparams;
	struct dp_ip_params ip;
	struct driver drv = { .nwatched = 0 };
	struct dp_callbacks cb = { .ctx = &drv, .ppp_control_rx = rx,
				   .watch_fd = watch_fd, .unwatch_fd = unwatch_fd };
	struct dataplane *dp = NULL;
	struct dp_tunnel *tun = NULL;
	struct dp_session *sess = NULL;
	char reason[256], ifname[IFNAMSIZ], line[256];
	size_t linelen = 0;
	int probe_only = 0, ctl, udp, rc, c;

	memset(&tparams, 0, sizeof(tparams));
	memset(&sparams, 0, sizeof(sparams));
	memset(&ip, 0, sizeof(ip));
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *comma;

		switch (c) {
		case 'P': probe_only = 1; break;
		case 'l': local = optarg; break;
		case 'r': peer = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 10); break;
		case 't': if (parse_pair(optarg, ':', &tl, &tp, 10)) usage(); break;
		case 's': if (parse_pair(optarg, ':', &sl, &sp, 10)) usage(); break;
		case 'i':
			comma = strchr(optarg, ',');
			if (!comma)
				usage();
			*comma = 0;
			if (inet_pton(AF_INET, optarg, &ip.local) != 1 ||
			    inet_pton(AF_INET, comma + 1, &ip.peer) != 1)
				usage();
			break;
		case '6': {
			unsigned long long a, b;
			char *end;

			a = strtoull(optarg, &end, 16);
			if (*end != ',')
				usage();
			b = strtoull(end + 1, &end, 16);
			if (*end)
				usage();
			ip.has_ipv6 = 1;
			ip.local_ifid = a;
			ip.peer_ifid = b;
			break;
		}
		case 'n': sparams.ifname_hint = optarg; break;
		case 'm': sparams.mtu = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 'M': sparams.mru = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 'a': ip.proxy_arp = 1; break;
		case 'c': control = optarg; break;
		default: usage();
		}
	}
	rc = ops->probe(reason, sizeof(reason));
	printf("probe %s: %s\n", rc == 0 ? "ok" : "failed", reason);
	if (probe_only)
		return rc == 0 ? 0 : 1;
	if (rc < 0)
		return 1;
	if (!local || !peer || !control || !tl || !tp || !sl || !sp || !ip.local.s_addr ||
	    tl > 65535 || tp > 65535 || sl > 65535 || sp > 65535)
		usage();

	ctl = open(control, O_RDWR | O_NONBLOCK | O_CLOEXEC);   /* RDWR: no EOF between writers */
	if (ctl < 0) {
		printf("error: open %s: %s\n", control, strerror(errno));
		return 1;
	}
	udp = udp_socket(local, peer, (unsigned)port, &tparams.local, &tparams.peer);
	if (udp < 0) {
		printf("error: udp socket: %s\n", strerror(-udp));
		return 1;
	}
	tparams.udp_fd = udp;
	tparams.local_tunnel_id = (uint16_t)tl;
	tparams.peer_tunnel_id = (uint16_t)tp;
	sparams.local_session_id = (uint16_t)sl;
	sparams.peer_session_id = (uint16_t)sp;

	if ((rc = ops->create(&cb, NULL, &dp)) < 0) {
		printf("error: create: %s\n", strerror(-rc));
		return 1;
	}
	if ((rc = ops->tunnel_create(dp, &tparams, &tun)) < 0) {
		printf("error: tunnel_create: %s\n", strerror(-rc));
		return 1;
	}
	if ((rc = ops->session_create(dp, tun, &sparams, &drv, &sess)) < 0) {
		printf("error: session_create: %s\n", strerror(-rc));
		return 1;
	}
	if ((rc = ops->session_set_ip(dp, sess, &ip)) < 0) {
		printf("error: session_set_ip: %s\n", strerror(-rc));
		return 1;
	}
	snprintf(ifname, sizeof(ifname), "%s", ops->session_ifname(dp, sess));
	printf("ifname %s\n", ifname);
	printf("ready\n");

	for (;;) {
		struct pollfd pfd[MAX_WATCH + 1];
		int i, n = 0, nw = drv.nwatched;
		int fds[MAX_WATCH];

		pfd[n].fd = ctl;
		pfd[n++].events = POLLIN;
		for (i = 0; i < nw; i++) {
			fds[i] = drv.watched[i];
			pfd[n].fd = fds[i];
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			printf("error: poll: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; i < nw; i++)
			if (pfd[1 + i].revents)
				ops->fd_ready(dp, fds[i]);
		if (!(pfd[0].revents & POLLIN))
			continue;
		for (;;) {
			ssize_t r = read(ctl, line + linelen, sizeof(line) - 1 - linelen);
			char *nl;

			if (r <= 0)
				break;
			linelen += (size_t)r;
			line[linelen] = 0;
			while ((nl = strchr(line, '\n'))) {
				*nl = 0;
				if (!strcmp(line, "send lcp") || !strcmp(line, "send ipcp")) {
					int lcp = !strcmp(line, "send lcp");

					rc = ops->session_send_ppp(dp, sess, lcp ? lcp_echo : ipcp_req,
								   lcp ? sizeof(lcp_echo) : sizeof(ipcp_req));
					printf("sent %s %s\n", lcp ? "lcp" : "ipcp", rc ? strerror(-rc) : "ok");
				} else if (!strcmp(line, "stats")) {
					struct dp_stats st;

					rc = ops->session_stats(dp, sess, &st);
					if (rc < 0)
						printf("stats error %s\n", strerror(-rc));
					else
						printf("stats rx_packets=%" PRIu64 " rx_bytes=%" PRIu64
						       " tx_packets=%" PRIu64 " tx_bytes=%" PRIu64
						       " rx_errors=%" PRIu64 " tx_errors=%" PRIu64
						       " tx_dropped=%" PRIu64 "\n",
						       st.rx_packets, st.rx_bytes, st.tx_packets, st.tx_bytes,
						       st.rx_errors, st.tx_errors, st.tx_dropped);
				} else if (!strcmp(line, "counters")) {
					struct dpk_counters k;

					dataplane_kernel_counters(dp, &k);
					printf("counters rx_frames=%" PRIu64 " rx_short=%" PRIu64
					       " rx_overflow=%" PRIu64 " rx_errors=%" PRIu64
					       " rx_eof=%" PRIu64
					       " tx_frames=%" PRIu64 " tx_again=%" PRIu64
					       " tx_errors=%" PRIu64 " ifname_hint_failed=%" PRIu64
					       " session_fallback=%" PRIu64 "\n",
					       k.rx_frames, k.rx_short, k.rx_overflow, k.rx_errors,
					       k.rx_eof,
					       k.tx_frames, k.tx_again, k.tx_errors,
					       k.ifname_hint_failed, k.session_fallback);
				} else if (!strcmp(line, "quit")) {
					int gone;

					ops->session_delete(dp, sess);
					ops->tunnel_delete(dp, tun);
					close(udp);
					dataplane_kernel_flush(dp);	/* fds close off the loop */
					gone = if_nametoindex(ifname) == 0;
					printf("%s\n", gone ? "gone" : "interface still there");
					printf("watched %d\n", drv.nwatched);
					ops->destroy(dp);
					close(ctl);
					return gone && drv.nwatched == 0 ? 0 : 1;
				} else if (line[0]) {
					printf("unknown command: %s\n", line);
				}
				linelen -= (size_t)(nl + 1 - line);
				memmove(line, nl + 1, linelen + 1);
			}
			if (linelen == sizeof(line) - 1)
				linelen = 0;   /* an overlong line: drop it */
		}
	}
}

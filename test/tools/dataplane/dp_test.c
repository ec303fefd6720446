/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dp-test: one endpoint of an L2TP tunnel and session on a data plane
 * (l2tpd/dataplane, docs/dataplane.md), for the integration tests in
 * test/integration/dataplane/test_datapath.py, which run the same tests
 * on every plane (userspace in namespaces on the host, kernel in the VM).
 *
 *   dp-test --plane kernel|userspace --probe
 *   dp-test --plane P --local A --peer B --tunnel L:P --session L:P --control FIFO
 *           [--port N] [--peer-port N] [--ip LOCAL,PEER] [--ipv6 LIFID,PIFID]
 *           [--mtu N] [--mru N] [--ifname NAME] [--mark N] [--proxy-arp]
 *
 * It creates one tunnel and one session through struct dataplane_ops and,
 * without any PPP negotiation (not its job), calls session_set_ip when
 * --ip or --ipv6 is given (interface identifiers in hex), so that IP
 * flows. It acts on the plane's capabilities (dp_caps) as the daemon
 * does, never on its name:
 *   - DP_CAP_DATA_RX: its UDP socket is bound, not connected; it reads
 *     it, hands L2TP data messages (T=0) to data_rx with their source, and
 *     counts control messages (T=1, the control plane's, RFC 2661 3.1);
 *   - otherwise the plane takes its data from the socket itself (kernel:
 *     l2tp_udp_encap_recv): the socket is bound and connected to the
 *     peer, as a tunnel's own, and the driver never reads it.
 * The backend's own counters (`counters`) are the one place the driver
 * names a backend (the table `planes` below).
 *
 * Lines it prints:
 *   probe ok: REASON | probe failed: REASON
 *   ifname NAME, then ready
 *   rx HEX                    a frame handed up through ppp_control_rx
 *   control-message len=N     a T=1 message on its socket (DP_CAP_DATA_RX)
 * Commands, one per line on FIFO:
 *   send lcp | send ipcp      an LCP Echo-Request (through the channel on
 *                             the kernel plane) or an IPCP Configure-Request
 *                             (the unit): "sent lcp ok" or "sent lcp ERROR"
 *   stats TAG                 "stats TAG rx_packets=N ... control_msgs=N":
 *                             session_stats (IP data only) and the count of
 *                             control messages
 *   counters TAG              "counters TAG NAME=N ...": the backend's own
 *   quit                      session_delete, tunnel_delete, destroy (which
 *                             waits for the descriptors handed to the
 *                             closer); then "gone" if the interface went
 *                             with them ("interface still there" if not)
 *                             and "watched N"; exit 0 when gone and N = 0
 * SIGTERM and SIGINT quit the same way.
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
#include "dp_user.h"

#define MAX_WATCH 16

struct driver {
	const struct dataplane_ops *ops;
	struct dataplane *dp;
	struct dp_session *s;
	int watched[MAX_WATCH];
	int nwatched;
	uint64_t control_msgs;
};

/* The backends this driver runs, each with its own counters. */
static void kernel_counters(struct driver *d, const char *tag)
{
	struct dpk_counters k;

	dataplane_kernel_counters(d->dp, &k);
	printf("counters %s rx_frames=%" PRIu64 " rx_short=%" PRIu64 " rx_overflow=%" PRIu64
	       " rx_errors=%" PRIu64 " rx_eof=%" PRIu64 " tx_frames=%" PRIu64 " tx_again=%" PRIu64
	       " tx_errors=%" PRIu64 " ifname_hint_failed=%" PRIu64 " session_fallback=%" PRIu64
	       "\n", tag, k.rx_frames, k.rx_short, k.rx_overflow, k.rx_errors, k.rx_eof,
	       k.tx_frames, k.tx_again, k.tx_errors, k.ifname_hint_failed, k.session_fallback);
}

static void userspace_counters(struct driver *d, const char *tag)
{
	const struct dp_user_counters *c = dp_user_session_counters(d->dp, d->s);
	const uint64_t *drops = dp_user_drops(d->dp);

	printf("counters %s ctrl_rx=%" PRIu64 " ctrl_tx=%" PRIu64, tag, c->ctrl_rx_packets,
	       c->ctrl_tx_packets);
	for (int i = 0; i < DP_DROP_MAX; i++)
		printf(" %s=%" PRIu64, dp_user_drop_name((enum dp_user_drop)i), drops[i]);
	printf("\n");
}

static const struct plane {
	const char *name;
	const struct dataplane_ops *ops;
	void (*counters)(struct driver *d, const char *tag);
} planes[] = {
	{ "kernel", &dataplane_kernel, kernel_counters },
	{ "userspace", &dataplane_userspace, userspace_counters },
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

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void rx(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)s;
	(void)cookie;
	printf("rx ");
	for (size_t i = 0; i < len; i++)
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

	for (int i = 0; i < d->nwatched; i++) {
		if (d->watched[i] == fd) {
			d->watched[i] = d->watched[--d->nwatched];
			return;
		}
	}
}

static int parse_pair(const char *s, char sep, unsigned long *a, unsigned long *b)
{
	char *end;

	*a = strtoul(s, &end, 10);
	if (end == s || *end != sep)
		return -1;
	*b = strtoul(end + 1, &end, 10);
	return *end ? -1 : 0;
}

static socklen_t parse_addr(const char *s, unsigned long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (port > 65535)
		return 0;
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	return 0;
}

/* The tunnel's UDP socket, bound to local; connected to peer when the
 * plane reads its data itself (no DP_CAP_DATA_RX), as the kernel plane's
 * per-tunnel sockets are. */
static int udp_socket(const struct dp_tunnel_params *tp, socklen_t len, int connected)
{
	int fd, one = 1;

	fd = socket(tp->local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connected)	/* as the daemon's: its listener holds addr:port too */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&tp->local, len) < 0 ||
	    (connected && connect(fd, (const struct sockaddr *)&tp->peer, len) < 0)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void read_udp(struct driver *d, int fd)
{
	static uint8_t buf[65536];
	struct sockaddr_storage from;

	for (int i = 0; i < 64; i++) {
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen);

		if (n < 0)
			return;
		/* RFC 2661 section 3.1: T=1 is a control message, the
		 * control plane's, not the data path's. */
		if (n >= 1 && (buf[0] & 0x80)) {
			d->control_msgs++;
			printf("control-message len=%zd (ignored)\n", n);
			continue;
		}
		d->ops->data_rx(d->dp, buf, (size_t)n, &(struct dp_rx_meta){ .from = &from });
	}
}

static void print_stats(struct driver *d, const char *tag)
{
	struct dp_stats st;
	int rc = d->ops->session_stats(d->dp, d->s, &st);

	if (rc < 0) {
		printf("stats %s error errno=%d\n", tag, -rc);
		return;
	}
	printf("stats %s rx_packets=%" PRIu64 " rx_bytes=%" PRIu64 " tx_packets=%" PRIu64
	       " tx_bytes=%" PRIu64 " rx_errors=%" PRIu64 " tx_errors=%" PRIu64
	       " tx_dropped=%" PRIu64 " control_msgs=%" PRIu64 "\n",
	       tag, st.rx_packets, st.rx_bytes, st.tx_packets, st.tx_bytes, st.rx_errors,
	       st.tx_errors, st.tx_dropped, d->control_msgs);
}

/* Returns 1 to quit. */
static int command(struct driver *d, const struct plane *pl, char *line)
{
	char *cmd = strtok(line, " \t\r");
	char *arg = strtok(NULL, " \t\r");

	if (!cmd)
		return 0;
	if (!strcmp(cmd, "send") && arg && (!strcmp(arg, "lcp") || !strcmp(arg, "ipcp"))) {
		int lcp = !strcmp(arg, "lcp");
		int rc = d->ops->session_send_ppp(d->dp, d->s, lcp ? lcp_echo : ipcp_req,
						  lcp ? sizeof(lcp_echo) : sizeof(ipcp_req));

		printf("sent %s %s\n", arg, rc ? strerror(-rc) : "ok");
	} else if (!strcmp(cmd, "stats")) {
		print_stats(d, arg ? arg : "-");
	} else if (!strcmp(cmd, "counters")) {
		pl->counters(d, arg ? arg : "-");
	} else if (!strcmp(cmd, "quit")) {
		return 1;
	} else {
		printf("unknown command: %s\n", cmd);
	}
	return 0;
}

/* Returns 1 to quit. */
static int read_commands(struct driver *d, const struct plane *pl, int fd, char *line,
			 size_t size, size_t *len)
{
	for (;;) {
		ssize_t r = read(fd, line + *len, size - 1 - *len);
		char *nl;

		if (r <= 0)
			return 0;	/* O_RDWR: never end-of-file; EAGAIN: all read */
		*len += (size_t)r;
		line[*len] = 0;
		while ((nl = strchr(line, '\n'))) {
			size_t used = (size_t)(nl - line) + 1;

			*nl = 0;
			if (command(d, pl, line))
				return 1;
			memmove(line, line + used, *len - used + 1);
			*len -= used;
		}
		if (*len == size - 1)
			*len = 0;	/* an overlong line: forget it */
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dp-test --plane kernel|userspace --probe\n"
		"       dp-test --plane P --local A --peer B --tunnel L:P --session L:P "
		"--control FIFO\n"
		"               [--port N] [--peer-port N] [--ip LOCAL,PEER] [--ipv6 LIFID,PIFID]\n"
		"               [--mtu N] [--mru N] [--ifname NAME] [--mark N] [--proxy-arp]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plane", required_argument, NULL, 'x' },
		{ "probe", no_argument, NULL, 'P' },
		{ "local", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "peer-port", required_argument, NULL, 'Q' },
		{ "tunnel", required_argument, NULL, 't' },
		{ "session", required_argument, NULL, 's' },
		{ "ip", required_argument, NULL, 'i' },
		{ "ipv6", required_argument, NULL, '6' },
		{ "ifname", required_argument, NULL, 'n' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "mru", required_argument, NULL, 'M' },
		{ "mark", required_argument, NULL, 'k' },
		{ "proxy-arp", no_argument, NULL, 'a' },
		{ "control", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const struct plane *pl = NULL;
	const char *local = NULL, *peer = NULL, *control = NULL;
	unsigned long tl = 0, tpeer = 0, sl = 0, speer = 0, port = 1701, peer_port = 1701;
	unsigned long mtu = 0, mru = 0, mark = 0;
	struct dp_tunnel_params tparams;
	struct dp_session_params sparams;
	struct dp_ip_params ip;
	struct dp_callbacks cb;
	struct dp_caps caps;
	struct driver d;
	struct dp_tunnel *tun = NULL;
	char reason[256], why[160], ifname[IFNAMSIZ], line[4096];
	size_t linelen = 0;
	int probe_only = 0, set_ip = 0, read_socket, ctl, udp, rc, c, gone;
	socklen_t alen;

	memset(&tparams, 0, sizeof(tparams));
	memset(&sparams, 0, sizeof(sparams));
	memset(&ip, 0, sizeof(ip));
	memset(&d, 0, sizeof(d));
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *comma, *end;

		switch (c) {
		case 'x':
			for (size_t i = 0; i < sizeof(planes) / sizeof(planes[0]); i++)
				if (!strcmp(optarg, planes[i].name))
					pl = &planes[i];
			if (!pl)
				usage();
			break;
		case 'P': probe_only = 1; break;
		case 'l': local = optarg; break;
		case 'r': peer = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 10); break;
		case 'Q': peer_port = strtoul(optarg, NULL, 10); break;
		case 't': if (parse_pair(optarg, ':', &tl, &tpeer)) usage(); break;
		case 's': if (parse_pair(optarg, ':', &sl, &speer)) usage(); break;
		case 'i':
			comma = strchr(optarg, ',');
			if (!comma)
				usage();
			*comma = 0;
			if (inet_pton(AF_INET, optarg, &ip.local) != 1 ||
			    inet_pton(AF_INET, comma + 1, &ip.peer) != 1)
				usage();
			set_ip = 1;
			break;
		case '6':
			ip.local_ifid = strtoull(optarg, &end, 16);
			if (*end != ',')
				usage();
			ip.peer_ifid = strtoull(end + 1, &end, 16);
			if (*end)
				usage();
			ip.has_ipv6 = 1;
			set_ip = 1;
			break;
		case 'n': sparams.ifname_hint = optarg; break;
		case 'm': mtu = strtoul(optarg, NULL, 10); break;
		case 'M': mru = strtoul(optarg, NULL, 10); break;
		case 'k': mark = strtoul(optarg, NULL, 0); break;
		case 'a': ip.proxy_arp = 1; break;
		case 'c': control = optarg; break;
		default: usage();
		}
	}
	if (!pl)
		usage();
	d.ops = pl->ops;
	rc = d.ops->probe(reason, sizeof(reason));
	printf("probe %s: %s\n", rc == 0 ? "ok" : "failed", reason);
	if (probe_only)
		return rc == 0 ? 0 : 1;
	if (rc < 0)
		return 1;
	if (!local || !peer || !control || !tl || !tpeer || !sl || !speer || tl > 65535 ||
	    tpeer > 65535 || sl > 65535 || speer > 65535 || mtu > 65535 || mru > 65535)
		usage();
	alen = parse_addr(local, port, &tparams.local);
	if (!alen || parse_addr(peer, peer_port, &tparams.peer) != alen)
		usage();

	ctl = open(control, O_RDWR | O_NONBLOCK | O_CLOEXEC);	/* RDWR: no EOF between writers */
	if (ctl < 0) {
		printf("error: open %s: %s\n", control, strerror(errno));
		return 1;
	}
	memset(&cb, 0, sizeof(cb));
	cb.ctx = &d;
	cb.ppp_control_rx = rx;
	cb.watch_fd = watch_fd;
	cb.unwatch_fd = unwatch_fd;
	if ((rc = d.ops->create(&cb, NULL, &d.dp)) < 0) {
		printf("error: create: %s\n", strerror(-rc));
		return 1;
	}
	d.ops->caps(d.dp, &caps);
	read_socket = !!(caps.flags & DP_CAP_DATA_RX);
	udp = udp_socket(&tparams, alen, !read_socket);
	if (udp < 0) {
		printf("error: udp socket: %s\n", strerror(-udp));
		return 1;
	}
	tparams.udp_fd = udp;
	tparams.local_tunnel_id = (uint16_t)tl;
	tparams.peer_tunnel_id = (uint16_t)tpeer;
	tparams.fwmark = (uint32_t)mark;
	why[0] = 0;
	tparams.why = why;
	tparams.why_len = sizeof(why);
	if ((rc = d.ops->tunnel_create(d.dp, &tparams, &tun)) < 0) {
		printf("error: tunnel_create: %s %s\n", strerror(-rc), why);
		return 1;
	}
	sparams.local_session_id = (uint16_t)sl;
	sparams.peer_session_id = (uint16_t)speer;
	sparams.mtu = (uint16_t)mtu;
	sparams.mru = (uint16_t)(mru ? mru : mtu);
	if ((rc = d.ops->session_create(d.dp, tun, &sparams, &d, &d.s)) < 0) {
		printf("error: session_create: %s\n", strerror(-rc));
		return 1;
	}
	if (set_ip && (rc = d.ops->session_set_ip(d.dp, d.s, &ip)) < 0) {
		printf("error: session_set_ip: %s\n", strerror(-rc));
		return 1;
	}
	snprintf(ifname, sizeof(ifname), "%s", d.ops->session_ifname(d.dp, d.s));
	printf("ifname %s\n", ifname);
	printf("ready\n");

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop_signal) {
		struct pollfd pfd[MAX_WATCH + 2];
		int fds[MAX_WATCH];
		int n = 0, nw = d.nwatched, first;

		pfd[n++] = (struct pollfd){ .fd = ctl, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = read_socket ? udp : -1, .events = POLLIN };
		first = n;
		for (int i = 0; i < nw; i++) {
			fds[i] = d.watched[i];	/* fd_ready may unwatch: poll a copy */
			pfd[n++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			printf("error: poll: %s\n", strerror(errno));
			return 1;
		}
		if (pfd[1].revents & POLLIN)
			read_udp(&d, udp);
		for (int i = 0; i < nw; i++)
			if (pfd[first + i].revents)
				d.ops->fd_ready(d.dp, fds[i]);
		if ((pfd[0].revents & POLLIN) &&
		    read_commands(&d, pl, ctl, line, sizeof(line), &linelen))
			break;
	}

	d.ops->session_delete(d.dp, d.s);
	d.ops->tunnel_delete(d.dp, tun);
	/* destroy returns once the descriptors handed to the plane's closer
	 * are closed: the interface went with them, or it never will. */
	d.ops->destroy(d.dp);
	close(udp);
	close(ctl);
	gone = if_nametoindex(ifname) == 0;
	printf("%s\n", gone ? "gone" : "interface still there");
	printf("watched %d\n", d.nwatched);
	return gone && d.nwatched == 0 ? 0 : 1;
}

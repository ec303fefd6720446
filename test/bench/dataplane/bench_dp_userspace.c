/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_dp_userspace: figures for the userspace data path (never pass/fail).
 *
 *  1. data_rx per packet (header parse, session lookup, PPP strip) with an
 *     in-memory TUN, at 1, 1,000 and 10,000 sessions: the lookup must not
 *     grow with the number of sessions.
 *  2. fd_ready per packet (encapsulation, sendmsg to a real UDP socket on
 *     loopback) with an in-memory TUN read.
 *  3. data_rx into a real TUN device (the kernel's IP input included).
 *  4. Set-up cost of one TUN per session at 1,000 and 5,000 sessions: time
 *     to create, to address, to delete, and kernel memory (MemAvailable and
 *     Slab deltas) and our RSS per session; then the shared-TUN mode (one
 *     device, one route per client) for comparison.
 *
 * Parts 3 and 4 need root: they run in a private network namespace
 * (unshare(CLONE_NEWNET)), so nothing is left behind and no address leaves
 * it; clients get addresses from 198.18.0.0/15, the benchmarking range of
 * RFC 2544 (the documentation ranges hold too few for 5,000 clients).
 *
 *   bench_dp_userspace [--quick]     --quick: smaller counts (a smoke run)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fake_io.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ignore_ppp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *f, size_t n)
{
}

static int no_watch(void *ctx, int fd)
{
	return 0;
}

static void no_unwatch(void *ctx, int fd)
{
}

static const struct dp_callbacks callbacks = {
	.ppp_control_rx = ignore_ppp, .watch_fd = no_watch, .unwatch_fd = no_unwatch,
};

/* 1,000 sessions per tunnel; session i in tunnel 1 + i / 1000. */
static int make_sessions(struct dataplane *dp, unsigned n, int udp_fd, bool set_ip,
			 bool named, struct dp_session **out)
{
	struct dp_tunnel *t = NULL;

	for (unsigned i = 0; i < n; i++) {
		struct dp_session_params sp = {.local_session_id = (uint16_t)(1 + i % 1000),
					       .peer_session_id = (uint16_t)(1 + i % 1000),
					       .mtu = 1400, .mru = 1400};
		char name[IFNAMSIZ];
		int err;

		if (named) {
			snprintf(name, sizeof(name), "l2tp-%u", i);
			sp.ifname_hint = name;
		}

		if (i % 1000 == 0) {
			struct dp_tunnel_params tp = {.udp_fd = udp_fd,
						      .local_tunnel_id = (uint16_t)(1 + i / 1000),
						      .peer_tunnel_id = (uint16_t)(1 + i / 1000)};

			fake_sockaddr4(&tp.peer, "127.0.0.1", 9);
			err = dataplane_userspace.tunnel_create(dp, &tp, &t);
			if (err < 0)
				return err;
		}
		err = dataplane_userspace.session_create(dp, t, &sp, NULL, &out[i]);
		if (err < 0)
			return err;
		if (set_ip) {
			struct dp_ip_params ip = {0};

			ip.local.s_addr = htonl(0xc6120001);		/* 198.18.0.1 */
			ip.peer.s_addr = htonl(0xc6130000 + 1 + i);	/* 198.19.x.y */
			err = dataplane_userspace.session_set_ip(dp, out[i], &ip);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

static size_t build_msg(uint8_t *m, uint16_t tid, uint16_t sid, size_t ip_len)
{
	memset(m, 0, 10 + ip_len);
	m[1] = 0x02;
	m[2] = (uint8_t)(tid >> 8);
	m[3] = (uint8_t)tid;
	m[4] = (uint8_t)(sid >> 8);
	m[5] = (uint8_t)sid;
	m[6] = 0xff;
	m[7] = 0x03;
	m[8] = 0x00;
	m[9] = 0x21;
	m[10] = 0x45;	/* IPv4, header 20 */
	m[12] = (uint8_t)(ip_len >> 8);
	m[13] = (uint8_t)ip_len;
	m[18] = 64;	/* TTL */
	m[19] = 17;	/* UDP */
	m[22] = 0xc6;	/* src 198.19.0.1 */
	m[23] = 0x13;
	m[25] = 0x01;
	m[26] = 0xc6;	/* dst 198.18.0.1 */
	m[27] = 0x12;
	m[29] = 0x01;
	m[30] = 0x30;	/* UDP 12345 -> 9 (discard) */
	m[31] = 0x39;
	m[33] = 9;
	m[34] = (uint8_t)((ip_len - 20) >> 8);
	m[35] = (uint8_t)(ip_len - 20);
	{
		/* IPv4 header checksum (RFC 791 section 3.1), or the kernel
		 * drops the packet at input. */
		uint32_t sum = 0;
		uint16_t c;

		for (int i = 10; i < 30; i += 2)
			sum += (uint32_t)(m[i] << 8 | m[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		c = (uint16_t)~sum;
		m[20] = (uint8_t)(c >> 8);
		m[21] = (uint8_t)c;
	}
	return 10 + ip_len;
}

static void bench_rx_fake(unsigned sessions, unsigned packets)
{
	static struct fake_io f;
	struct dp_user_io io;
	struct dataplane *dp;
	struct dp_session **ss = calloc(sessions, sizeof(*ss));
	uint8_t (*msgs)[1500];
	size_t len = 0;
	struct sockaddr_storage from;
	double t0, t1;
	enum { VARIANTS = 1024 };

	memset(&f, 0, sizeof(f));
	io = fake_io_ops(&f);
	msgs = calloc(VARIANTS, sizeof(*msgs));
	if (!ss || !msgs || dp_user_create(&callbacks, &io, NULL, &dp) < 0 ||
	    make_sessions(dp, sessions, 5, true, false, ss) < 0) {
		printf("rx-fake: set-up failed\n");
		exit(1);
	}
	/* Messages to sessions spread over the table (a fixed stride). */
	for (unsigned v = 0; v < VARIANTS; v++) {
		unsigned i = (v * 7919u) % sessions;

		len = build_msg(msgs[v], (uint16_t)(1 + i / 1000), (uint16_t)(1 + i % 1000), 1400);
	}
	fake_sockaddr4(&from, "127.0.0.1", 9);
	t0 = now_s();
	for (unsigned p = 0; p < packets; p++)
		dataplane_userspace.data_rx(dp, msgs[p % VARIANTS], len, &(struct dp_rx_meta){ .from = &from });
	t1 = now_s();
	printf("rx (data_rx, in-memory TUN)   sessions=%-6u packets=%u  %.0f ns/packet  %.2f Mpps  "
	       "%.1f Gbit/s of 1400-byte IP (delivered %u)\n",
	       sessions, packets, (t1 - t0) * 1e9 / packets, packets / (t1 - t0) / 1e6,
	       packets * 1400.0 * 8 / (t1 - t0) / 1e9, f.tun_writes);
	dataplane_userspace.destroy(dp);
	free(ss);
	free(msgs);
}

/* fd_ready with the in-memory TUN read, real sendmsg to a loopback socket. */
static ssize_t real_send(void *ctx, int fd, const struct sockaddr *peer, socklen_t plen,
			 uint32_t mark, const struct iovec *iov, int iovcnt)
{
	struct msghdr mh = {.msg_name = (void *)(uintptr_t)peer, .msg_namelen = plen,
			    .msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n = sendmsg(fd, &mh, MSG_DONTWAIT);

	return n < 0 ? -errno : n;
}

static void bench_tx(unsigned packets)
{
	static struct fake_io f;
	struct dp_user_io io;
	struct dataplane *dp;
	struct dp_session *s;
	uint8_t msg[1500];
	struct sockaddr_in sink = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sink);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sink_fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned sent;
	double t0, t1;

	memset(&f, 0, sizeof(f));
	io = fake_io_ops(&f);
	io.udp_send = real_send;
	sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || sink_fd < 0 || bind(sink_fd, (struct sockaddr *)&sink, sizeof(sink)) < 0 ||
	    getsockname(sink_fd, (struct sockaddr *)&sink, &sl) < 0 ||
	    dp_user_create(&callbacks, &io, NULL, &dp) < 0) {
		printf("tx: set-up failed\n");
		return;
	}
	{
		struct dp_tunnel_params tp = {.udp_fd = fd, .local_tunnel_id = 1, .peer_tunnel_id = 2};
		struct dp_session_params sp = {.local_session_id = 1, .peer_session_id = 2, .mtu = 1400};
		struct dp_ip_params ip = {0};
		struct dp_tunnel *t;

		memcpy(&tp.peer, &sink, sizeof(sink));
		ip.local.s_addr = htonl(0xc6120001);
		ip.peer.s_addr = htonl(0xc6130001);
		if (dataplane_userspace.tunnel_create(dp, &tp, &t) < 0 ||
		    dataplane_userspace.session_create(dp, t, &sp, NULL, &s) < 0 ||
		    dataplane_userspace.session_set_ip(dp, s, &ip) < 0) {
			printf("tx: set-up failed\n");
			return;
		}
	}
	build_msg(msg, 1, 1, 1400);
	t0 = now_s();
	for (sent = 0; sent < packets; sent += 64) {
		for (int i = 0; i < 64; i++)
			fake_queue_packet(&f, msg + 10, 1400);
		dataplane_userspace.fd_ready(dp, dp_user_session_fd(s));
	}
	t1 = now_s();
	printf("tx (fd_ready, sendmsg to lo)  packets=%u  %.0f ns/packet  %.2f Mpps  "
	       "(sent %llu, send drops %llu: the sink is not read)\n",
	       sent, (t1 - t0) * 1e9 / sent, sent / (t1 - t0) / 1e6,
	       (unsigned long long)dp_user_session_counters(dp, s)->tx_packets,
	       (unsigned long long)dp_user_drops(dp)[DP_DROP_TX_SEND]);
	dataplane_userspace.destroy(dp);
	close(fd);
	close(sink_fd);
}

/* ---- real TUN devices, in a private namespace ---- */

struct meminfo {
	long avail_kib, slab_kib, percpu_kib;
};

static struct meminfo meminfo(void)
{
	struct meminfo m = {0, 0, 0};
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return m;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemAvailable: %ld kB", &m.avail_kib);
		sscanf(line, "Slab: %ld kB", &m.slab_kib);
		sscanf(line, "Percpu: %ld kB", &m.percpu_kib);
	}
	fclose(f);
	return m;
}

/* Bytes in use on our heap: the dataplane's own cost per session, which
 * RSS (in pages, reused from earlier parts) would hide. */
static long heap_bytes(void)
{
	return (long)mallinfo2().uordblks;
}

static void bench_rx_real_tun(unsigned packets)
{
	struct dataplane *dp;
	struct dp_session *s;
	uint8_t msg[1500];
	size_t len;
	struct sockaddr_storage from;
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	double t0, t1;

	if (dp_user_create(&callbacks, NULL, NULL, &dp) < 0 || make_sessions(dp, 1, udp, true, false, &s) < 0) {
		printf("rx real TUN: set-up failed\n");
		return;
	}
	len = build_msg(msg, 1, 1, 1400);
	fake_sockaddr4(&from, "127.0.0.1", 9);
	t0 = now_s();
	for (unsigned p = 0; p < packets; p++)
		dataplane_userspace.data_rx(dp, msg, len, &(struct dp_rx_meta){ .from = &from });
	t1 = now_s();
	printf("rx (data_rx, real TUN write)  packets=%u  %.0f ns/packet  %.2f Mpps  %.2f Gbit/s "
	       "(delivered %llu, TUN write drops %llu)\n",
	       packets, (t1 - t0) * 1e9 / packets, packets / (t1 - t0) / 1e6,
	       packets * 1400.0 * 8 / (t1 - t0) / 1e9,
	       (unsigned long long)dp_user_session_counters(dp, s)->rx_packets,
	       (unsigned long long)dp_user_drops(dp)[DP_DROP_RX_TUN_WRITE]);
	dataplane_userspace.destroy(dp);
	close(udp);
}

static void bench_setup(unsigned n, bool shared, bool named)
{
	struct dp_user_config cfg = {.mode = shared ? DP_USER_TUN_SHARED : DP_USER_TUN_PER_SESSION};
	struct dataplane *dp;
	struct dp_session **ss = calloc(n, sizeof(*ss));
	struct meminfo m0, m1, m2;
	long h0, h1;
	double t0, t1, t2, t3;
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	int err;

	if (!ss)
		return;
	m0 = meminfo();
	h0 = heap_bytes();
	t0 = now_s();
	if ((err = dp_user_create(&callbacks, NULL, &cfg, &dp)) < 0 ||
	    (err = make_sessions(dp, n, udp, false, named, ss)) < 0) {
		printf("set-up %u: %s\n", n, strerror(-err));
		return;
	}
	t1 = now_s();
	for (unsigned i = 0; i < n; i++) {
		struct dp_ip_params ip = {0};

		ip.local.s_addr = htonl(0xc6120001);
		ip.peer.s_addr = htonl(0xc6130000 + 1 + i);
		err = dataplane_userspace.session_set_ip(dp, ss[i], &ip);
		if (err < 0) {
			printf("set_ip %u: %s\n", i, strerror(-err));
			break;
		}
	}
	t2 = now_s();
	m1 = meminfo();
	h1 = heap_bytes();
	dataplane_userspace.destroy(dp);
	t3 = now_s();
	m2 = meminfo();
	printf("%-22s sessions=%-5u create %7.1f us/session  set_ip %6.1f us/session  "
	       "delete %7.1f us/session  kernel: MemAvailable %6.1f KiB/session, slab %5.1f, "
	       "percpu %4.1f KiB/session; our heap %4.0f bytes/session (MemAvailable back after "
	       "delete: %ld of %ld KiB)\n",
	       shared ? "shared TUN" : named ? "TUN per session, named" : "TUN per session, l2tp%d",
	       n, (t1 - t0) * 1e6 / n, (t2 - t1) * 1e6 / n, (t3 - t2) * 1e6 / n,
	       (double)(m0.avail_kib - m1.avail_kib) / n, (double)(m1.slab_kib - m0.slab_kib) / n,
	       (double)(m1.percpu_kib - m0.percpu_kib) / n, (double)(h1 - h0) / n,
	       m2.avail_kib - m1.avail_kib, m0.avail_kib - m1.avail_kib);
	free(ss);
	close(udp);
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	unsigned pk = quick ? 20000 : 2000000;
	struct rlimit rl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# bench_dp_userspace: figures only (docs/dataplane-userspace.md)\n");
	bench_rx_fake(1, pk);
	bench_rx_fake(1000, pk);
	bench_rx_fake(10000, pk);
	bench_tx(quick ? 6400 : 640000);

	if (unshare(CLONE_NEWNET) < 0) {
		printf("# TUN figures skipped: cannot make a private network namespace (%s); "
		       "run as root\n", strerror(errno));
		return 0;
	}
	/* One fd per TUN device. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	bench_rx_real_tun(quick ? 20000 : 500000);
	if (quick) {
		bench_setup(100, false, false);
		bench_setup(100, false, true);
		bench_setup(100, true, false);
		return 0;
	}
	bench_setup(1000, false, false);
	bench_setup(5000, false, false);
	bench_setup(1000, false, true);
	bench_setup(5000, false, true);
	bench_setup(1000, true, false);
	bench_setup(5000, true, false);
	return 0;
}

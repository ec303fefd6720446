/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net_recv_on_link (net.h): a datagram with the index of the interface it
 * came in on, over real sockets on loopback (IPv4 IP_PKTINFO, IPv6
 * IPV6_RECVPKTINFO), the one longer than the buffer dropped, and nothing
 * waiting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

/* A bound receiver with pktinfo on and a sender aimed at it; -1 when the
 * family has no loopback here. */
static int pair(int family, int *rx, int *tx, struct sockaddr_storage *to, socklen_t *tolen)
{
	int one = 1;

	*rx = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*tx = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*rx < 0 || *tx < 0)
		return -1;
	memset(to, 0, sizeof(*to));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)to;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*tolen = sizeof(*a);
		if (setsockopt(*rx, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
			return -1;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)to;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*tolen = sizeof(*a);
		if (setsockopt(*rx, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			return -1;
	}
	if (bind(*rx, (struct sockaddr *)to, *tolen) < 0 ||
	    getsockname(*rx, (struct sockaddr *)to, tolen) < 0)
		return -1;
	return 0;
}

static void receive_on(int family)
{
	struct sockaddr_storage to, from;
	socklen_t tolen;
	uint8_t big[64] = { 0 }, buf[16];
	int rx = -1, tx = -1, ifindex = -5;

	if (pair(family, &rx, &tx, &to, &tolen) < 0) {
		if (rx >= 0)
			close(rx);
		if (tx >= 0)
			close(tx);
		skip();
	}
	assert_int_equal(net_recv_on_link(rx, buf, sizeof(buf), &from, sizeof(from), &ifindex),
			 NET_RECV_NONE);
	assert_int_equal(sendto(tx, "hello", 5, 0, (struct sockaddr *)&to, tolen), 5);
	assert_int_equal(net_recv_on_link(rx, buf, sizeof(buf), &from, sizeof(from), &ifindex), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(ifindex, (int)if_nametoindex("lo"));
	assert_int_equal(from.ss_family, family);
	/* longer than the buffer: dropped, said so, the next one intact */
	assert_int_equal(sendto(tx, big, sizeof(big), 0, (struct sockaddr *)&to, tolen),
			 (ssize_t)sizeof(big));
	assert_int_equal(sendto(tx, "x", 1, 0, (struct sockaddr *)&to, tolen), 1);
	assert_int_equal(net_recv_on_link(rx, buf, sizeof(buf), &from, sizeof(from), &ifindex),
			 NET_RECV_TOO_LONG);
	assert_int_equal(net_recv_on_link(rx, buf, sizeof(buf), &from, sizeof(from), &ifindex), 1);
	assert_int_equal(net_recv_on_link(rx, buf, sizeof(buf), &from, sizeof(from), &ifindex),
			 NET_RECV_NONE);
	close(rx);
	close(tx);
}

static void ipv4_datagram_comes_with_its_interface(void **state)
{
	(void)state;
	receive_on(AF_INET);
}

static void ipv6_datagram_comes_with_its_interface(void **state)
{
	(void)state;
	receive_on(AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_datagram_comes_with_its_interface),
		cmocka_unit_test(ipv6_datagram_comes_with_its_interface),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

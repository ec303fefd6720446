/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnl-tool: one lib/rtnl operation per run, for the namespace tests of
 * the rtnetlink client (test/integration/rtnl). Prints "ok", the answer
 * ("ifindex N"), or "error N" with the -errno the client returned.
 *
 *   rtnl-tool addr add|del IFNAME LOCAL PEER PLEN [nodad]
 *   rtnl-tool route add|del IFNAME PREFIX PLEN
 *   rtnl-tool neigh add|del IFNAME ADDR
 *   rtnl-tool lan ADDR [SKIP_IFNAME]
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl.h"

static int family_of(const char *text, void *out)
{
	if (inet_pton(AF_INET, text, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, out) == 1)
		return AF_INET6;
	fprintf(stderr, "rtnl-tool: not an address: %s\n", text);
	exit(2);
}

static int ifindex_of(const char *name)
{
	unsigned i = if_nametoindex(name);

	if (!i) {
		fprintf(stderr, "rtnl-tool: no interface %s\n", name);
		exit(2);
	}
	return (int)i;
}

static int usage(void)
{
	fprintf(stderr, "usage: rtnl-tool addr|route|neigh add|del IFNAME ... | lan ADDR [SKIP]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	uint8_t a[16], b[16];
	int rc, fam;

	if (argc < 3)
		return usage();
	sk = rtnl_open(&rc);
	if (!sk) {
		printf("error %d\n", rc);
		return 1;
	}
	if (!strcmp(argv[1], "lan")) {
		struct in_addr addr;

		if (inet_pton(AF_INET, argv[2], &addr) != 1)
			return usage();
		rc = rtnl_lan_interface(sk, addr, argc > 3 ? ifindex_of(argv[3]) : 0);
		if (rc > 0) {
			char name[IF_NAMESIZE] = "?";

			if_indextoname((unsigned)rc, name);
			printf("ifindex %d %s\n", rc, name);
			rtnl_close(sk);
			return 0;
		}
	} else if (argc >= 5) {
		bool add = !strcmp(argv[2], "add");
		int ifindex = ifindex_of(argv[3]);

		if (!strcmp(argv[1], "addr") && argc >= 7) {
			fam = family_of(argv[4], a);
			family_of(argv[5], b);
			rc = rtnl_addr(sk, add, fam, ifindex, a, b, (unsigned)atoi(argv[6]),
				       argc > 7 && !strcmp(argv[7], "nodad") ? IFA_F_NODAD : 0);
		} else if (!strcmp(argv[1], "route") && argc >= 6) {
			fam = family_of(argv[4], a);
			rc = rtnl_route(sk, add, fam, ifindex, a, (unsigned)atoi(argv[5]), NULL);
		} else if (!strcmp(argv[1], "neigh")) {
			struct in_addr addr;

			if (inet_pton(AF_INET, argv[4], &addr) != 1)
				return usage();
			rc = rtnl_proxy_neigh(sk, add, ifindex, addr);
		} else {
			return usage();
		}
	} else {
		return usage();
	}
	rtnl_close(sk);
	if (rc < 0) {
		printf("error %d\n", rc);
		return 1;
	}
	printf("ok\n");
	return 0;
}

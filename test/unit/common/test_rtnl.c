/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/rtnl.h without a kernel: the messages it builds (the semantics
 * docs/development.md "The rtnetlink client" chose) and the libnl error
 * table. test/integration/rtnl shows the same against the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>

#include <cmocka.h>

#include "rtnl.h"

static struct nlmsghdr *addr_msg(struct nl_msg *msg, struct nlattr **a)
{
	struct nlmsghdr *nlh;

	assert_non_null(msg);
	nlh = nlmsg_hdr(msg);
	assert_int_equal(nlmsg_parse(nlh, sizeof(struct ifaddrmsg), a, IFA_MAX, NULL), 0);
	return nlh;
}

/* Add is CREATE|REPLACE (never EXCL): asked again, the address asked for
 * holds. IPv4 is global scope, our address local, the peer's address. */
static void ipv4_add_replaces_with_local_and_peer(void **state)
{
	struct in_addr l = { htonl(0xc6336401) }, p = { htonl(0xc6336402) };
	struct nlattr *a[IFA_MAX + 1];
	struct nl_msg *msg = rtnl_msg_addr(true, AF_INET, 42, &l, &p, 32, 0);
	struct nlmsghdr *nlh = addr_msg(msg, a);
	struct ifaddrmsg *ifa = nlmsg_data(nlh);

	assert_int_equal(nlh->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_REPLACE);
	assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(ifa->ifa_index, 42);
	assert_int_equal(ifa->ifa_prefixlen, 32);
	assert_memory_equal(nla_data(a[IFA_LOCAL]), &l, 4);
	assert_memory_equal(nla_data(a[IFA_ADDRESS]), &p, 4);
	assert_null(a[IFA_FLAGS]);
	nlmsg_free(msg);

	/* no peer: the address alone (the userspace plane's shared TUN) */
	msg = rtnl_msg_addr(true, AF_INET, 42, &l, NULL, 32, 0);
	addr_msg(msg, a);
	assert_memory_equal(nla_data(a[IFA_ADDRESS]), &l, 4);
	nlmsg_free(msg);

	msg = rtnl_msg_addr(false, AF_INET, 42, &l, &p, 32, 0);
	nlh = addr_msg(msg, a);
	assert_int_equal(nlh->nlmsg_type, RTM_DELADDR);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE), 0);
	nlmsg_free(msg);
}

static void ipv6_link_local_is_link_scope_without_dad(void **state)
{
	uint8_t l[16] = { 0xfe, 0x80, [15] = 1 }, p[16] = { 0xfe, 0x80, [15] = 2 };
	uint8_t g[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct nlattr *a[IFA_MAX + 1];
	struct nl_msg *msg = rtnl_msg_addr(true, AF_INET6, 5, l, p, 128, IFA_F_NODAD);
	struct nlmsghdr *nlh = addr_msg(msg, a);
	struct ifaddrmsg *ifa = nlmsg_data(nlh);

	assert_int_equal(ifa->ifa_scope, RT_SCOPE_LINK);
	assert_true(ifa->ifa_flags & IFA_F_NODAD);
	assert_true(nla_get_u32(a[IFA_FLAGS]) & IFA_F_NODAD);
	assert_memory_equal(nla_data(a[IFA_LOCAL]), l, 16);
	assert_memory_equal(nla_data(a[IFA_ADDRESS]), p, 16);
	nlmsg_free(msg);

	msg = rtnl_msg_addr(true, AF_INET6, 5, g, g, 128, 0);
	ifa = nlmsg_data(addr_msg(msg, a));
	assert_int_equal(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	nlmsg_free(msg);

	assert_null(rtnl_msg_addr(true, AF_UNIX, 5, l, p, 128, 0));
}

static void proxy_neighbour_add_replaces(void **state)
{
	struct in_addr addr = { htonl(0xcb007132) };
	struct nlattr *a[NDA_MAX + 1];

	for (int add = 1; add >= 0; add--) {
		struct nl_msg *msg = rtnl_msg_proxy_neigh(add, 3, addr);
		struct nlmsghdr *nlh;
		struct ndmsg *nd;

		assert_non_null(msg);
		nlh = nlmsg_hdr(msg);
		assert_int_equal(nlh->nlmsg_type, add ? RTM_NEWNEIGH : RTM_DELNEIGH);
		assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE),
				 add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
		assert_int_equal(nlmsg_parse(nlh, sizeof(*nd), a, NDA_MAX, NULL), 0);
		nd = nlmsg_data(nlh);
		assert_int_equal(nd->ndm_ifindex, 3);
		assert_true(nd->ndm_flags & NTF_PROXY);
		assert_memory_equal(nla_data(a[NDA_DST]), &addr, 4);
		nlmsg_free(msg);
	}
}

/* The one table: both old tables' entries, either sign, unknown as EIO. */
static void libnl_errors_map_to_errno(void **state)
{
	static const struct { int nle, err; } map[] = {
		{ 0, 0 }, { NLE_NOMEM, ENOMEM }, { NLE_PERM, EPERM }, { NLE_NOACCESS, EACCES },
		{ NLE_EXIST, EEXIST }, { NLE_OBJ_NOTFOUND, ENOENT }, { NLE_NOADDR, EADDRNOTAVAIL },
		{ NLE_NODEV, ENODEV }, { NLE_INVAL, EINVAL }, { NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT }, { NLE_BUSY, EBUSY }, { NLE_AGAIN, EAGAIN },
		{ NLE_BAD_SOCK, EBADF }, { NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
		{ NLE_RANGE, ERANGE }, { NLE_FAILURE, EIO }, { NLE_MSG_TRUNC, EIO },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		assert_int_equal(rtnl_nle_errno(-map[i].nle), -map[i].err);
		assert_int_equal(rtnl_nle_errno(map[i].nle), -map[i].err);
	}
}

/* Refused before anything is sent: a prefix longer than its family, an
 * unknown family, no socket. */
static void bad_arguments_are_refused_without_a_socket(void **state)
{
	uint8_t a[16] = { 10 };
	struct in_addr addr = { 0 };

	assert_int_equal(rtnl_route(NULL, true, AF_INET, 1, a, 33, NULL), -EINVAL);
	assert_int_equal(rtnl_route(NULL, true, AF_INET6, 1, a, 129, NULL), -EINVAL);
	assert_int_equal(rtnl_route(NULL, true, AF_UNIX, 1, a, 8, NULL), -EINVAL);
	assert_int_equal(rtnl_route(NULL, true, AF_INET, 1, a, 8, NULL), -EBADF);
	assert_int_equal(rtnl_proxy_neigh(NULL, true, 1, addr), -EBADF);
	assert_int_equal(rtnl_addr(NULL, true, AF_UNIX, 1, a, a, 8, 0), -EAFNOSUPPORT);
	assert_int_equal(rtnl_addr(NULL, true, AF_INET, 1, a, a, 8, 0), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_add_replaces_with_local_and_peer),
		cmocka_unit_test(ipv6_link_local_is_link_scope_without_dad),
		cmocka_unit_test(proxy_neighbour_add_replaces),
		cmocka_unit_test(libnl_errors_map_to_errno),
		cmocka_unit_test(bad_arguments_are_refused_without_a_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

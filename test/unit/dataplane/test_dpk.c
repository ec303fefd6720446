/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the kernel data path's parts without I/O: the netlink
 * requests it sends (read back with libnl's parser, as the kernel would),
 * the PPPoL2TP address, PPP frame handling, the fd table; and that probe
 * and create agree on whether this kernel can run it (the build machines'
 * kernel has no L2TP or PPP: both must say so cleanly there).
 */
/* glibc before linux/ uapi headers: libc-compat.h then skips duplicates. */
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/if_addr.h>
#include <linux/if_pppox.h>
#include <linux/l2tp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "dpk.h"

#define FAMILY 0x1d   /* any generic netlink family id */

static struct nlattr *tb[L2TP_ATTR_MAX + 1];

static struct genlmsghdr *parse_l2tp(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	assert_non_null(msg);
	nlh = nlmsg_hdr(msg);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(genlmsg_parse(nlh, 0, tb, L2TP_ATTR_MAX, NULL), 0);
	return genlmsg_hdr(nlh);
}

static void tunnel_create_binds_the_daemons_udp_socket_as_l2tpv2_over_udp(void **state)
{
	struct nl_msg *msg = dpk_msg_tunnel_create(FAMILY, 0x1234, 0xbeef, 17);
	struct genlmsghdr *g = parse_l2tp(msg);

	assert_int_equal(g->cmd, L2TP_CMD_TUNNEL_CREATE);
	assert_int_equal(g->version, L2TP_GENL_VERSION);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_CONN_ID]), 0x1234);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_PEER_CONN_ID]), 0xbeef);
	assert_int_equal(nla_get_u8(tb[L2TP_ATTR_PROTO_VERSION]), 2);
	assert_int_equal(nla_get_u16(tb[L2TP_ATTR_ENCAP_TYPE]), L2TP_ENCAPTYPE_UDP);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_FD]), 17);
	nlmsg_free(msg);
}

static void tunnel_create_leaves_addresses_to_the_socket(void **state)
{
	struct nl_msg *msg = dpk_msg_tunnel_create(FAMILY, 1, 2, 3);

	parse_l2tp(msg);
	assert_null(tb[L2TP_ATTR_IP_SADDR]);
	assert_null(tb[L2TP_ATTR_IP_DADDR]);
	assert_null(tb[L2TP_ATTR_UDP_SPORT]);
	assert_null(tb[L2TP_ATTR_UDP_DPORT]);
	nlmsg_free(msg);
}

static void session_create_is_a_ppp_pseudowire_in_lns_mode(void **state)
{
	struct nl_msg *msg = dpk_msg_session_create(FAMILY, 0x1234, 0x0101, 0xfffe);
	struct genlmsghdr *g = parse_l2tp(msg);

	assert_int_equal(g->cmd, L2TP_CMD_SESSION_CREATE);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_CONN_ID]), 0x1234);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_SESSION_ID]), 0x0101);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_PEER_SESSION_ID]), 0xfffe);
	assert_int_equal(nla_get_u16(tb[L2TP_ATTR_PW_TYPE]), L2TP_PWTYPE_PPP);
	assert_int_equal(nla_get_u8(tb[L2TP_ATTR_LNS_MODE]), 1);
	assert_null(tb[L2TP_ATTR_SEND_SEQ]);
	assert_null(tb[L2TP_ATTR_COOKIE]);
	nlmsg_free(msg);
}

static void session_delete_names_tunnel_and_session(void **state)
{
	struct nl_msg *msg = dpk_msg_session_delete(FAMILY, 7, 9);
	struct genlmsghdr *g = parse_l2tp(msg);

	assert_int_equal(g->cmd, L2TP_CMD_SESSION_DELETE);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_CONN_ID]), 7);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_SESSION_ID]), 9);
	nlmsg_free(msg);
}

static void tunnel_delete_names_the_tunnel_only(void **state)
{
	struct nl_msg *msg = dpk_msg_tunnel_delete(FAMILY, 7);
	struct genlmsghdr *g = parse_l2tp(msg);

	assert_int_equal(g->cmd, L2TP_CMD_TUNNEL_DELETE);
	assert_int_equal(nla_get_u32(tb[L2TP_ATTR_CONN_ID]), 7);
	assert_null(tb[L2TP_ATTR_SESSION_ID]);
	nlmsg_free(msg);
}

static void ipv4_address_is_local_with_the_peer_as_address_slash_32(void **state)
{
	struct in_addr l = { htonl(0xc6336401) }, p = { htonl(0xc6336402) };
	struct nl_msg *msg = dpk_msg_addr_add(AF_INET, 42, &l, &p, 32, 0);
	struct nlattr *a[IFA_MAX + 1];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	assert_non_null(msg);
	nlh = nlmsg_hdr(msg);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWADDR);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_true(nlh->nlmsg_flags & NLM_F_REPLACE);
	assert_int_equal(nlmsg_parse(nlh, sizeof(*ifa), a, IFA_MAX, NULL), 0);
	ifa = nlmsg_data(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_index, 42);
	assert_int_equal(ifa->ifa_prefixlen, 32);
	assert_non_null(a[IFA_LOCAL]);
	assert_non_null(a[IFA_ADDRESS]);
	assert_memory_equal(nla_data(a[IFA_LOCAL]), &l, 4);
	assert_memory_equal(nla_data(a[IFA_ADDRESS]), &p, 4);
	nlmsg_free(msg);
}

static void ipv6_link_local_address_skips_dad(void **state)
{
	struct in6_addr l, p;
	struct nl_msg *msg;
	struct nlattr *a[IFA_MAX + 1];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	unsigned flags;

	dpk_ipv6_link_local(0x1, &l);
	dpk_ipv6_link_local(0x2, &p);
	msg = dpk_msg_addr_add(AF_INET6, 5, &l, &p, 128, IFA_F_NODAD);
	assert_non_null(msg);
	nlh = nlmsg_hdr(msg);
	assert_int_equal(nlmsg_parse(nlh, sizeof(*ifa), a, IFA_MAX, NULL), 0);
	ifa = nlmsg_data(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_prefixlen, 128);
	flags = a[IFA_FLAGS] ? nla_get_u32(a[IFA_FLAGS]) : ifa->ifa_flags;
	assert_true(flags & IFA_F_NODAD);
	assert_memory_equal(nla_data(a[IFA_LOCAL]), &l, 16);
	assert_memory_equal(nla_data(a[IFA_ADDRESS]), &p, 16);
	nlmsg_free(msg);
}

static void link_local_address_carries_the_interface_identifier(void **state)
{
	static const uint8_t want[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
					  0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };
	struct in6_addr a;

	dpk_ipv6_link_local(0x021122fffe334455ULL, &a);
	assert_memory_equal(a.s6_addr, want, 16);
}

static void link_set_sends_only_what_changes(void **state)
{
	struct nl_msg *msg = dpk_msg_link_set(9, NULL, 1400, 0);
	struct nlattr *a[IFLA_MAX + 1];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	assert_non_null(msg);
	nlh = nlmsg_hdr(msg);
	assert_int_equal(nlmsg_parse(nlh, sizeof(*ifi), a, IFLA_MAX, NULL), 0);
	ifi = nlmsg_data(nlh);
	assert_int_equal(ifi->ifi_index, 9);
	assert_int_equal(nla_get_u32(a[IFLA_MTU]), 1400);
	assert_null(a[IFLA_IFNAME]);
	assert_int_equal(ifi->ifi_change & IFF_UP, 0);
	nlmsg_free(msg);
}

static void link_set_up_and_rename(void **state)
{
	struct nl_msg *msg = dpk_msg_link_set(9, "vpn-alice", 0, 1);
	struct nlattr *a[IFLA_MAX + 1];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	assert_non_null(msg);
	nlh = nlmsg_hdr(msg);
	assert_int_equal(nlmsg_parse(nlh, sizeof(*ifi), a, IFLA_MAX, NULL), 0);
	ifi = nlmsg_data(nlh);
	assert_string_equal(nla_get_string(a[IFLA_IFNAME]), "vpn-alice");
	assert_true(ifi->ifi_change & IFF_UP);
	assert_true(ifi->ifi_flags & IFF_UP);
	assert_null(a[IFLA_MTU]);
	nlmsg_free(msg);
}

static void proxy_arp_is_a_proxy_neighbour_entry_on_the_lan(void **state)
{
	struct in_addr peer = { htonl(0xcb007132) };
	struct nlattr *a[NDA_MAX + 1];
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	int add;

	for (add = 1; add >= 0; add--) {
		struct nl_msg *msg = dpk_msg_proxy_neigh(add, 3, peer);

		assert_non_null(msg);
		nlh = nlmsg_hdr(msg);
		assert_int_equal(nlh->nlmsg_type, add ? RTM_NEWNEIGH : RTM_DELNEIGH);
		assert_int_equal(nlmsg_parse(nlh, sizeof(*nd), a, NDA_MAX, NULL), 0);
		nd = nlmsg_data(nlh);
		assert_int_equal(nd->ndm_family, AF_INET);
		assert_int_equal(nd->ndm_ifindex, 3);
		assert_true(nd->ndm_flags & NTF_PROXY);
		assert_memory_equal(nla_data(a[NDA_DST]), &peer, 4);
		assert_null(a[NDA_LLADDR]);
		nlmsg_free(msg);
	}
}

static void pppol2tp_address_over_ipv4_is_the_v2_in4_layout(void **state)
{
	struct sockaddr_storage peer, out;
	struct sockaddr_in *sin = (struct sockaddr_in *)&peer;
	struct sockaddr_pppol2tp *sa = (struct sockaddr_pppol2tp *)&out;
	int len;

	memset(&peer, 0, sizeof(peer));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(1701);
	sin->sin_addr.s_addr = htonl(0xc0000202);
	len = dpk_pppol2tp_addr(&out, 11, &peer, 100, 200, 300, 400);
	/* l2tp_ppp tells the layouts apart by length alone. */
	assert_int_equal(len, sizeof(struct sockaddr_pppol2tp));
	assert_int_equal(sa->sa_family, AF_PPPOX);
	assert_int_equal(sa->sa_protocol, PX_PROTO_OL2TP);
	assert_int_equal(sa->pppol2tp.fd, 11);
	assert_int_equal(sa->pppol2tp.pid, 0);
	assert_int_equal(sa->pppol2tp.s_tunnel, 100);
	assert_int_equal(sa->pppol2tp.s_session, 200);
	assert_int_equal(sa->pppol2tp.d_tunnel, 300);
	assert_int_equal(sa->pppol2tp.d_session, 400);
	assert_int_equal(sa->pppol2tp.addr.sin_port, htons(1701));
	assert_int_equal(sa->pppol2tp.addr.sin_addr.s_addr, htonl(0xc0000202));
}

static void pppol2tp_address_over_ipv6_is_the_v2_in6_layout(void **state)
{
	struct sockaddr_storage peer, out;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&peer;
	struct sockaddr_pppol2tpin6 *sa = (struct sockaddr_pppol2tpin6 *)&out;
	int len;

	memset(&peer, 0, sizeof(peer));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(1701);
	sin6->sin6_addr.s6_addr[0] = 0x20;
	sin6->sin6_addr.s6_addr[15] = 0x02;
	len = dpk_pppol2tp_addr(&out, 12, &peer, 1, 2, 3, 4);
	assert_int_equal(len, sizeof(struct sockaddr_pppol2tpin6));
	assert_int_not_equal(len, sizeof(struct sockaddr_pppol2tpv3));
	assert_int_equal(sa->pppol2tp.fd, 12);
	assert_int_equal(sa->pppol2tp.s_tunnel, 1);
	assert_int_equal(sa->pppol2tp.d_session, 4);
	assert_memory_equal(&sa->pppol2tp.addr.sin6_addr, &sin6->sin6_addr, 16);
}

static void pppol2tp_address_refuses_other_families(void **state)
{
	struct sockaddr_storage peer, out;

	memset(&peer, 0, sizeof(peer));
	peer.ss_family = AF_UNIX;
	assert_int_equal(dpk_pppol2tp_addr(&out, 1, &peer, 1, 2, 3, 4), -EAFNOSUPPORT);
}

static void frame_from_dev_ppp_starts_with_the_protocol(void **state)
{
	static const uint8_t lcp[] = { 0xc0, 0x21, 0x09, 0x01, 0x00, 0x04 };

	assert_int_equal(dpk_frame_start(lcp, sizeof(lcp)), 0);
}

static void frame_with_address_and_control_is_stripped(void **state)
{
	static const uint8_t f[] = { 0xff, 0x03, 0xc0, 0x21, 0x09 };

	assert_int_equal(dpk_frame_start(f, sizeof(f)), 2);
}

static void frame_without_room_for_a_protocol_is_refused(void **state)
{
	static const uint8_t even1[] = { 0xc0 };
	static const uint8_t acfc_only[] = { 0xff, 0x03 };
	static const uint8_t acfc_half[] = { 0xff, 0x03, 0xc0 };

	assert_int_equal(dpk_frame_start(even1, 0), -1);
	assert_int_equal(dpk_frame_start(even1, 1), -1);
	assert_int_equal(dpk_frame_start(acfc_only, 2), -1);
	assert_int_equal(dpk_frame_start(acfc_half, 3), -1);
}

static void frame_with_compressed_protocol_is_one_octet(void **state)
{
	static const uint8_t pfc[] = { 0x21, 0x45 };       /* IP, PFC */
	static const uint8_t acfc_pfc[] = { 0xff, 0x03, 0x21 };

	assert_int_equal(dpk_frame_start(pfc, 1), 0);
	assert_int_equal(dpk_frame_start(acfc_pfc, 3), 2);
}

static void lcp_and_auth_go_through_the_channel_ncps_through_the_unit(void **state)
{
	static const uint16_t channel[] = { 0xc021, 0xc023, 0xc223, 0xc227, 0x80fb };
	static const uint16_t unit[] = { 0x8021, 0x8057, 0x80fd, 0x0021 };
	uint8_t f[2];
	size_t i;

	for (i = 0; i < sizeof(channel) / sizeof(channel[0]); i++) {
		f[0] = (uint8_t)(channel[i] >> 8);
		f[1] = (uint8_t)channel[i];
		assert_int_equal(dpk_send_via(f, 2), DPK_FD_CHANNEL);
	}
	for (i = 0; i < sizeof(unit) / sizeof(unit[0]); i++) {
		f[0] = (uint8_t)(unit[i] >> 8);
		f[1] = (uint8_t)unit[i];
		assert_int_equal(dpk_send_via(f, 2), DPK_FD_UNIT);
	}
	f[0] = 0x21;   /* compressed */
	assert_int_equal(dpk_send_via(f, 1), DPK_FD_UNIT);
}

/* Before the grant (no channel fd yet) everything goes through the
 * PPPoL2TP socket; after it, LCP and auth the channel, NCPs the unit, or
 * the channel when the unit could not be made. */
static void frames_go_through_the_socket_until_the_grant(void **state)
{
	static const uint8_t lcp[] = { 0xc0, 0x21 }, chap[] = { 0xc2, 0x23 },
			     ipcp[] = { 0x80, 0x21 };

	assert_int_equal(dpk_send_fd(7, -1, -1, lcp, 2), 7);
	assert_int_equal(dpk_send_fd(7, -1, -1, chap, 2), 7);
	assert_int_equal(dpk_send_fd(7, -1, -1, ipcp, 2), 7);
	assert_int_equal(dpk_send_fd(7, 8, 9, lcp, 2), 8);
	assert_int_equal(dpk_send_fd(7, 8, 9, chap, 2), 8);
	assert_int_equal(dpk_send_fd(7, 8, 9, ipcp, 2), 9);
	assert_int_equal(dpk_send_fd(7, 8, -1, ipcp, 2), 8);
	assert_int_equal(dpk_send_fd(7, 8, 9, ipcp, 0), 8);	/* no protocol: the channel */
}

/* pppN counts the unit's NCP frames as ppp_generic does (length less the
 * protocol field); session_stats takes them out: IP data only. */
static void ncp_frames_of_the_unit_are_not_data(void **state)
{
	struct dpk_ncp_count c = { 0 };
	struct dp_stats st = { .rx_packets = 5, .rx_bytes = 5 * 84 + 10,
			       .tx_packets = 4, .tx_bytes = 3 * 84 + 10 + 12 };

	(void)state;
	dpk_ncp_count_add(&c, 0, 12);	/* an IPCP Configure-Request read: 10 octets counted */
	dpk_ncp_count_add(&c, 1, 12);	/* and one written */
	dpk_ncp_count_add(&c, 1, 14);
	assert_int_equal(c.rx_frames, 1);
	assert_int_equal(c.rx_bytes, 10);
	assert_int_equal(c.tx_frames, 2);
	assert_int_equal(c.tx_bytes, 22);
	dpk_data_stats(&st, &c);
	assert_int_equal(st.rx_packets, 4);
	assert_int_equal(st.rx_bytes, 4 * 84 + 84);
	assert_int_equal(st.tx_packets, 2);
	assert_int_equal(st.tx_bytes, 3 * 84);
}

/* Never below zero (a counter reset under us, frames the kernel dropped
 * from a full queue before we read them), and the 32-bit counts stop at
 * their maximum instead of wrapping to small numbers. */
static void ncp_counts_saturate_and_data_never_goes_negative(void **state)
{
	struct dpk_ncp_count c = { .rx_bytes = UINT32_MAX - 1, .tx_frames = UINT32_MAX };
	struct dp_stats st = { .rx_packets = 0, .rx_bytes = 7, .tx_packets = 3, .tx_bytes = 0 };

	(void)state;
	dpk_ncp_count_add(&c, 0, 100);
	dpk_ncp_count_add(&c, 1, 1);	/* shorter than a protocol field: no bytes */
	assert_int_equal(c.rx_bytes, UINT32_MAX);
	assert_int_equal(c.tx_frames, UINT32_MAX);
	assert_int_equal(c.tx_bytes, 0);
	dpk_data_stats(&st, &c);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(st.rx_bytes, 0);
	assert_int_equal(st.tx_packets, 0);
	assert_int_equal(st.tx_bytes, 0);
}

static void fd_table_maps_fds_to_sessions_and_grows(void **state)
{
	struct dpk_fdtab t = { NULL, 0 };
	struct dp_session *a = (struct dp_session *)(uintptr_t)0x1000;
	struct dp_session *b = (struct dp_session *)(uintptr_t)0x2000;
	const struct dpk_fd_entry *e;

	assert_null(dpk_fdtab_get(&t, 3));
	assert_int_equal(dpk_fdtab_set(&t, 3, a, 1, DPK_FD_CHANNEL), 0);
	assert_int_equal(dpk_fdtab_set(&t, 5000, b, 2, DPK_FD_UNIT), 0);
	e = dpk_fdtab_get(&t, 3);
	assert_non_null(e);
	assert_ptr_equal(e->session, a);
	assert_int_equal(e->serial, 1);
	assert_int_equal(e->kind, DPK_FD_CHANNEL);
	e = dpk_fdtab_get(&t, 5000);
	assert_ptr_equal(e->session, b);
	assert_int_equal(e->kind, DPK_FD_UNIT);
	assert_null(dpk_fdtab_get(&t, 4));
	dpk_fdtab_del(&t, 3);
	assert_null(dpk_fdtab_get(&t, 3));
	assert_non_null(dpk_fdtab_get(&t, 5000));
	dpk_fdtab_free(&t);
}

static void fd_table_refuses_negative_fds(void **state)
{
	struct dpk_fdtab t = { NULL, 0 };

	assert_int_equal(dpk_fdtab_set(&t, -1, NULL, 0, DPK_FD_UNIT), -EBADF);
	assert_null(dpk_fdtab_get(&t, -1));
	dpk_fdtab_del(&t, -1);
	dpk_fdtab_free(&t);
}

static void rx_noop(void *c, struct dp_session *s, void *k, const uint8_t *f, size_t l) {}
static int watch_noop(void *c, int fd) { return 0; }
static void unwatch_noop(void *c, int fd) {}

static void probe_and_create_agree_about_this_kernel(void **state)
{
	struct dp_callbacks cb = { NULL, rx_noop, watch_noop, unwatch_noop, NULL, NULL, NULL };
	struct dataplane *dp = NULL;
	char reason[256] = "";
	int probe = dataplane_kernel.probe(reason, sizeof(reason));
	int created = dataplane_kernel.create(&cb, NULL, &dp);

	print_message("probe: %s\n", reason);
	assert_true(reason[0] != 0);   /* a one-line reason either way */
	assert_null(strchr(reason, '\n'));
	if (probe == 0) {
		/* probe may pass only on /dev/ppp access, which create does not
		 * need; the L2TP family it needs was resolved by probe. */
		assert_int_equal(created, 0);
		assert_non_null(dp);
	} else if (strstr(reason, "L2TP netlink")) {
		assert_int_equal(probe, -EPROTONOSUPPORT);
		assert_int_equal(created, -EPROTONOSUPPORT);
		assert_null(dp);
	}
	dataplane_kernel.destroy(dp);
}

static void create_needs_every_callback(void **state)
{
	struct dp_callbacks cb = { NULL, rx_noop, NULL, unwatch_noop, NULL, NULL, NULL };
	struct dataplane *dp = (struct dataplane *)(uintptr_t)1;

	assert_int_equal(dataplane_kernel.create(&cb, NULL, &dp), -EINVAL);
	assert_null(dp);
}

/* ---- the tunnel's own socket and its 4-tuple (tunsock.c, tuples.c) ---- */

static struct sockaddr_storage sa4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	return ss;
}

static void tunnel_socket_is_bound_connected_and_reads_like_a_listener(void **state)
{
	struct sockaddr_storage local = sa4("127.0.0.1", 0), peer = sa4("127.0.0.1", 9), got;
	socklen_t len = sizeof(got);
	int fd = dpk_tunnel_socket(&local, &peer, 0), one = 0;
	socklen_t olen = sizeof(one);

	assert_true(fd >= 0);
	assert_int_equal(getpeername(fd, (struct sockaddr *)&got, &len), 0);
	assert_int_equal(((struct sockaddr_in *)&got)->sin_port, htons(9));
	/* the daemon reads it with net_recv: it needs the local address */
	assert_int_equal(getsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, &olen), 0);
	assert_int_equal(one, 1);
	close(fd);
	peer = sa4("127.0.0.1", 9);
	peer.ss_family = AF_INET6;	/* families differ */
	assert_int_equal(dpk_tunnel_socket(&local, &peer, 0), -EAFNOSUPPORT);
}

static void addresses_print_as_the_log_shows_them(void **state)
{
	struct sockaddr_storage a = sa4("192.0.2.100", 1701), b;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&b;
	char buf[64];

	assert_string_equal(dpk_addr_str(&a, buf, sizeof(buf)), "192.0.2.100:1701");
	memset(&b, 0, sizeof(b));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(4500);
	inet_pton(AF_INET6, "2001:db8::1", &in6->sin6_addr);
	assert_string_equal(dpk_addr_str(&b, buf, sizeof(buf)), "[2001:db8::1]:4500");
}

/* Two clients behind one NAT from the same address and port: the second
 * kernel tunnel is refused before anything reaches the kernel, with the
 * sentence the daemon logs (docs/ipsec-nat.md). */
static void second_tunnel_on_a_taken_4_tuple_is_refused_with_a_reason(void **state)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	struct dp_tunnel *t = (struct dp_tunnel *)(uintptr_t)1;
	struct l2tp_addr l, p;
	char why[256] = "";
	struct dp_tunnel_params tp = {
		.udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),	/* unconnected */
		.local = sa4("192.0.2.1", 1701), .peer = sa4("192.0.2.100", 1701),
		.local_tunnel_id = 6, .peer_tunnel_id = 1, .why = why, .why_len = sizeof(why),
	};

	assert_non_null(dp);
	assert_true(tp.udp_fd >= 0);
	dpk_to_l2tp_addr(&tp.local, &l);
	dpk_to_l2tp_addr(&tp.peer, &p);
	assert_int_equal(dpk_tuples_claim(&dp->tuples, &l, &p, 5), 0);	/* tunnel 5 has it */
	assert_int_equal(dataplane_kernel.tunnel_create(dp, &tp, &t), -EADDRINUSE);
	assert_null(t);
	assert_string_equal(why, "peer 192.0.2.100:1701 already has kernel tunnel 5 from the same "
			    "address and port (clients behind one NAT): the kernel data path "
			    "cannot carry both; use dataplane = userspace");
	/* nothing was claimed for the refused tunnel: 5 still holds it */
	assert_int_equal(dpk_tuples_claim(&dp->tuples, &l, &p, 7), 5);
	/* without its addresses no socket can be made for it */
	tp.local.ss_family = 0;
	why[0] = 0;
	assert_int_equal(dataplane_kernel.tunnel_create(dp, &tp, &t), -EDESTADDRREQ);
	close(tp.udp_fd);
	dpk_tuples_free(&dp->tuples);
	free(dp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tunnel_create_binds_the_daemons_udp_socket_as_l2tpv2_over_udp),
		cmocka_unit_test(tunnel_create_leaves_addresses_to_the_socket),
		cmocka_unit_test(session_create_is_a_ppp_pseudowire_in_lns_mode),
		cmocka_unit_test(session_delete_names_tunnel_and_session),
		cmocka_unit_test(tunnel_delete_names_the_tunnel_only),
		cmocka_unit_test(frames_go_through_the_socket_until_the_grant),
		cmocka_unit_test(ipv4_address_is_local_with_the_peer_as_address_slash_32),
		cmocka_unit_test(ipv6_link_local_address_skips_dad),
		cmocka_unit_test(link_local_address_carries_the_interface_identifier),
		cmocka_unit_test(link_set_sends_only_what_changes),
		cmocka_unit_test(link_set_up_and_rename),
		cmocka_unit_test(proxy_arp_is_a_proxy_neighbour_entry_on_the_lan),
		cmocka_unit_test(pppol2tp_address_over_ipv4_is_the_v2_in4_layout),
		cmocka_unit_test(pppol2tp_address_over_ipv6_is_the_v2_in6_layout),
		cmocka_unit_test(pppol2tp_address_refuses_other_families),
		cmocka_unit_test(frame_from_dev_ppp_starts_with_the_protocol),
		cmocka_unit_test(frame_with_address_and_control_is_stripped),
		cmocka_unit_test(frame_without_room_for_a_protocol_is_refused),
		cmocka_unit_test(frame_with_compressed_protocol_is_one_octet),
		cmocka_unit_test(lcp_and_auth_go_through_the_channel_ncps_through_the_unit),
		cmocka_unit_test(ncp_frames_of_the_unit_are_not_data),
		cmocka_unit_test(ncp_counts_saturate_and_data_never_goes_negative),
		cmocka_unit_test(fd_table_maps_fds_to_sessions_and_grows),
		cmocka_unit_test(tunnel_socket_is_bound_connected_and_reads_like_a_listener),
		cmocka_unit_test(addresses_print_as_the_log_shows_them),
		cmocka_unit_test(second_tunnel_on_a_taken_4_tuple_is_refused_with_a_reason),
		cmocka_unit_test(fd_table_refuses_negative_fds),
		cmocka_unit_test(probe_and_create_agree_about_this_kernel),
		cmocka_unit_test(create_needs_every_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "acct.h"
#include "auth_provider.h"
#include "dhcp_inform.h"
#include "router_adv.h"
#include "session_eap.h"
#include "dhcp6_pd.h"
#include "dynauth.h"
#include "mss_clamp.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "proxyarp.h"
#include "radius_attrs.h"
#include "text.h"
#include "trace.h"

/* RFC 2661 section 4.4.2, CDN Result Codes. */
#define CDN_LOST_CARRIER 1
#define CDN_GENERAL_ERROR 2
#define CDN_ADMIN 3
#define CDN_TEMPORARY_RESOURCES 4

static void queue(struct session *s)
{
	struct server *srv = s->srv;

	if (s->queued)
		return;
	s->queued = true;
	s->pending_next = srv->pending;
	srv->pending = s;
}

static const char *peer_str(const struct session *s, char *buf, size_t len)
{
	return net_addr_str(&s->peer, buf, len);
}

static void ip_from_l2tp(const struct l2tp_addr *a, struct policy_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = a->family;
	memcpy(ip->bytes, a->addr, a->family == AF_INET6 ? 16 : 4);
}

uint32_t session_nas_port(const struct session *s)
{
	/* the two ids are unique among the sessions up (RFC 2661 5.1) */
	return (uint32_t)s->tunnel_id << 16 | s->session_id;
}

const char *session_acct_session_id(const struct session *s, char *buf, size_t len)
{
	/* the run's random prefix and the session's serial: unique across
	 * restarts too (RFC 2866 5.5) */
	snprintf(buf, len, "%08X%08X", s->srv->acct_prefix, s->serial);
	return buf;
}

void session_auth_facts(struct session *s, struct auth_session_facts *f, char *asid, size_t len)
{
	struct server *srv = s->srv;

	*f = (struct auth_session_facts){
		.peer = &s->peer,
		.local = s->tunnel ? &s->tunnel->local : NULL,
		.natt_port = ipsec_tunnel_natt_port(srv, s->tunnel),
		.nas_port = session_nas_port(s),
		.acct_session_id = session_acct_session_id(s, asid, len),
		.ike_identity = ipsec_tunnel_identity(srv, s->tunnel),
		.link_mtu = s->ppp.lcp_st.peer_mru,
	};
}

/* ---- ppp-core callbacks ------------------------------------------------- */

static void ppp_send_cb(void *ctx, const uint8_t *frame, size_t len)
{
	struct session *s = ctx;
	struct server *srv = s->srv;

	if (s->dp && srv->dp_ops->session_send_ppp(srv->dp, s->dp, frame, len))
		srv->counters.tx_errors++;
}

static void ppp_set_timer_cb(void *ctx, uint64_t deadline)
{
	struct session *s = ctx;

	if (deadline == 0)
		timerheap_cancel(&s->srv->timers, &s->ppp_timer);
	else if (timerheap_set(&s->srv->timers, &s->ppp_timer, deadline))
		session_request_close(s, "out of memory for a timer", CDN_TEMPORARY_RESOURCES, 0);
}

/* The session/idle limit timer: a session whose timer cannot be armed
 * would never time out, so it is closed instead (with a log line). */
static void arm_limit_timer(struct session *s, uint64_t deadline)
{
	if (timerheap_set(&s->srv->timers, &s->limit_timer, deadline) == 0)
		return;
	log_err("session %u/%u: out of memory for its session/idle timer: closed", s->tunnel_id,
		s->session_id);
	session_request_close(s, "out of memory for a timer", CDN_TEMPORARY_RESOURCES, 0);
}

/* The server's random source (struct server_io) or -1: ppp-core then
 * closes the link instead of sending a predictable challenge. */
static int ppp_random_cb(void *ctx, uint8_t *buf, size_t len)
{
	struct server *srv = ((struct session *)ctx)->srv;

	return srv->io.random(srv->io.ctx, buf, len);
}

/* PPP_EVENT_AUTH_REQUEST: ppp-core keeps the login until the verdict, so
 * nothing is copied; the provider is asked from sessions_run_pending, out
 * of ppp-core's callback. A new login (LCP renegotiated) replaces one the
 * provider still has. */
static void auth_requested(struct session *s)
{
	if (s->auth_step == SESSION_AUTH_ASKED)
		auth_provider_cancel(s->srv->auth, s);
	s->auth_step = SESSION_AUTH_QUEUED;
	queue(s);
}

/* The user's framed routes through the session's interface, once IPCP is
 * up (docs/l2tpd.md). A route that cannot be added is logged; the session
 * stays up (the client's own address works, as with RRAS). */
static void install_routes(struct session *s)
{
	struct server *srv = s->srv;
	const char *ifname;
	char err[160];
	size_t ok;

	if (!s->n_routes || s->routes_installed || !s->dp)
		return;
	if (!(srv->dp_caps.flags & DP_CAP_SESSION_NETDEV)) {
		/* A shared device dispatches by the client's own address only:
		 * a packet to a framed network would be dropped there. */
		log_warn("session %u/%u: framed routes of user '%s' not installed: %s carries only "
			 "the clients' own addresses", s->tunnel_id, s->session_id, SAFE_STR(s->user),
			 srv->dp_caps.no_netdev_why);
		return;
	}
	ifname = srv->dp_ops->session_ifname(srv->dp, s->dp);
	s->routes_ifindex = ifname ? (int)if_nametoindex(ifname) : 0;
	if (!s->routes_ifindex) {
		log_err("session %u/%u: framed routes: no interface", s->tunnel_id, s->session_id);
		return;
	}
	ok = routes_apply(srv->routes, s->routes_ifindex, s->routes, s->n_routes, true, err,
			  sizeof(err));
	s->routes_installed = ok > 0;
	if (ok < s->n_routes)
		log_err("session %u/%u: %zu of %u framed routes not installed: %s", s->tunnel_id,
			s->session_id, s->n_routes - ok, s->n_routes, err);
	for (size_t i = 0; i < s->n_routes; i++) {
		char pfx[64];
		routes_format(&s->routes[i], pfx, sizeof(pfx));
		log_debug("session %u/%u: framed route %s dev %s", s->tunnel_id, s->session_id, pfx,
			  ifname);
	}
}

static void remove_routes(struct session *s)
{
	char err[160];

	if (s->routes_installed &&
	    routes_apply(s->srv->routes, s->routes_ifindex, s->routes, s->n_routes, false, err,
			 sizeof(err)) < s->n_routes)
		log_warn("session %u/%u: framed routes not removed: %s", s->tunnel_id, s->session_id,
			 err);
	s->routes_installed = false;
	free(s->routes);
	s->routes = NULL;
	s->n_routes = 0;
}

/* Framed-MTU needs a device of the session's own whose MTU the data plane
 * can set (radius_attrs_framed_mtu): NULL when it can, else why not. */
static const char *framed_mtu_no_device(const struct server *srv)
{
	if (!(srv->dp_caps.flags & DP_CAP_SESSION_NETDEV))
		return srv->dp_caps.no_netdev_why;
	return srv->dp_ops->session_set_mtu ? NULL : "this data plane";
}

/* The session's device gets the RADIUS server's smaller MTU before it is
 * made (or at once, when it exists): the host never sends the client a
 * packet larger than the server allowed. Routes through the device take
 * its MTU, and so does the MSS clamp of SYNs towards the client (`rt mtu`,
 * mss_clamp.h). 0 nothing to do. */
static int set_framed_mtu(struct session *s, uint16_t mtu)
{
	struct server *srv = s->srv;
	int rc;

	if (!mtu)
		return 0;
	rc = s->dp ? srv->dp_ops->session_set_mtu(srv->dp, s->dp, mtu) : -ENODEV;
	if (rc) {
		log_err("session %u/%u: the device's MTU %u (RADIUS Framed-MTU) not set: %s",
			s->tunnel_id, s->session_id, mtu, strerror(-rc));
		return rc;
	}
	log_info("session %u/%u: user '%s': MTU %u on its device (RADIUS Framed-MTU, below the "
		 "link's %u)", s->tunnel_id, s->session_id, SAFE_STR(s->user), mtu,
		 server_link_mru(srv, s->peer.family));
	return 0;
}

/* ... and the client's own SYNs are clamped to that MTU's MSS, not only
 * the link's (mss_clamp.h), once the device has its name. The clamp is an
 * optimisation (the device's MTU already bounds what is sent): a failure
 * is logged, the session stays. s->framed_mtu: the clamp's element is
 * there (or the clamp is off), to take away at the end. mtu 0: the end. */
static void clamp_framed_mtu(struct session *s, uint16_t mtu)
{
	struct server *srv = s->srv;
	uint16_t v = mtu ? mtu : s->framed_mtu;
	const char *ifname;
	char err[256];

	if (!v)
		return;
	ifname = s->dp ? srv->dp_ops->session_ifname(srv->dp, s->dp) : NULL;
	if (!ifname || mss_clamp_session(srv->mss, ifname, v, mtu != 0, err, sizeof(err))) {
		log_warn("session %u/%u: TCP MSS of its Framed-MTU %u not %s: %s", s->tunnel_id,
			 s->session_id, v, mtu ? "clamped" : "unclamped",
			 ifname ? err : "no interface");
		s->framed_mtu = 0;
		return;
	}
	s->framed_mtu = mtu;
}

/* What the session added around its interface (framed routes, packet
 * filters), removed while the interface still exists. Idempotent. */
static void release_interface_state(struct session *s)
{
	struct server *srv = s->srv;

	remove_routes(s);
	dhcp_inform_session_end(srv->inform, s);
	acct_session_ipv6(s);	/* its prefixes, for the Stop */
	router_adv_session_end(srv->ra, s);	/* its prefix goes back to the pool */
	dhcp6_pd_session_end(srv->dhcp6, s);	/* ... and its delegated prefix */
	if (s->filter_in || s->filter_out) {
		const char *ifname = s->dp ? srv->dp_ops->session_ifname(srv->dp, s->dp) : NULL;
		if (ifname)
			filters_detach(srv->filters, ifname, s->filter_in, s->filter_out);
		s->filter_in = s->filter_out = NULL;
	}
	clamp_framed_mtu(s, 0);	/* the name may be the next session's */
}

/* The client took an address of its own (a RADIUS server let it,
 * Framed-IP-Address 255.255.255.255): the pool's address it did not take
 * goes back, and the one it took is taken out of the pool that holds it,
 * or the session is refused when another session has it. */
static int claim_chosen_address(struct session *s, struct in_addr chosen)
{
	struct server *srv = s->srv;
	struct policy_ip ip = { .family = AF_INET };
	char a[INET_ADDRSTRLEN];

	memcpy(ip.bytes, &chosen.s_addr, 4);
	if (s->has_lease4 && !memcmp(s->lease4.bytes, ip.bytes, 4))
		return 0;	/* the pool's own */
	if (s->has_lease4) {
		policy_pool_release(srv->policy, &s->lease4);
		s->has_lease4 = false;
	}
	inet_ntop(AF_INET, &chosen, a, sizeof(a));
	switch (policy_pool_claim(srv->policy, &ip)) {
	case 0:
		s->lease4 = ip;
		s->has_lease4 = true;
		break;
	case 1:
		break;
	default:
		log_notice("session %u/%u: user '%s' chose address %s, which another session holds: "
			   "closed", s->tunnel_id, s->session_id, SAFE_STR(s->user), a);
		session_request_close(s, "address chosen by the client in use", CDN_GENERAL_ERROR, 0);
		return -1;
	}
	log_info("session %u/%u: user '%s' chose its own address %s (the RADIUS server let it)",
		 s->tunnel_id, s->session_id, SAFE_STR(s->user), a);
	return 0;
}

/* The IPv4 side of a session whose IPCP opened (RFC 1332): its framed
 * routes and DHCPINFORM answers. Once: when the session comes up at IPCP,
 * or when IPCP opens later on a session up IPv6-only (the client
 * renegotiated, RFC 1661 section 4.1). */
static void ipv4_side_up(struct session *s)
{
	struct server *srv = s->srv;

	if (s->ipv4_up)
		return;
	s->ipv4_up = true;
	install_routes(s);
	dhcp_inform_session_up(srv->inform, s, srv->dp_ops->session_ifname(srv->dp, s->dp));
}

/* The session is up: its network layer is settled (acct_start_due), by
 * IPCP opening or by IPV6CP alone. Counted, found by the DAS, its Start
 * sent and its session/idle limits armed here, once. */
static void session_up(struct session *s)
{
	struct server *srv = s->srv;
	struct dp_stats st;
	char a[96], peer[64];

	s->state = SESSION_UP;
	s->up_ms = server_now_ms(srv);
	s->last_activity_ms = s->up_ms;
	/* The idle clock starts here: what the data plane counted before
	 * (an earlier NCP's traffic) is not activity after it. Read only
	 * for a session with an idle timeout: on the kernel plane it is a
	 * netlink round trip, not for every set-up. */
	if (s->idle_timeout)
		s->seen_packets = session_packets(srv, s, &st);
	srv->n_sessions_up++;
	srv->counters.sessions_up++;
	dynauth_session_up(srv, s);	/* found by RFC 5176 requests from now on */
	if (s->ipv4_up) {
		inet_ntop(AF_INET, &(struct in_addr){ htonl(s->peer_addr) }, a, sizeof(a));
	} else {
		struct policy_prefix v6;
		char pfx[64];

		/* no IPv4 address: say what it has instead */
		if (router_adv_session_prefix(s, &v6))
			snprintf(a, sizeof(a), "none (IPv6 only, prefix %s)",
				 policy_prefix_format(&v6, pfx, sizeof(pfx)));
		else
			snprintf(a, sizeof(a), "none (IPv6 only, link-local)");
	}
	log_info("session %u/%u up: user '%s' peer %s address %s interface %s policy '%s'",
		 s->tunnel_id, s->session_id, SAFE_STR(s->user), peer_str(s, peer, sizeof(peer)), a,
		 srv->dp_ops->session_ifname(srv->dp, s->dp), s->policy_name);
	acct_session_up(s);	/* RADIUS Start (acct.h) */
	if (s->session_timeout || s->idle_timeout) {
		uint64_t d = UINT64_MAX;
		if (s->session_timeout)
			d = s->up_ms + (uint64_t)s->session_timeout * 1000;
		if (s->idle_timeout && s->up_ms + (uint64_t)s->idle_timeout * 1000 < d)
			d = s->up_ms + (uint64_t)s->idle_timeout * 1000;
		arm_limit_timer(s, d);
	}
}

/* IPV6CP opened and IPCP finished without opening (refused with a
 * Protocol-Reject, or given up: RFC 1661 section 4.1's Closed/Stopped):
 * the network layer is settled without IPv4 (acct_start_due), the session
 * is up IPv6-only, by whichever of the two came last. A session still
 * negotiating IPCP comes up when IPCP opens (ncp_up); one closing does
 * not come up. Called from the trace hook too: nothing here calls into
 * the PPP session. */
static void network_maybe_settled(struct session *s, int ipcp_state)
{
	if (s->state == SESSION_UP || s->state == SESSION_CLOSING || s->close_requested)
		return;
	if (acct_start_due(s->ppp.phase, ipcp_state, s->ppp.ipv6cp.state))
		session_up(s);
}

static void ncp_up(struct session *s, const struct ppp_event *ev)
{
	struct server *srv = s->srv;
	struct dp_ip_params ip = { 0 };
	char a[64];
	int rc;

	if (ev->u.ncp.protocol == PPP_PROTO_IPV6CP) {
		ip.has_ipv6 = 1;
		/* The identifiers as numbers whose most significant octet is
		 * the first on the wire (RFC 5072 section 4.1), as the data
		 * planes read them: a memcpy into a uint64_t reversed them on
		 * a little-endian host. */
		for (int i = 0; i < 8; i++) {
			ip.local_ifid = ip.local_ifid << 8 | ev->u.ncp.local_ifid[i];
			ip.peer_ifid = ip.peer_ifid << 8 | ev->u.ncp.peer_ifid[i];
		}
		/* IPV6CP may open before IPCP: IPv4 only once IPCP has
		 * (s->peer_addr), or the data plane would let IPv4 flow on
		 * addresses still being negotiated */
		if (s->peer_addr) {
			ip.local.s_addr = htonl(s->ppp.ipcp_st.local_addr);
			ip.peer.s_addr = htonl(s->peer_addr);
		}
	} else {
		ip.local.s_addr = htonl(s->ppp.ipcp_st.local_addr);
		ip.peer.s_addr = htonl(s->ppp.ipcp_st.peer_addr);
		if (ev->u.ncp.peer_chose_address && ip.peer.s_addr && claim_chosen_address(s, ip.peer))
			return;
		s->peer_addr = ev->u.ncp.peer_addr;
		/* RFC 1332 3.3: the client takes its address from our Nak of
		 * IP-Address 0.0.0.0; IPCP can open without one if the client
		 * left the option out. A link without the client's address
		 * carries nothing: say so instead of a data-plane error. */
		if (!ip.peer.s_addr) {
			log_err("session %u/%u: IPCP opened but the client never took an address",
				s->tunnel_id, s->session_id);
			session_request_close(s, "no client address", CDN_GENERAL_ERROR, 0);
			return;
		}
	}
	/* proxy ARP is for the IPv4 address; an IPV6CP-only call has none */
	ip.proxy_arp = s->proxy_arp && ip.peer.s_addr;
	rc = s->dp ? srv->dp_ops->session_set_ip(srv->dp, s->dp, &ip) : -1;
	if (rc == -ENETUNREACH && ip.proxy_arp) {
		/* The pool answers ARP, but the route to this address leads
		 * to no LAN (proxy_arp = yes on a routed pool, or the LAN
		 * went away since the load): the client still reaches out;
		 * only LAN hosts cannot reach it without a route. */
		inet_ntop(AF_INET, &ip.peer, a, sizeof(a));
		log_warn("session %u/%u: no LAN interface holds %s: no proxy ARP for it",
			 s->tunnel_id, s->session_id, a);
		s->proxy_arp = false;
		ip.proxy_arp = 0;
		rc = srv->dp_ops->session_set_ip(srv->dp, s->dp, &ip);
	} else if (rc == -EOPNOTSUPP && ip.has_ipv6 && !ip.peer.s_addr) {
		/* a plane that carries no IPv6 (the shared TUN): IPv4 may
		 * still come, the session stays */
		log_warn("session %u/%u: IPV6CP opened but the data plane carries no IPv6 here",
			 s->tunnel_id, s->session_id);
		return;
	}
	if (rc) {
		log_err("session %u/%u: the data plane could not set the addresses: %s",
			s->tunnel_id, s->session_id, rc < 0 ? strerror(-rc) : "no data plane");
		session_request_close(s, "data plane failure", CDN_GENERAL_ERROR, 0);
		return;
	}
	if (ev->u.ncp.protocol == PPP_PROTO_IPV6CP) {
		/* the prefix routed to the link, advertisements start
		 * (router_adv.h); again on a renegotiation */
		router_adv_session_up(srv->ra, s, ip.local_ifid, ip.peer_ifid,
				      srv->dp_ops->session_ifname(srv->dp, s->dp));
		/* DHCPv6 answered on the link (dhcp6_pd.h) */
		dhcp6_pd_session_up(srv->dhcp6, s, ip.local_ifid,
				    srv->dp_ops->session_ifname(srv->dp, s->dp));
		/* a client without IPCP (refused, or given up) is up now,
		 * with the prefix just routed; one still negotiating IPCP is
		 * up when IPCP opens */
		network_maybe_settled(s, s->ppp.ipcp.state);
		return;
	}
	/* IPCP may be renegotiated (the peer sends a new Configure-Request):
	 * the addresses are set again above, the session is counted once. */
	if (s->state == SESSION_UP) {
		/* a request by Framed-IP-Address names the new one now */
		dynauth_session_address(srv, s, s->peer_addr);
		if (!s->ipv4_up) {
			/* up IPv6-only until now: its IPv4 side joins, no
			 * second count or Start (the Start went without
			 * Framed-IP-Address; the Interim-Updates and Stop
			 * carry it) */
			ipv4_side_up(s);
			inet_ntop(AF_INET, &ip.peer, a, sizeof(a));
			log_info("session %u/%u: user '%s' IPCP opened: address %s added to its IPv6",
				 s->tunnel_id, s->session_id, SAFE_STR(s->user), a);
		}
		return;
	}
	ipv4_side_up(s);
	session_up(s);
}

int session_set_proxy_arp(struct session *s, bool on)
{
	struct server *srv = s->srv;
	struct dp_ip_params ip = { 0 };
	int rc;

	s->proxy_arp = on;
	if (s->state != SESSION_UP || !s->ipv4_up || !s->dp)
		return 0;	/* IPCP not up yet: ncp_up() passes it on */
	/* The same addresses again (the data plane keeps them: REPLACE),
	 * with the proxy entry added or removed. */
	ip.local.s_addr = htonl(s->ppp.ipcp_st.local_addr);
	ip.peer.s_addr = htonl(s->ppp.ipcp_st.peer_addr);
	ip.proxy_arp = on;
	rc = srv->dp_ops->session_set_ip(srv->dp, s->dp, &ip);
	if (rc < 0)
		s->proxy_arp = false;
	return rc;
}

static void ppp_event_cb(void *ctx, const struct ppp_event *ev)
{
	struct session *s = ctx;
	char peer[64];

	switch (ev->type) {
	case PPP_EVENT_LINK_UP:
		if (s->state == SESSION_PPP_LCP)
			s->state = SESSION_PPP_AUTH;
		log_debug("session %u/%u: LCP up", s->tunnel_id, s->session_id);
		break;
	case PPP_EVENT_AUTH_REQUEST:
		session_eap_keep(s, &ev->u.auth_request);
		auth_requested(s);
		break;
	case PPP_EVENT_AUTH_RESULT:
		if (ev->u.auth_result.success) {
			s->state = SESSION_PPP_NCP;
			/* out of the pre-auth budgets and lifetime (docs/l2tp.md) */
			l2tp_session_authenticated(s->srv->l2tp, s->tunnel_id, s->session_id);
			log_debug("session %u/%u: user '%s' authenticated with %s", s->tunnel_id,
				  s->session_id, SAFE_STR(s->user), ppp_auth_method_name(ev->u.auth_result.method));
		}
		break;
	case PPP_EVENT_NCP_UP:
		ncp_up(s, ev);
		break;
	case PPP_EVENT_NCP_DOWN:
		log_debug("session %u/%u: NCP down", s->tunnel_id, s->session_id);
		/* no advertisements on a link without IPv6 (RFC 5072 section
		 * 3: none until IPV6CP opens again) */
		if (ev->u.ncp.protocol == PPP_PROTO_IPV6CP) {
			router_adv_session_down(s->srv->ra, s);
			dhcp6_pd_session_down(s->srv->dhcp6, s);
		} else {
			/* no IPv4 address until IPCP opens again (ncp_up
			 * re-indexes it): a Disconnect- or CoA-Request by the
			 * old one, which the pool may hand out again, must
			 * not find this session (RFC 5176 section 3) */
			dynauth_session_address(s->srv, s, 0);
		}
		break;
	case PPP_EVENT_LINK_DOWN:
		log_debug("session %u/%u: PPP down (%s) peer %s", s->tunnel_id, s->session_id,
			  SAFE_STR(ev->u.link_down.text), peer_str(s, peer, sizeof(peer)));
		acct_session_end(s, acct_end_of_ppp_down(ev->u.link_down.reason));
		session_request_close(s, ev->u.link_down.text ? ev->u.link_down.text : "PPP down",
				      s->cdn_result ? s->cdn_result : CDN_LOST_CARRIER, s->cdn_error);
		break;
	case PPP_EVENT_IDENTIFICATION:
	case PPP_EVENT_TIME_REMAINING:
		log_debug("session %u/%u: LCP %s '%s'", s->tunnel_id, s->session_id,
			  ev->type == PPP_EVENT_IDENTIFICATION ? "Identification" : "Time-Remaining",
			  text_escape((char[TEXT_SAFE_SIZE]){ 0 }, TEXT_SAFE_SIZE,
				      (const char *)ev->u.lcp_info.text, ev->u.lcp_info.text_len,
				      TEXT_ESC_QUOTES));
		break;
	}
}

/* Every PPP transition: to the debug log, and IPCP finishing without
 * opening (Closed, Stopped) while IPV6CP is open settles the network
 * layer: the session is up IPv6-only (network_maybe_settled). ppp-core says it no other way (no event for an
 * NCP's This-Layer-Finished); nothing here calls into the PPP session,
 * as ppp.h asks of a trace callback. */
static void ppp_trace_cb(void *ctx, const struct ppp_trace *t)
{
	struct session *s = ctx;

	trace_ppp(ctx, t);
	if (t->layer == PPP_TRACE_IPCP && (t->to == PPP_FSM_CLOSED || t->to == PPP_FSM_STOPPED))
		network_maybe_settled(s, t->to);
}

void session_fill_ppp_config(struct server *srv)
{
	struct ppp_config *c = &srv->ppp_cfg;

	ppp_config_defaults(c);
	c->cb.send = ppp_send_cb;
	c->cb.event = ppp_event_cb;
	c->cb.set_timer = ppp_set_timer_cb;
	c->cb.random = ppp_random_cb;
	c->cb.trace = ppp_trace_cb;	/* transitions to the debug log (trace.h) */
	c->mru = server_link_mru(srv, AF_INET);
	c->echo_interval_ms = srv->cfg.lcp_echo_interval * 1000;
	c->echo_failures = (uint8_t)srv->cfg.lcp_echo_failures;
	c->auth_timeout_ms = srv->cfg.auth_timeout * 1000;
	/* Both data planes add the address and control field themselves. */
	c->address_control = false;
	c->name = srv->cfg.host_name;
	/* tunnels over IPv6 carry 20 more octets of header (link_mtu.h) */
	srv->ppp_cfg6 = *c;
	srv->ppp_cfg6.mru = server_link_mru(srv, AF_INET6);
}

/* ---- authentication and policy --------------------------------------------- */

static uint32_t method_bit(enum ppp_auth_method m)
{
	switch (m) {
	case PPP_AUTH_PAP: return POLICY_AUTH_PAP;
	case PPP_AUTH_CHAP_MD5: return POLICY_AUTH_CHAP;
	case PPP_AUTH_MSCHAPV2: return POLICY_AUTH_MSCHAPV2;
	case PPP_AUTH_EAP: return POLICY_AUTH_EAP;
	default: return 0;
	}
}

static void fill_request(struct session *s, struct policy_request *req)
{
	memset(req, 0, sizeof(*req));
	ip_from_l2tp(&s->peer, &req->peer);
	if (s->tunnel)
		ip_from_l2tp(&s->tunnel->local, &req->server);
	req->tunnel = POLICY_TUNNEL_L2TP;
	req->now = time(NULL);
	ipsec_fill_request(s->srv, s->tunnel, req);	/* IKE identity, certificate */
}

static void reject(struct session *s, enum ppp_auth_failure code, const char *message)
{
	struct ppp_auth_answer a = { .kind = PPP_ANSWER_REJECT, .failure = code, .message = message };

	s->srv->counters.auth_failures++;
	ppp_auth_answer(&s->ppp, server_now_ms(s->srv), &a);
}

/* The profile's packet filters on the session's interface, before IP can
 * flow (the interface exists by now: make_netdev runs first).
 * Fail closed: a session whose filter cannot be installed is refused. */
static int attach_filters(struct session *s, int policy_index, const struct policy_profile *prof)
{
	struct server *srv = s->srv;
	const char *ifname;
	char err[256], peer[64];

	if (!filter_needed(&prof->filter_in) && !filter_needed(&prof->filter_out))
		return 0;
	if (!(srv->dp_caps.flags & DP_CAP_SESSION_NETDEV)) {
		snprintf(err, sizeof(err), "%s cannot tell sessions apart for nftables",
			 srv->dp_caps.no_netdev_why);
	} else {
		ifname = s->dp ? srv->dp_ops->session_ifname(srv->dp, s->dp) : NULL;
		if (filters_attach(srv->filters, ifname, policy_index, &prof->filter_in,
				   &prof->filter_out, &s->filter_in, &s->filter_out, err,
				   sizeof(err)) == 0) {
			log_debug("session %u/%u: packet filters of policy '%s' on %s", s->tunnel_id,
				  s->session_id, s->policy_name, ifname);
			return 0;
		}
	}
	log_err("session %u/%u: user '%s' from %s refused: packet filter of policy '%s' not "
		"installed: %s", s->tunnel_id, s->session_id, SAFE_STR(s->user),
		peer_str(s, peer, sizeof(peer)), s->policy_name, err);
	return -1;
}

/* ---- descriptors (fdbudget.h) and the late network device ---- */

/* The data-plane session goes, with its descriptors. */
static void delete_dp(struct session *s)
{
	struct server *srv = s->srv;

	if (!s->dp)
		return;
	srv->dp_ops->session_delete(srv->dp, s->dp);
	s->dp = NULL;
	srv->fd_held -= s->fds_held;
	s->fds_held = 0;
	server_fd_released(srv);
}

/* Room for `more` descriptors of this session? Else a log line; the
 * caller refuses the session with CDN result 4 (temporary lack of
 * resources). */
static bool fd_room(struct session *s, uint32_t more)
{
	struct server *srv = s->srv;
	struct rlimit rl;

	if (!more)
		return true;
	/* The limit in force now (prlimit may have changed it since the
	 * start); one syscall per session set-up, never per packet. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		srv->fdb.limit = rl.rlim_cur;
	if (fdbudget_room(&srv->fdb, srv->n_tunnels, srv->fd_held, more))
		return true;
	log_warn("session %u/%u refused: descriptor budget exhausted (sessions hold %u, this one "
		 "needs %u more, limit %llu; raise LimitNOFILE)", s->tunnel_id, s->session_id,
		 srv->fd_held, more, (unsigned long long)srv->fdb.limit);
	return false;
}

static void fd_take(struct session *s, uint32_t n)
{
	s->fds_held = (uint8_t)(s->fds_held + n);
	s->srv->fd_held += n;
}

/* The session's network device, made at the grant and not before: an
 * unauthenticated peer costs no netdev, and no descriptor on the
 * userspace path, one (the PPPoL2TP socket) on the kernel path
 * (docs/l2tpd.md, "Before authentication"). */
static int make_netdev(struct session *s)
{
	struct server *srv = s->srv;
	uint32_t more;
	int rc;

	if (!s->dp || !srv->dp_ops->session_netdev)
		return s->dp ? 0 : -ENODEV;
	more = fdbudget_at_grant(&srv->fdb, s->fds_held);
	if (!fd_room(s, more))
		return -EMFILE;
	rc = srv->dp_ops->session_netdev(srv->dp, s->dp);
	if (rc) {
		log_err("session %u/%u: no network device: %s", s->tunnel_id, s->session_id,
			strerror(-rc));
		return rc;
	}
	fd_take(s, more);
	return 0;
}

/* ---- failed-login back-off (auththrottle.h) ---- */

static size_t peer_addr_len(const struct l2tp_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

/* A login from a (user, peer) or a peer that is backed off is refused
 * before its credentials are looked at, with the same E=691 as a wrong
 * password: the client learns nothing (RFC 2759 section 6 has no code for
 * "try later"; 648 is an expired password, 649 no dial-in permission,
 * both false here and both make Windows show the wrong remedy). */
static bool throttled(struct session *s)
{
	struct server *srv = s->srv;
	struct auththrottle_result r;
	char peer[64];

	r = auththrottle_check(&srv->throttle, s->user, s->peer.addr, peer_addr_len(&s->peer),
			       server_now_ms(srv));
	if (r.verdict == AUTHTHROTTLE_ALLOW)
		return false;
	srv->counters.auth_throttled++;
	/* Once per back-off period and key, so a flood logs nothing more. */
	if (r.first)
		log_notice("session %u/%u: user '%s' from %s refused unchecked: too many failed "
			   "logins %s, %llus of back-off left (E=691)", s->tunnel_id, s->session_id,
			   SAFE_STR(s->user), peer_str(s, peer, sizeof(peer)),
			   r.verdict == AUTHTHROTTLE_PAIR ? "for this user from this address"
							  : "from this address",
			   (unsigned long long)(r.remaining_ms + 999) / 1000);
	return true;
}

static void count_login_failure(struct session *s)
{
	struct server *srv = s->srv;
	bool per_peer;
	char peer[64];
	uint64_t d = auththrottle_fail(&srv->throttle, s->user, s->peer.addr,
				       peer_addr_len(&s->peer), server_now_ms(srv), &per_peer);

	if (d)
		log_notice("login back-off: %s from %s: next attempt refused for %llus",
			   per_peer ? "all users" : SAFE_STR(s->user), peer_str(s, peer, sizeof(peer)),
			   (unsigned long long)(d + 999) / 1000);
}

/* An Access-Accept with something the session cannot be given: refused,
 * the attribute named in the log (never silently left out), E=649. */
static void refuse_attrs(struct session *s, const char *why)
{
	struct server *srv = s->srv;
	char peer[64];

	log_notice("session %u/%u: user '%s' from %s refused: %s", s->tunnel_id, s->session_id,
		   SAFE_STR(s->user), peer_str(s, peer, sizeof(peer)), why);
	srv->counters.sessions_refused++;
	s->cdn_result = CDN_GENERAL_ERROR;
	reject(s, PPP_AUTH_FAIL_NO_DIALIN, "the server's answer cannot be carried out");
}

/* The post-auth half: the credentials are right (ppp-core verified them
 * against the provider's secret, or the provider verified them itself);
 * now the policy decides, and ppp-core gets the verdict with the E= code
 * the policy chose. `authenticator_response` is a relaying provider's S=,
 * NULL when ppp-core keeps its own. */
static void decide(struct session *s, enum ppp_auth_method method,
		   const char *authenticator_response, bool external,
		   const struct radius_reply *attrs)
{
	struct server *srv = s->srv;
	struct policy_request req;
	struct policy_decision dec;
	struct ppp_profile prof;
	struct radius_grant grant;
	uint16_t framed_mtu = 0;
	const struct policy_profile *filter_prof;
	int filter_index;
	enum policy_reason reason;
	char peer[64], why[256];

	auththrottle_success(&srv->throttle, s->user, s->peer.addr, peer_addr_len(&s->peer));

	if ((unsigned)method < PPP_AUTH_NMETHODS)
		srv->counters.auth_checked[method][1]++;
	fill_request(s, &req);
	req.user = s->user;
	req.auth_method = method_bit(method);
	req.sessions_in_use = usercount_get(&srv->users, s->user);
	/* a server checked the credentials: no local user is needed, and its
	 * answer's address goes into the decision (radius_attrs.h) */
	req.external_user = external;
	if (attrs) {
		if (attrs->reply_message[0])
			log_info("session %u/%u: user '%s': Reply-Message '%s'", s->tunnel_id,
				 s->session_id, SAFE_STR(s->user), SAFE_STR(attrs->reply_message));
		if (radius_attrs_request(attrs, srv->policy, &req, why, sizeof(why))) {
			refuse_attrs(s, why);
			return;
		}
	}
	memset(&dec, 0, sizeof(dec));
	reason = policy_post_auth(srv->policy, &req, POLICY_LEASE, &dec, NULL);
	if (dec.policy_name)
		snprintf(s->policy_name, sizeof(s->policy_name), "%s", dec.policy_name);
	if (reason != POLICY_GRANTED) {
		char *line = policy_format_log(&req, &dec);
		log_notice("session %u/%u: %s (peer %s)", s->tunnel_id, s->session_id,
			   line ? line : policy_reason_name(reason), peer_str(s, peer, sizeof(peer)));
		free(line);
		policy_decision_release(srv->policy, &dec);
		srv->counters.sessions_refused++;
		if ((unsigned)reason < POLICY_REASON__COUNT)
			srv->counters.refused_policy[reason]++;
		s->cdn_result = (uint16_t)policy_reason_l2tp_result(reason);
		reject(s, (enum ppp_auth_failure)policy_reason_mschap_error(reason),
		       policy_reason_text(reason));
		return;
	}

	/* The server's answer over the profile, where both say something
	 * (docs/radius.md "Local policy and the RADIUS answer"). */
	memset(&grant, 0, sizeof(grant));
	grant.filter_policy = -1;
	if (attrs) {
		uint32_t client = 0;

		if (dec.has_ipv4 && dec.ipv4.family == AF_INET && attrs->ip_kind != RADIUS_IP_CLIENT_CHOOSES) {
			memcpy(&client, dec.ipv4.bytes, 4);
			client = ntohl(client);
		}
		if (radius_attrs_grant(attrs, srv->policy, client, &grant, why, sizeof(why))) {
			policy_decision_release(srv->policy, &dec);
			refuse_attrs(s, why);
			return;
		}
		if (grant.session_timeout)
			dec.profile.session_timeout = grant.session_timeout;
		if (grant.idle_timeout)
			dec.profile.idle_timeout = grant.idle_timeout;
		radius_attrs_profile_ipv6(&grant, &dec.profile);
		if (!dec.profile.ipv6 && radius_attrs_ipv6_ignored(attrs, why, sizeof(why)))
			log_notice("session %u/%u: user '%s': no IPv6 for the session (its profile "
				   "has none, or no prefix was free): %s not used", s->tunnel_id,
				   s->session_id, SAFE_STR(s->user), why);
		/* now that the profile says whether IPv6 comes too */
		if (radius_attrs_framed_mtu(attrs->framed_mtu, server_link_mru(srv, s->peer.family),
					    dec.profile.ipv6, framed_mtu_no_device(srv), &framed_mtu,
					    why, sizeof(why))) {
			policy_decision_release(srv->policy, &dec);
			refuse_attrs(s, why);
			return;
		}
	}
	filter_index = dec.policy_index;
	filter_prof = &dec.profile;
	/* Class and Acct-Interim-Interval for its accounting (acct.h) */
	acct_session_granted(s, attrs);
	if (grant.filter_policy >= 0) {
		/* Filter-Id: the named policy's filters instead */
		filter_index = policy_find_policy(srv->policy, attrs->filter_id, &filter_prof);
	}

	/* Keep what the session needs by value: a reload frees the policy
	 * that `dec` points into. */
	s->has_lease4 = dec.ipv4_leased;
	s->lease4 = dec.ipv4;
	s->pool4 = dec.has_ipv4 && dec.ipv4_pool >= 0 && dec.ipv4_pool < PROXYARP_NO_POOL
			   ? (uint16_t)dec.ipv4_pool : PROXYARP_NO_POOL;
	if (s->pool4 != PROXYARP_NO_POOL) {
		s->proxy_arp = proxyarp_pool(srv, s->pool4);
	} else if (dec.has_ipv4 && dec.ipv4.family == AF_INET) {
		struct in_addr a4;

		memcpy(&a4, dec.ipv4.bytes, 4);
		s->proxy_arp = proxyarp_static(srv, a4);
	} else {
		s->proxy_arp = false;
	}
	s->idle_timeout = dec.profile.idle_timeout;
	s->session_timeout = dec.profile.session_timeout;
	free(s->routes);
	s->routes = NULL;
	s->n_routes = 0;
	if (dec.n_routes || grant.n_routes) {
		size_t n = dec.n_routes + grant.n_routes > UINT8_MAX ? UINT8_MAX
								     : dec.n_routes + grant.n_routes;
		s->routes = malloc(n * sizeof(*s->routes));
		if (s->routes) {
			size_t k = dec.n_routes < n ? dec.n_routes : n;

			memcpy(s->routes, dec.routes, k * sizeof(*s->routes));
			/* Framed-Route and Framed-IP-Netmask's network */
			memcpy(s->routes + k, grant.routes, (n - k) * sizeof(*s->routes));
			s->n_routes = (uint8_t)n;
		} else {
			log_err("session %u/%u: no memory for framed routes", s->tunnel_id,
				s->session_id);
		}
	}
	dhcp_inform_session_grant(srv->inform, s, dec.policy_index, &dec.profile);
	router_adv_session_grant(srv->ra, s, &dec);	/* takes the IPv6 prefix lease */
	/* the server's IPv6 DNS servers make the profile the session's own */
	dhcp6_pd_session_grant(srv->dhcp6, s, grant.n_dns6 ? -1 : dec.policy_index, &dec.profile);
	dhcp6_pd_session_delegated(srv->dhcp6, s, &dec);	/* takes Delegated-IPv6-Prefix */
	if (usercount_inc(&srv->users, s->user) > 0)
		s->user_counted = true;
	if (set_framed_mtu(s, framed_mtu) || make_netdev(s)) {
		srv->counters.sessions_refused++;
		s->cdn_result = CDN_TEMPORARY_RESOURCES;
		/* as for an exhausted pool: 649 and CDN result 4 */
		reject(s, PPP_AUTH_FAIL_NO_DIALIN, "no resources for the session");
		return;
	}
	clamp_framed_mtu(s, framed_mtu);
	if (attach_filters(s, filter_index, filter_prof)) {
		srv->counters.sessions_refused++;
		srv->counters.refused_filter++;
		s->cdn_result = CDN_GENERAL_ERROR;
		reject(s, PPP_AUTH_FAIL_NO_DIALIN, "packet filter not installed");
		return;
	}

	memset(&prof, 0, sizeof(prof));
	prof.local_addr = ntohl(srv->cfg.local_address.s_addr);
	if (dec.has_ipv4) {
		uint32_t v;
		memcpy(&v, dec.ipv4.bytes, 4);
		prof.peer_addr = ntohl(v);
	}
	for (size_t i = 0; i < dec.profile.n_dns && i < 2; i++)
		if (dec.profile.dns[i].family == AF_INET) {
			uint32_t v;
			memcpy(&v, dec.profile.dns[i].bytes, 4);
			prof.dns[i] = ntohl(v);
		}
	for (size_t i = 0; i < dec.profile.n_wins && i < 2; i++)
		if (dec.profile.wins[i].family == AF_INET) {
			uint32_t v;
			memcpy(&v, dec.profile.wins[i].bytes, 4);
			prof.nbns[i] = ntohl(v);
		}
	for (int i = 0; i < 2; i++) {
		/* MS-Primary/Secondary-DNS-Server and -NBNS-Server win */
		if (grant.dns[i])
			prof.dns[i] = grant.dns[i];
		if (grant.nbns[i])
			prof.nbns[i] = grant.nbns[i];
	}
	/* Framed-IP-Address 255.255.255.255: the client may take its own
	 * address (RFC 2865 5.8); one that asks for none gets the pool's */
	prof.allow_peer_address = grant.client_chooses;
	prof.ipcp = true;
	prof.ipv6cp = dec.profile.ipv6;
	prof.mru = dec.profile.mru;

	struct ppp_auth_answer a = {
		.kind = PPP_ANSWER_ACCEPT,
		.authenticator_response = authenticator_response,
		.profile = &prof,
	};
	if (ppp_auth_answer(&s->ppp, server_now_ms(srv), &a))
		session_request_close(s, "the PPP layer refused the verdict", CDN_GENERAL_ERROR, 0);
}

/* The provider's answer (auth_provider.h), inside auth_ask for `local`,
 * later from the event loop for a provider that relays. */
static void auth_reply(void *ctx, const struct auth_reply *r)
{
	struct session *s = ctx;
	struct server *srv = s->srv;
	struct auth_outcome o;
	struct ppp_auth_request pending;
	char peer[64];

	if (s->auth_step != SESSION_AUTH_ASKED || s->close_requested ||
	    ppp_auth_pending(&s->ppp, &pending))
		return;
	s->auth_step = SESSION_AUTH_NONE;
	if (session_eap_reply(s, r))	/* the server's next EAP Request went out */
		return;
	auth_reply_outcome(&s->ppp, r, &o);
	if (!o.pending)
		return;
	if (o.authenticated) {
		/* ACCEPT: a server checked the response (external); SECRET:
		 * ppp-core did, against a local user's secret */
		decide(s, pending.method, o.authenticator_response, r->kind == AUTH_REPLY_ACCEPT,
		       r->kind == AUTH_REPLY_ACCEPT ? r->attributes : NULL);
		return;
	}
	log_notice("session %u/%u: user '%s' from %s refused: %s (%s, E=%d)", s->tunnel_id,
		   s->session_id, SAFE_STR(s->user), peer_str(s, peer, sizeof(peer)), o.why,
		   ppp_auth_method_name(pending.method), (int)o.failure);
	if (o.credentials) {
		if ((unsigned)pending.method < PPP_AUTH_NMETHODS)
			srv->counters.auth_checked[pending.method][0]++;
		srv->counters.refused_credentials++;
		count_login_failure(s);
	} else {
		srv->counters.sessions_refused++;
	}
	s->cdn_result = CDN_GENERAL_ERROR;
	reject(s, o.failure, o.message);
}

/* A login ppp-core holds: the back-off first (unchecked refusal), then the
 * provider is asked (auth_provider.h). */
static void auth_ask(struct session *s)
{
	struct server *srv = s->srv;
	struct ppp_auth_request r;
	struct auth_query q;
	int rc;

	s->auth_step = SESSION_AUTH_NONE;
	if (ppp_auth_pending(&s->ppp, &r))
		return;
	snprintf(s->user, sizeof(s->user), "%.*s", (int)r.identity_len,
		 (const char *)r.identity);
	session_eap_fill(s, &r);
	if (throttled(s)) {
		session_eap_release(s);
		s->cdn_result = CDN_GENERAL_ERROR;
		reject(s, PPP_AUTH_FAIL_CREDENTIALS, "authentication failed");
		return;
	}
	char asid[24];
	struct auth_session_facts f;

	session_auth_facts(s, &f, asid, sizeof(asid));
	q = (struct auth_query){ .method = r.method, .user = s->user, .request = &r, .facts = &f,
				 .ctx = s };
	s->auth_step = SESSION_AUTH_ASKED;
	rc = auth_provider_ask(srv->auth, &q);
	session_eap_release(s);		/* the provider copied it */
	if (rc) {
		s->auth_step = SESSION_AUTH_NONE;
		log_err("session %u/%u: the %s authentication provider could not take the login",
			s->tunnel_id, s->session_id, auth_provider_name(srv->auth));
		session_request_close(s, "authentication provider failure",
				      CDN_TEMPORARY_RESOURCES, 0);
	}
}

/* The provider l2tpd.conf chose (server_init); answers come to auth_reply. */
int session_auth_init(struct server *srv)
{
	srv->auth = auth_provider_new(srv->cfg.auth_provider, srv, &srv->policy, auth_reply);
	if (!srv->auth) {
		log_err("cannot make the authentication provider");
		return -1;
	}
	log_debug("authentication provider: %s", auth_provider_name(srv->auth));
	return 0;
}

/* ---- life cycle ---------------------------------------------------------------- */

static enum ppp_auth_method order_from_policy(uint32_t offer, bool eap,
					      enum ppp_auth_method order[4])
{
	size_t n = 0;

	/* Strongest first. EAP needs an external authenticator: offered
	 * with the radius provider only (relayed, docs/radius.md "EAP
	 * relay"), and after MS-CHAPv2: Windows's default for L2TP is
	 * MS-CHAPv2, which then costs no extra LCP round, while a client
	 * set up for EAP (EAP-TLS) Naks MS-CHAPv2 naming EAP (RFC 1661
	 * 6.2), which ppp-core takes when the policy allows it. */
	if (offer & POLICY_AUTH_MSCHAPV2)
		order[n++] = PPP_AUTH_MSCHAPV2;
	if (eap && (offer & POLICY_AUTH_EAP))
		order[n++] = PPP_AUTH_EAP;
	if (offer & POLICY_AUTH_CHAP)
		order[n++] = PPP_AUTH_CHAP_MD5;
	if (offer & POLICY_AUTH_PAP)
		order[n++] = PPP_AUTH_PAP;
	return (enum ppp_auth_method)n;
}

/*
 * PPP frames that reach us before the ICCN. The LAC sends its ICCN and,
 * right behind it, its first LCP Configure-Request (RFC 2661 7.4.1: the
 * LAC is established once the ICCN is sent). On the kernel data path the
 * LCP frame comes up the session's PPPoL2TP socket while the ICCN is still
 * queued on the UDP socket, so the loop may read it first; ppp-core has
 * not started and would drop it, costing the peer a 3 s LCP restart
 * (RFC 1661 4.6). A few are held and fed to PPP when it starts.
 */
#define HELD_FRAMES_MAX 4
#define HELD_FRAME_MAX_LEN 1500

struct held_frame {
	struct held_frame *next;
	size_t len;
	uint8_t data[];
};

static void hold_frame(struct session *s, const uint8_t *frame, size_t len)
{
	struct held_frame **pp = &s->held, *h;
	unsigned n = 0;

	for (; *pp; pp = &(*pp)->next)
		n++;
	if (n >= HELD_FRAMES_MAX || len > HELD_FRAME_MAX_LEN ||
	    !(h = malloc(sizeof(*h) + len))) {
		s->srv->counters.ppp_early_dropped++;
		return;
	}
	h->next = NULL;
	h->len = len;
	memcpy(h->data, frame, len);
	*pp = h;
	s->srv->counters.ppp_early_held++;
}

static void free_held(struct session *s)
{
	while (s->held) {
		struct held_frame *h = s->held;
		s->held = h->next;
		free(h);
	}
}

/*
 * L2TP_EV_SESSION_ACCEPTED: the ICRP is about to leave. Make the session
 * and its data-plane session now (kernel: L2TP session, PPPoL2TP socket
 * connected, channel and unit), so the peer's first PPP frames after its
 * ICCN find them. PPP itself starts at the ICCN (RFC 2661 7.4.2: the LNS
 * "prepares for data" on an acceptable ICCN; the ICCN carries the Proxy
 * LCP/Authen AVPs, 4.4.5, and the LAC is not required to be ready for PPP
 * before it sent its ICCN). If the call fails before the ICCN, the control
 * plane reports SESSION_DOWN once and session_l2tp_down deletes what was
 * made here.
 */
void session_l2tp_accepted(struct server *srv, const struct l2tp_event *ev)
{
	struct tunnel *t = ev->tunnel_user;
	struct session *s;
	uint64_t now = server_now_ms(srv);

	if (ev->role != L2TP_ROLE_LNS || ev->session_user)
		return;
	s = calloc(1, sizeof(*s));
	if (!s) {
		/* tried again at the ICCN (session_l2tp_up) */
		log_err("session %u/%u: out of memory", ev->tunnel_id, ev->session_id);
		return;
	}
	s->srv = srv;
	s->tunnel = t;
	s->tunnel_id = ev->tunnel_id;
	s->session_id = ev->session_id;
	s->peer_session_id = ev->peer_session_id;
	s->pool4 = PROXYARP_NO_POOL;
	s->serial = ++srv->session_serial;
	s->started_ms = now;
	s->started_wall = time(NULL);
	s->state = SESSION_PPP_LCP;
	s->ppp_timer.kind = SESSION_TIMER_PPP;
	s->limit_timer.kind = SESSION_TIMER_LIMIT;
	if (ev->peer)
		s->peer = *ev->peer;
	else if (t)
		s->peer = t->peer;
	s->next = srv->sessions;
	if (s->next)
		s->next->prev = s;
	srv->sessions = s;
	srv->n_sessions++;
	if (t)
		t->sessions++;
	/* set_user only stores the pointer: safe inside the event */
	l2tp_session_set_user(srv->l2tp, ev->tunnel_id, ev->session_id, s);
	ppp_session_init(&s->ppp, t && t->peer.family == AF_INET6 ? &srv->ppp_cfg6 : &srv->ppp_cfg,
			 PPP_SERVER, s);

	if (!t || !t->dp) {
		session_request_close(s, "no data plane for the tunnel", CDN_TEMPORARY_RESOURCES, 0);
		return;
	}
	/* A backend that takes our names (userspace: its TUN devices; letting
	 * the kernel pick "l2tp%d" gets slower with every device,
	 * docs/performance.md): "l2tpT-S" fits IFNAMSIZ and says which session
	 * it is. */
	char ifname[16];
	snprintf(ifname, sizeof(ifname), "l2tp%u-%u", ev->tunnel_id, ev->session_id);
	struct dp_session_params p = {
		.local_session_id = ev->session_id, .peer_session_id = ev->peer_session_id,
		.mtu = server_link_mru(srv, t->peer.family), .mru = server_link_mru(srv, t->peer.family),
		.ifname_hint = srv->dp_caps.flags & DP_CAP_IFNAME_BY_DAEMON ? ifname : NULL,
		.defer_netdev = 1,	/* made at the grant (make_netdev) */
	};
	/* What the backend holds before the grant: all of its descriptors
	 * without session_netdev, the early part with it (kernel: the
	 * PPPoL2TP socket). */
	uint32_t early_fds = fdbudget_at_create(&srv->fdb, srv->dp_ops->session_netdev != NULL);
	if (!fd_room(s, early_fds)) {
		session_request_close(s, "descriptor budget exhausted", CDN_TEMPORARY_RESOURCES, 0);
		return;
	}
	int rc = srv->dp_ops->session_create(srv->dp, t->dp, &p, s, &s->dp);
	if (rc) {
		s->dp = NULL;
		log_err("session %u/%u: data plane refused it: %s", s->tunnel_id, s->session_id,
			strerror(-rc));
		srv->counters.refused_dataplane++;
		session_request_close(s, "data plane failure", CDN_TEMPORARY_RESOURCES, 0);
		return;
	}
	fd_take(s, early_fds);
}

/* The LAC's ICCN carried Sequencing Required: "sequence numbers MUST
 * always be present on the data channel" (RFC 2661 section 4.4.6; 5.4).
 * A data plane that cannot send them cannot carry the call. */
static int require_sequencing(struct session *s)
{
	struct server *srv = s->srv;
	int rc = -EOPNOTSUPP;

	if (s->dp && (srv->dp_caps.flags & DP_CAP_SEQUENCING))
		rc = srv->dp_ops->session_set_seq(srv->dp, s->dp, 1);
	if (rc) {
		log_err("session %u/%u: the LAC requires sequence numbers, the %s data path cannot "
			"send them: %s", s->tunnel_id, s->session_id, srv->dp_ops->name,
			strerror(-rc));
		session_request_close(s, "sequencing not supported", CDN_GENERAL_ERROR, 0);
		return -1;
	}
	log_debug("session %u/%u: Sequencing Required: data messages carry Ns/Nr", s->tunnel_id,
		  s->session_id);
	return 0;
}

/* L2TP_EV_SESSION_UP (ICCN): start PPP. */
void session_l2tp_up(struct server *srv, const struct l2tp_event *ev)
{
	struct session *s;
	struct policy_request req;
	enum ppp_auth_method order[4];
	size_t n;
	uint32_t offer;
	char peer[64];
	uint64_t now = server_now_ms(srv);

	if (ev->role != L2TP_ROLE_LNS)
		return;
	s = ev->session_user;
	if (!s) {
		/* not made at the ICRP (out of memory then): try now */
		struct l2tp_session_info si;

		session_l2tp_accepted(srv, ev);
		if (l2tp_session_get(srv->l2tp, ev->tunnel_id, ev->session_id, &si) == 0)
			s = si.user;
	}
	if (!s || s->close_requested || s->ppp_started)
		return;
	if (ev->msg && l2tp_msg_has(ev->msg, L2TP_AVP_SEQUENCING_REQUIRED) &&
	    require_sequencing(s))
		return;
	s->ppp_started = true;

	/* Pre-auth policy: what is known now narrows the methods LCP offers. */
	fill_request(s, &req);
	offer = policy_pre_auth(srv->policy, &req, NULL);
	n = order_from_policy(offer, srv->cfg.auth_provider == AUTH_PROVIDER_RADIUS, order);
	if (n == 0) {
		log_notice("session %u/%u from %s refused: %s", s->tunnel_id, s->session_id,
			   peer_str(s, peer, sizeof(peer)),
			   policy_reason_text(POLICY_DENY_NO_COMMON_AUTH));
		srv->counters.sessions_refused++;
		srv->counters.refused_policy[POLICY_DENY_NO_COMMON_AUTH]++;
		session_request_close(s, "no common authentication method",
				      (uint16_t)policy_reason_l2tp_result(POLICY_DENY_NO_COMMON_AUTH), 0);
		free_held(s);
		return;
	}
	ppp_set_auth_methods(&s->ppp, order, n);
	log_debug("session %u/%u from %s: starting PPP", s->tunnel_id, s->session_id,
		  peer_str(s, peer, sizeof(peer)));
	ppp_start(&s->ppp, now);
	if (s->held)
		log_debug("session %u/%u: PPP frames that came before the ICCN given to PPP",
			  s->tunnel_id, s->session_id);
	/* What beat the ICCN, in arrival order (RFC 1661: our Configure-
	 * Request is out, so the peer's is answered as in Req-Sent). */
	while (s->held && !s->close_requested) {
		struct held_frame *h = s->held;
		struct ppp_data data;
		s->held = h->next;
		if (ppp_input(&s->ppp, now, h->data, h->len, &data) == PPP_INPUT_DATA)
			srv->counters.rx_data_dropped++;
		free(h);
	}
	free_held(s);
}

void session_l2tp_down(struct server *srv, const struct l2tp_event *ev)
{
	struct session *s = ev->session_user;

	if (!s)
		return;
	s->l2tp_gone = true;
	/* The tunnel (and its data-plane object) may be freed right after
	 * this event: let go of both now. */
	if (s->dp) {
		session_packets(srv, s, &s->final_stats);
		release_interface_state(s);
		delete_dp(s);
	}
	if (s->tunnel) {
		s->tunnel->sessions--;
		s->tunnel = NULL;
	}
	/* ev->msg: the peer's CDN, or its StopCCN for the tunnel's calls */
	acct_session_end(s, acct_end_of_l2tp_down(ev->cause, ev->msg != NULL));
	session_request_close(s, ev->cause == L2TP_DOWN_PEER ? "CDN from the peer"
							    : l2tp_down_cause_name(ev->cause),
			      0, 0);
}

void session_ppp_input(struct server *srv, struct session *s, const uint8_t *frame, size_t len)
{
	struct ppp_data data;

	if (!s || s->state == SESSION_CLOSING)
		return;
	if (!s->ppp_started) {	/* before the ICCN: see hold_frame */
		if (!s->close_requested)
			hold_frame(s, frame, len);
		return;
	}
	/* Both data planes keep IP to themselves once the NCPs are up; what
	 * comes here is IP a peer sent before (ppp-core drops it, counted:
	 * on the kernel plane the PPPoL2TP socket carries every frame until
	 * the grant) or data the daemon does not carry. */
	if (ppp_input(&s->ppp, server_now_ms(srv), frame, len, &data) == PPP_INPUT_DATA)
		srv->counters.rx_data_dropped++;
}

uint64_t session_packets(struct server *srv, struct session *s, struct dp_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s->dp || srv->dp_ops->session_stats(srv->dp, s->dp, st))
		return 0;
	return st->rx_packets + st->tx_packets;
}

void session_timer_fired(struct server *srv, struct timer_node *n, uint64_t now)
{
	struct session *s;

	if (n->kind == SESSION_TIMER_PPP) {
		s = container_of(n, struct session, ppp_timer);
		ppp_timer_expired(&s->ppp, now);
		return;
	}
	s = container_of(n, struct session, limit_timer);
	if (s->session_timeout && now >= s->up_ms + (uint64_t)s->session_timeout * 1000) {
		log_info("session %u/%u: user '%s' reached the session timeout (%us)", s->tunnel_id,
			 s->session_id, SAFE_STR(s->user), s->session_timeout);
		acct_session_end(s, RADIUS_END_SESSION_TIMEOUT);
		session_request_close(s, "session timeout", CDN_ADMIN, 0);
		return;
	}
	if (s->idle_timeout) {
		struct dp_stats st;
		uint64_t packets = session_packets(srv, s, &st);
		if (packets != s->seen_packets) {
			s->seen_packets = packets;
			s->last_activity_ms = now;
		} else if (now >= s->last_activity_ms + (uint64_t)s->idle_timeout * 1000) {
			log_info("session %u/%u: user '%s' idle for %us", s->tunnel_id, s->session_id,
				 SAFE_STR(s->user), s->idle_timeout);
			acct_session_end(s, RADIUS_END_IDLE_TIMEOUT);
			session_request_close(s, "idle timeout", CDN_ADMIN, 0);
			return;
		}
	}
	uint64_t d = UINT64_MAX;
	if (s->session_timeout)
		d = s->up_ms + (uint64_t)s->session_timeout * 1000;
	if (s->idle_timeout && s->last_activity_ms + (uint64_t)s->idle_timeout * 1000 < d)
		d = s->last_activity_ms + (uint64_t)s->idle_timeout * 1000;
	if (d != UINT64_MAX)
		arm_limit_timer(s, d);
}

void session_request_close(struct session *s, const char *reason, uint16_t result, uint16_t error)
{
	if (s->close_requested)
		return;
	s->close_requested = true;
	snprintf(s->close_reason, sizeof(s->close_reason), "%s", reason);
	if (!s->cdn_result || result)
		s->cdn_result = result ? result : CDN_GENERAL_ERROR;
	s->cdn_error = error;
	queue(s);
}

void session_destroy(struct server *srv, struct session *s)
{
	char peer[64], a[64] = "-";
	struct dp_stats st = s->final_stats;
	uint64_t now = server_now_ms(srv);

	if (s->dp)
		session_packets(srv, s, &st);
	/* the data plane's totals keep what ended sessions carried (metrics.c) */
	srv->counters.ended.rx_packets += st.rx_packets;
	srv->counters.ended.rx_bytes += st.rx_bytes;
	srv->counters.ended.tx_packets += st.tx_packets;
	srv->counters.ended.tx_bytes += st.tx_bytes;
	srv->counters.ended.rx_errors += st.rx_errors;
	srv->counters.ended.tx_errors += st.tx_errors;
	srv->counters.ended.tx_dropped += st.tx_dropped;
	metrics_session_gone(srv, s);	/* a scrape walking the sessions skips it */
	acct_session_gone(s, &st);	/* RADIUS Stop (acct.h) */
	dynauth_session_gone(srv, s);
	if (s->state == SESSION_UP || s->up_ms) {
		struct in_addr in = { htonl(s->peer_addr) };
		if (s->peer_addr)
			inet_ntop(AF_INET, &in, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "none");	/* IPv6 only */
		srv->n_sessions_up--;
		log_info("session %u/%u down: user '%s' peer %s address %s after %llus: %s "
			 "(in %llu packets/%llu bytes, out %llu/%llu)",
			 s->tunnel_id, s->session_id, SAFE_STR(s->user), peer_str(s, peer, sizeof(peer)), a,
			 (unsigned long long)((now - s->up_ms) / 1000), s->close_reason,
			 (unsigned long long)st.rx_packets, (unsigned long long)st.rx_bytes,
			 (unsigned long long)st.tx_packets, (unsigned long long)st.tx_bytes);
	} else {
		log_debug("session %u/%u closed before it was up: %s", s->tunnel_id, s->session_id,
			  s->close_reason);
	}
	timerheap_cancel(&srv->timers, &s->ppp_timer);
	timerheap_cancel(&srv->timers, &s->limit_timer);
	/* never answered now; an EAP conversation between round trips too */
	if (s->auth_step == SESSION_AUTH_ASKED || session_eap_open(s))
		auth_provider_cancel(srv->auth, s);
	session_eap_end(s);
	free_held(s);
	release_interface_state(s);	/* before the interface goes */
	delete_dp(s);
	/* The address returns to its pool exactly once. */
	if (s->has_lease4) {
		policy_pool_release(srv->policy, &s->lease4);
		s->has_lease4 = false;
	}
	if (s->user_counted)
		usercount_dec(&srv->users, s->user);
	if (s->tunnel) {
		s->tunnel->sessions--;
		/* ipsec.c: may close (and free) the tunnel; not used below */
		ipsec_session_gone(srv, s->tunnel);
	}
	if (!s->l2tp_gone)
		l2tp_session_set_user(srv->l2tp, s->tunnel_id, s->session_id, NULL);
	if (s->prev)
		s->prev->next = s->next;
	else
		srv->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	srv->n_sessions--;
	free(s);
}

static void finish_close(struct session *s)
{
	struct server *srv = s->srv;
	uint64_t now = server_now_ms(srv);

	s->state = SESSION_CLOSING;
	if (!s->l2tp_gone) {
		/* LCP Terminate-Request first (RFC 1661 5.5), then the CDN. */
		if (s->dp && s->ppp_started)
			ppp_close(&s->ppp, now, PPP_DOWN_ADMIN);
		l2tp_session_set_user(srv->l2tp, s->tunnel_id, s->session_id, NULL);
		s->l2tp_gone = true;
		trace_closing(s);
		l2tp_session_close(srv->l2tp, s->tunnel_id, s->session_id, s->cdn_result,
				   s->cdn_error, now);
		trace_closing(NULL);
	} else if (s->ppp_started) {
		ppp_lower_down(&s->ppp, now);
	}
	session_destroy(srv, s);
}

void sessions_run_pending(struct server *srv)
{
	struct session *s;

	while ((s = srv->pending) != NULL) {
		srv->pending = s->pending_next;
		s->pending_next = NULL;
		s->queued = false;
		if (s->auth_step == SESSION_AUTH_QUEUED && !s->close_requested)
			auth_ask(s);
		if (s->close_requested && !s->queued)
			finish_close(s);
	}
}

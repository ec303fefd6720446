/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line of l2tp-client. */
#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char client_usage_text[] =
	"usage: l2tp-client --server ADDR [--port 1701] [--bind ADDR] [--local-port P]\n"
	"         --user NAME --password SECRET [--auth mschapv2|chap|pap|eap|peap|any]\n"
	"         [--ca FILE [--server-name NAME]] (peap)\n"
	"         [--secret TUNNEL-SECRET]\n"
	"         [--sessions N] [--tunnels T] [--sessions-per-tunnel K] [--rate R]\n"
	"         [--ping ADDR [--ping-count 3] [--ping-interval 200] [--ping-wait 10000]]\n"
	"         [--dhcp-inform [--dhcp-type inform|discover|request]] [--ipv6-ra [--tun NAME] [--no-ipcp]]\n"
	"         [--hold SECONDS | --hold-forever] [--separate-ports]\n"
	"         [--json] [--quiet] [--timeout S] [--close-timeout S] [--lcp-echo S]\n"
	"         [--report-echoes N] [--auth-gate FILE]\n"
	"An LAC with a PPP client on each session, for tests and load generation.\n"
	"\"{n}\" in --user or --password becomes the session number (1..N).\n"
	"Exit status: 0 every session came up (and every ping was answered),\n"
	"1 otherwise, 2 usage error. See docs/test-client.md.\n";

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return OPTS_USAGE;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return false;
	*v = x;
	return true;
}

/* Seconds, possibly fractional ("0.5"), into milliseconds. */
static bool parse_seconds(const char *s, double max, uint64_t *ms)
{
	char *end;
	double x;

	if (!s || !*s)
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (errno || *end || !(x >= 0) || x > max)
		return false;
	*ms = (uint64_t)llround(x * 1000.0);
	return true;
}

static bool parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return true;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return true;
	}
	return false;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

enum {
	O_SERVER = 256, O_PORT, O_BIND, O_LOCAL_PORT, O_USER, O_PASSWORD, O_AUTH, O_SECRET,
	O_SESSIONS, O_TUNNELS, O_PER_TUNNEL, O_RATE, O_PING, O_PING_COUNT, O_PING_INTERVAL,
	O_PING_WAIT, O_HOLD, O_HOLD_FOREVER, O_AUTH_GATE, O_SEPARATE, O_JSON, O_QUIET, O_TIMEOUT,
	O_CLOSE_TIMEOUT, O_LCP_ECHO, O_REPORT_ECHOES, O_DHCP_INFORM, O_DHCP_TYPE, O_IPV6_RA, O_TUN,
	O_NO_IPCP, O_CA, O_SERVER_NAME, O_HELP,
};

static const struct option long_options[] = {
	{"server", required_argument, NULL, O_SERVER},
	{"port", required_argument, NULL, O_PORT},
	{"bind", required_argument, NULL, O_BIND},
	{"local-port", required_argument, NULL, O_LOCAL_PORT},
	{"user", required_argument, NULL, O_USER},
	{"password", required_argument, NULL, O_PASSWORD},
	{"auth", required_argument, NULL, O_AUTH},
	{"secret", required_argument, NULL, O_SECRET},
	{"sessions", required_argument, NULL, O_SESSIONS},
	{"tunnels", required_argument, NULL, O_TUNNELS},
	{"sessions-per-tunnel", required_argument, NULL, O_PER_TUNNEL},
	{"rate", required_argument, NULL, O_RATE},
	{"ping", required_argument, NULL, O_PING},
	{"ping-count", required_argument, NULL, O_PING_COUNT},
	{"ping-interval", required_argument, NULL, O_PING_INTERVAL},
	{"ping-wait", required_argument, NULL, O_PING_WAIT},
	{"dhcp-inform", no_argument, NULL, O_DHCP_INFORM},
	{"dhcp-type", required_argument, NULL, O_DHCP_TYPE},
	{"ipv6-ra", no_argument, NULL, O_IPV6_RA},
	{"tun", required_argument, NULL, O_TUN},
	{"no-ipcp", no_argument, NULL, O_NO_IPCP},
	{"hold", required_argument, NULL, O_HOLD},
	{"hold-forever", no_argument, NULL, O_HOLD_FOREVER},
	{"auth-gate", required_argument, NULL, O_AUTH_GATE},
	{"separate-ports", no_argument, NULL, O_SEPARATE},
	{"json", no_argument, NULL, O_JSON},
	{"quiet", no_argument, NULL, O_QUIET},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"close-timeout", required_argument, NULL, O_CLOSE_TIMEOUT},
	{"lcp-echo", required_argument, NULL, O_LCP_ECHO},
	{"report-echoes", required_argument, NULL, O_REPORT_ECHOES},
	{"ca", required_argument, NULL, O_CA},
	{"server-name", required_argument, NULL, O_SERVER_NAME},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

/* The most sessions one client drives: L2TP session ids are per tunnel
 * (16 bits) and tunnel ids 16 bits, but the client keeps it sane. */
#define MAX_SESSIONS 1000000u
#define MAX_TUNNELS 65535u
#define MAX_PER_TUNNEL 65535u

int client_opts_parse(int argc, char **argv, struct client_opts *o, char *err, size_t errlen)
{
	const char *server = NULL, *bind_addr = NULL, *ping = NULL;
	uint64_t v, port = 1701;
	bool have_sessions = false, have_tunnels = false, have_per_tunnel = false;
	bool have_hold = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->auth = PPP_AUTH_MSCHAPV2;
	o->sessions = 1;
	o->ping_count = 3;
	o->ping_interval_ms = 200;
	o->ping_wait_ms = 10000;
	o->timeout_ms = 60000;
	o->close_timeout_ms = 10000;
	o->lcp_echo_interval_ms = 30000;
	err[0] = '\0';
	optind = 0;	/* glibc: full re-initialisation (tests parse repeatedly) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case O_SERVER: server = optarg; break;
		case O_PORT:
			if (!parse_u64(optarg, 1, 65535, &port))
				return fail(err, errlen, "--port: expected 1..65535, got '%s'", optarg);
			break;
		case O_BIND: bind_addr = optarg; break;
		case O_LOCAL_PORT:
			if (!parse_u64(optarg, 0, 65535, &v))
				return fail(err, errlen, "--local-port: expected 0..65535, got '%s'", optarg);
			o->local_port = (uint16_t)v;
			break;
		case O_USER: o->user = optarg; break;
		case O_PASSWORD: o->password = optarg; break;
		case O_AUTH:
			if (!strcmp(optarg, "mschapv2"))
				o->auth = PPP_AUTH_MSCHAPV2;
			else if (!strcmp(optarg, "chap"))
				o->auth = PPP_AUTH_CHAP_MD5;
			else if (!strcmp(optarg, "pap"))
				o->auth = PPP_AUTH_PAP;
			else if (!strcmp(optarg, "eap"))
				o->auth = PPP_AUTH_EAP;	/* Identity and MD5-Challenge */
			else if (!strcmp(optarg, "peap"))
				o->auth = PPP_AUTH_EAP;	/* PEAPv0 / EAP-MSCHAPv2 (peap.c) */
			else if (!strcmp(optarg, "any"))
				o->auth = PPP_AUTH_NONE;
			else
				return fail(err, errlen, "--auth: expected mschapv2, chap, pap, eap, peap or any, got '%s'", optarg);
			o->peap = !strcmp(optarg, "peap");
			break;
		case O_CA:
			if (!*optarg)
				return fail(err, errlen, "--ca: expected a file name");
			o->ca_file = optarg;
			break;
		case O_SERVER_NAME:
			if (!*optarg)
				return fail(err, errlen, "--server-name: expected a name");
			o->server_name = optarg;
			break;
		case O_SECRET: o->secret = optarg; break;
		case O_SESSIONS:
			if (!parse_u64(optarg, 1, MAX_SESSIONS, &v))
				return fail(err, errlen, "--sessions: expected 1..%u, got '%s'", MAX_SESSIONS, optarg);
			o->sessions = (uint32_t)v;
			have_sessions = true;
			break;
		case O_TUNNELS:
			if (!parse_u64(optarg, 1, MAX_TUNNELS, &v))
				return fail(err, errlen, "--tunnels: expected 1..%u, got '%s'", MAX_TUNNELS, optarg);
			o->tunnels = (uint32_t)v;
			have_tunnels = true;
			break;
		case O_PER_TUNNEL:
			if (!parse_u64(optarg, 1, MAX_PER_TUNNEL, &v))
				return fail(err, errlen, "--sessions-per-tunnel: expected 1..%u, got '%s'", MAX_PER_TUNNEL, optarg);
			o->per_tunnel = (uint32_t)v;
			have_per_tunnel = true;
			break;
		case O_RATE: {
			char *end;

			errno = 0;
			o->rate = strtod(optarg, &end);
			if (errno || *end || !*optarg || !(o->rate >= 0) || o->rate > 1e7)
				return fail(err, errlen, "--rate: expected sessions per second >= 0, got '%s'", optarg);
			break;
		}
		case O_PING: ping = optarg; break;
		case O_PING_COUNT:
			if (!parse_u64(optarg, 1, 65535, &v))
				return fail(err, errlen, "--ping-count: expected 1..65535, got '%s'", optarg);
			o->ping_count = (uint32_t)v;
			break;
		case O_PING_INTERVAL:
			if (!parse_u64(optarg, 1, 3600000, &v))
				return fail(err, errlen, "--ping-interval: expected milliseconds, got '%s'", optarg);
			o->ping_interval_ms = (uint32_t)v;
			break;
		case O_PING_WAIT:
			if (!parse_u64(optarg, 1, 3600000, &v))
				return fail(err, errlen, "--ping-wait: expected milliseconds, got '%s'", optarg);
			o->ping_wait_ms = (uint32_t)v;
			break;
		case O_HOLD:
			if (!parse_seconds(optarg, 1e7, &o->hold_ms))
				return fail(err, errlen, "--hold: expected seconds, got '%s'", optarg);
			have_hold = true;
			break;
		case O_HOLD_FOREVER: o->hold_forever = true; break;
		case O_AUTH_GATE:
			if (!*optarg)
				return fail(err, errlen, "--auth-gate: expected a file name");
			o->auth_gate = optarg;
			break;
		case O_DHCP_INFORM: o->dhcp_inform = true; break;
		case O_IPV6_RA: o->ipv6_ra = true; break;
		case O_TUN: o->tun = optarg; break;
		case O_NO_IPCP: o->no_ipcp = true; break;
		case O_DHCP_TYPE:
			if (!strcmp(optarg, "inform"))
				o->dhcp_type = 8;
			else if (!strcmp(optarg, "discover"))
				o->dhcp_type = 1;
			else if (!strcmp(optarg, "request"))
				o->dhcp_type = 3;
			else
				return fail(err, errlen, "--dhcp-type: expected inform, discover or request, got '%s'", optarg);
			break;
		case O_SEPARATE: o->separate_ports = true; break;
		case O_JSON: o->json = true; break;
		case O_QUIET: o->quiet = true; break;
		case O_TIMEOUT:
			if (!parse_seconds(optarg, 1e7, &o->timeout_ms) || !o->timeout_ms)
				return fail(err, errlen, "--timeout: expected seconds > 0, got '%s'", optarg);
			break;
		case O_CLOSE_TIMEOUT:
			if (!parse_seconds(optarg, 1e7, &o->close_timeout_ms))
				return fail(err, errlen, "--close-timeout: expected seconds, got '%s'", optarg);
			break;
		case O_LCP_ECHO: {
			uint64_t ms;

			if (!parse_seconds(optarg, 86400, &ms))
				return fail(err, errlen, "--lcp-echo: expected seconds (0: off), got '%s'", optarg);
			o->lcp_echo_interval_ms = (uint32_t)ms;
			break;
		}
		case O_REPORT_ECHOES:
			if (!parse_u64(optarg, 1, 1000000, &v))
				return fail(err, errlen, "--report-echoes: expected a count >= 1, got '%s'", optarg);
			o->report_echoes = (uint32_t)v;
			break;
		case O_HELP:
		case 'h':
			return OPTS_HELP;
		default:
			if (optopt >= O_SERVER)
				return fail(err, errlen, "option %s needs a value", argv[optind - 1]);
			return fail(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (!server)
		return fail(err, errlen, "--server is required");
	if (!parse_addr(server, (uint16_t)port, &o->server, &o->server_len))
		return fail(err, errlen, "--server: not an IPv4 or IPv6 address: '%s'", server);
	if (bind_addr) {
		if (!parse_addr(bind_addr, o->local_port, &o->bind, &o->bind_len))
			return fail(err, errlen, "--bind: not an IPv4 or IPv6 address: '%s'", bind_addr);
		if (o->bind.ss_family != o->server.ss_family)
			return fail(err, errlen, "--bind and --server are of different address families");
		o->has_bind = true;
	} else {
		/* the wildcard address of the server's family */
		memset(&o->bind, 0, sizeof(o->bind));
		o->bind.ss_family = o->server.ss_family;
		o->bind_len = o->server_len;
		set_port(&o->bind, o->local_port);
	}
	if (!o->user || !o->password)
		return fail(err, errlen, "--user and --password are required");
	if (strlen(o->user) > 200 || strlen(o->password) > 200)
		return fail(err, errlen, "--user and --password are limited to 200 characters");
	o->templated = strstr(o->user, "{n}") || strstr(o->password, "{n}");
	if (o->separate_ports && o->local_port)
		return fail(err, errlen, "--separate-ports gives each tunnel its own ephemeral port: drop --local-port");
	if (ping) {
		struct in_addr a;

		if (inet_pton(AF_INET, ping, &a) != 1)
			return fail(err, errlen, "--ping: not an IPv4 address: '%s'", ping);
		o->ping = true;
		o->ping_dst = ntohl(a.s_addr);
		/* like ping -c N -w W: ask once per interval until N replies
		 * came back or W ms passed; sequence numbers stay below this */
		v = (uint64_t)o->ping_count + o->ping_wait_ms / o->ping_interval_ms;
		o->ping_max_requests = (uint32_t)(v > 65535 ? 65535 : v);
	}
	if (o->dhcp_type && !o->dhcp_inform)
		return fail(err, errlen, "--dhcp-type needs --dhcp-inform");
	if (!o->dhcp_type)
		o->dhcp_type = 8;	/* DHCPINFORM */
	if ((o->dhcp_inform || o->ipv6_ra) && !ping) {
		/* the INFORM is asked again at the ping interval, until the
		 * ping wait: the same bounds without echo requests */
		v = o->ping_wait_ms / o->ping_interval_ms + 1;
		o->ping_max_requests = (uint32_t)(v > 65535 ? 65535 : v);
	}
	/* an IPv6-only client: the session is up when IPV6CP opens, and
	 * what it waits for then is the RA; nothing of IPv4 can be asked */
	if (o->no_ipcp && (!o->ipv6_ra || ping || o->dhcp_inform))
		return fail(err, errlen, "--no-ipcp needs --ipv6-ra, and no --ping or --dhcp-inform");
	if (o->tun && (!o->ipv6_ra || o->sessions != 1))
		return fail(err, errlen, "--tun carries one session's IPv6: it needs --ipv6-ra and one session");
	if (o->tun && (strlen(o->tun) == 0 || strlen(o->tun) >= 16))
		return fail(err, errlen, "--tun: not an interface name: '%s'", o->tun);
	/* PEAP without a CA to check the server against would hand the
	 * password to whoever answers (RFC 5216 5.3) */
	if (o->peap && !o->ca_file)
		return fail(err, errlen, "--auth peap needs --ca FILE: the CA of the server's certificate");
	if (!o->peap && (o->ca_file || o->server_name))
		return fail(err, errlen, "--ca and --server-name are for --auth peap");
	if (have_hold && o->hold_forever)
		return fail(err, errlen, "--hold and --hold-forever exclude each other");
	if (o->report_echoes && (!(have_hold || o->hold_forever) || !o->lcp_echo_interval_ms))
		return fail(err, errlen, "--report-echoes needs --hold or --hold-forever and --lcp-echo > 0");

	/* Sessions, tunnels, sessions per tunnel: any two decide the third;
	 * sessions go to the tunnels in turn (round robin). */
	if (have_tunnels && have_per_tunnel && !have_sessions) {
		uint64_t n = (uint64_t)o->tunnels * o->per_tunnel;

		if (n > MAX_SESSIONS)
			return fail(err, errlen, "--tunnels x --sessions-per-tunnel exceeds %u sessions", MAX_SESSIONS);
		o->sessions = (uint32_t)n;
	} else if (have_tunnels && !have_per_tunnel) {
		o->per_tunnel = (o->sessions + o->tunnels - 1) / o->tunnels;
	} else if (!have_tunnels && have_per_tunnel) {
		o->tunnels = (o->sessions + o->per_tunnel - 1) / o->per_tunnel;
		if (o->tunnels > MAX_TUNNELS)
			return fail(err, errlen, "that needs more than %u tunnels", MAX_TUNNELS);
	} else if (!have_tunnels && !have_per_tunnel) {
		o->tunnels = 1;
		o->per_tunnel = o->sessions;
		if (o->per_tunnel > MAX_PER_TUNNEL)
			return fail(err, errlen, "more than %u sessions need --tunnels or --sessions-per-tunnel", MAX_PER_TUNNEL);
	}
	if (o->tunnels > o->sessions)
		return fail(err, errlen, "--tunnels %u is more than --sessions %u: every tunnel carries at least one session",
			    o->tunnels, o->sessions);
	if ((uint64_t)o->tunnels * o->per_tunnel < o->sessions)
		return fail(err, errlen, "%u sessions do not fit in %u tunnels of %u sessions",
			    o->sessions, o->tunnels, o->per_tunnel);
	return OPTS_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Addresses, method and tunnel names, reasons and their client codes. */
#include "policy_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

bool policy_ip_parse(const char *s, struct policy_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, ip->bytes) != 1)
			return false;
		ip->family = AF_INET6;
		return true;
	}
	if (inet_pton(AF_INET, s, ip->bytes) != 1)
		return false;
	ip->family = AF_INET;
	return true;
}

static unsigned max_len(const struct policy_ip *ip)
{
	return ip->family == AF_INET ? 32 : 128;
}

bool policy_prefix_parse(const char *s, struct policy_prefix *pfx)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	char *end;

	memset(pfx, 0, sizeof(*pfx));
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!policy_ip_parse(buf, &pfx->ip))
		return false;
	if (!slash) {
		pfx->len = (uint8_t)max_len(&pfx->ip);
		return true;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end || len > max_len(&pfx->ip))
		return false;
	pfx->len = (uint8_t)len;
	/* host bits must be zero: "192.0.2.1/24" is a typo, say so */
	for (unsigned i = pfx->len; i < max_len(&pfx->ip); i++)
		if (pfx->ip.bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool policy_prefix_contains(const struct policy_prefix *pfx,
			    const struct policy_ip *ip)
{
	unsigned full, rest;

	if (pfx->ip.family != ip->family || ip->family == 0)
		return false;
	full = pfx->len / 8;
	rest = pfx->len % 8;
	if (memcmp(pfx->ip.bytes, ip->bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));
		if ((pfx->ip.bytes[full] & m) != (ip->bytes[full] & m))
			return false;
	}
	return true;
}

char *policy_ip_format(const struct policy_ip *ip, char *buf, size_t len)
{
	if (!ip->family || !inet_ntop(ip->family, ip->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

char *policy_prefix_format(const struct policy_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", policy_ip_format(&p->ip, a, sizeof(a)), p->len);
	return buf;
}

int policy_ip_cmp(const struct policy_ip *a, const struct policy_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, 16);
}

static const char *const auth_names[] = { "pap", "chap", "mschapv2", "eap" };

const char *policy_auth_name(uint32_t one)
{
	for (unsigned i = 0; i < 4; i++)
		if (one == 1u << i)
			return auth_names[i];
	return "none";
}

uint32_t policy_auth_parse(const char *s)
{
	for (unsigned i = 0; i < 4; i++)
		if (strcasecmp(s, auth_names[i]) == 0)
			return 1u << i;
	if (strcasecmp(s, "ms-chap-v2") == 0 || strcasecmp(s, "mschap-v2") == 0)
		return POLICY_AUTH_MSCHAPV2;
	return 0;
}

char *policy_auth_format(uint32_t mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 4; i++) {
		if (!(mask & (1u << i)))
			continue;
		int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				 auth_names[i]);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	if (!mask)
		snprintf(buf, len, "none");
	return buf;
}

static const char *const tunnel_names[] = {
	[POLICY_TUNNEL_UNKNOWN] = "unknown",
	[POLICY_TUNNEL_L2TP] = "l2tp",
	[POLICY_TUNNEL_PPTP] = "pptp",
	[POLICY_TUNNEL_PPPOE] = "pppoe",
	[POLICY_TUNNEL_SSTP] = "sstp",
	[POLICY_TUNNEL_IKEV2] = "ikev2",
};

const char *policy_tunnel_name(enum policy_tunnel t)
{
	if ((unsigned)t < sizeof(tunnel_names) / sizeof(tunnel_names[0]))
		return tunnel_names[t];
	return "unknown";
}

enum policy_tunnel policy_tunnel_parse(const char *s)
{
	for (unsigned i = 1; i < sizeof(tunnel_names) / sizeof(tunnel_names[0]); i++)
		if (strcasecmp(s, tunnel_names[i]) == 0)
			return (enum policy_tunnel)i;
	return POLICY_TUNNEL_UNKNOWN;
}

/*
 * Reasons and what the client is told. MS-CHAPv2 Failure "E=" codes are
 * Windows error numbers (RFC 2759 section 6); L2TP CDN Result Codes are from
 * RFC 2661 section 4.4.2: 3 = "disconnected for administrative reasons",
 * 4 = "temporary lack of resources", 5 = "permanent lack of resources".
 */
static const struct {
	const char *name;
	const char *text;
	int mschap;
	int l2tp;
} reasons[POLICY_REASON__COUNT] = {
	[POLICY_GRANTED] = { "granted", "access granted", 0, 0 },
	[POLICY_DENY_UNKNOWN_USER] = { "unknown-user", "no such user", 691, 3 },
	[POLICY_DENY_ACCOUNT_DISABLED] = { "account-disabled", "the account is disabled", 647, 3 },
	[POLICY_DENY_PASSWORD_EXPIRED] = { "password-expired", "the password has expired", 648, 3 },
	[POLICY_DENY_USER_DIAL_IN] = { "user-dial-in-deny", "the user's dial-in permission is deny", 649, 3 },
	[POLICY_DENY_NO_MATCHING_POLICY] = { "no-matching-policy", "no policy matches this connection", 649, 3 },
	[POLICY_DENY_OUTSIDE_HOURS] = { "outside-hours", "outside the allowed days and hours", 646, 3 },
	[POLICY_DENY_POLICY] = { "policy-deny", "the matching policy denies access", 649, 3 },
	[POLICY_DENY_AUTH_METHOD] = { "auth-method-not-allowed", "the authentication method used is not allowed by the profile", 649, 3 },
	[POLICY_DENY_AUTH_DISABLED] = { "auth-method-disabled", "the profile allows only authentication methods disabled on this server", 649, 3 },
	[POLICY_DENY_NO_COMMON_AUTH] = { "no-common-auth-method", "no authentication method to offer", 649, 3 },
	[POLICY_DENY_TOO_MANY_SESSIONS] = { "too-many-sessions", "the user has the maximum number of sessions", 649, 4 },
	[POLICY_DENY_POOL_EXHAUSTED] = { "pool-exhausted", "no free address in the pool", 649, 4 },
	[POLICY_DENY_NO_ADDRESS] = { "no-address", "no address pool or static address for this session", 649, 5 },
	[POLICY_DENY_CONDITION_ERROR] = { "condition-error", "a policy condition could not be evaluated", 649, 3 },
};

const char *policy_reason_name(enum policy_reason r)
{
	return (unsigned)r < POLICY_REASON__COUNT ? reasons[r].name : "invalid";
}

const char *policy_reason_text(enum policy_reason r)
{
	return (unsigned)r < POLICY_REASON__COUNT ? reasons[r].text : "invalid";
}

int policy_reason_mschap_error(enum policy_reason r)
{
	return (unsigned)r < POLICY_REASON__COUNT ? reasons[r].mschap : 691;
}

int policy_reason_l2tp_result(enum policy_reason r)
{
	return (unsigned)r < POLICY_REASON__COUNT ? reasons[r].l2tp : 2;
}

const char *policy_addr_source_name(enum policy_addr_source s)
{
	switch (s) {
	case POLICY_SRC_USER_STATIC: return "user static";
	case POLICY_SRC_PROFILE_STATIC: return "profile static";
	case POLICY_SRC_PROFILE_POOL: return "profile pool";
	case POLICY_SRC_SERVER_POOL: return "server pool";
	case POLICY_SRC_EXTERNAL: return "external";
	case POLICY_SRC_NONE: break;
	}
	return "none";
}

static const char *const errnames[POLICY_ERR__COUNT] = {
	[POLICY_OK] = "ok",
	[POLICY_ERR_IO] = "io",
	[POLICY_ERR_SYNTAX] = "syntax",
	[POLICY_ERR_STRING] = "string",
	[POLICY_ERR_BYTE] = "byte",
	[POLICY_ERR_NESTING] = "nesting",
	[POLICY_ERR_DUPLICATE] = "duplicate",
	[POLICY_ERR_INCLUDE] = "include",
	[POLICY_ERR_UNKNOWN_KEY] = "unknown-key",
	[POLICY_ERR_VALUE] = "value",
	[POLICY_ERR_REFERENCE] = "reference",
	[POLICY_ERR_PATTERN] = "pattern",
	[POLICY_ERR_MISSING] = "missing",
	[POLICY_ERR_CONFLICT] = "conflict",
	[POLICY_ERR_NOMEM] = "nomem",
};

const char *policy_errcode_name(enum policy_errcode code)
{
	return (unsigned)code < POLICY_ERR__COUNT ? errnames[code] : "invalid";
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl policy check FILE
 * l2tpctl policy test [--json] [--time T] [--leased POOL=N|daemon]... FILE key=value...
 * l2tpctl policy hash [--iterations N]
 *
 * All offline: they load the file themselves, as the daemon would, and
 * never change a running daemon or its leases (`--leased daemon` only
 * reads its lease counts).
 */
#include "commands.h"
#include "policy_cmd.h"
#include "ppp/mschap.h"
#include "ppp/secret.h"
#include "text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int l2tpctl_policy_set_leased(policy_t *p, const char *name, uint64_t n, char *err,
			      size_t errlen)
{
	struct policy_pool_stats st;
	struct policy_ip ip;
	int idx = policy_pool_find(p, name);

	if (idx < 0) {
		snprintf(err, errlen, "--leased: no pool '%s' in the file", SAFE_STR(name));
		return -1;
	}
	if (policy_pool_dhcp(p, (unsigned)idx, &(struct policy_dhcp_pool){0})) {
		/* its addresses exist only in the daemon: nothing to mark */
		snprintf(err, errlen, "--leased: pool '%s' is a DHCP pool: its addresses are "
			 "the DHCP server's, a dry run cannot use them up", SAFE_STR(name));
		return -1;
	}
	policy_pool_stats(p, (unsigned)idx, &st);
	if (n > st.size4 - st.reserved4 - st.in_use4) {
		snprintf(err, errlen, "--leased: pool '%s' has %llu IPv4 addresses free, not %llu",
			 SAFE_STR(name), (unsigned long long)(st.size4 - st.reserved4 - st.in_use4),
			 (unsigned long long)n);
		return -1;
	}
	/* the pool's own allocator, so the dry run then shows the address
	 * the daemon would hand out next (the lowest free one) */
	for (uint64_t i = 0; i < n; i++)
		if (policy_pool_lease(p, (unsigned)idx, AF_INET, &ip) != 0)
			return -1;
	return 0;
}

int l2tpctl_policy_parse_query(policy_t *p, int argc, char **argv,
			       struct l2tpctl_query *q, char *err, size_t errlen)
{
	struct policy_request *r = &q->req;

	memset(q, 0, sizeof(*q));
	r->tunnel = POLICY_TUNNEL_L2TP;
	r->auth_method = 0;
	r->groups = q->groups;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *key = argv[i], *val;
		size_t kl;

		/* --leased POOL=N: N addresses of that pool are taken already
		 * (pool exhaustion tried offline); --leased daemon: the counts
		 * of the running daemon (applied by the caller) */
		if (strcmp(argv[i], "--leased") == 0) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			const char *e = v ? strchr(v, '=') : NULL;
			char name[128];
			uint32_t n;

			if (v && strcmp(v, "daemon") == 0) {
				q->leased_from_daemon = true;
				continue;
			}
			if (!e || (size_t)(e - v) >= sizeof(name) || parse_u32(e + 1, &n)) {
				snprintf(err, errlen, "expected POOL=N or daemon after --leased%s%s%s",
					 v ? ", got '" : "", v ? SAFE_STR(v) : "", v ? "'" : "");
				return -1;
			}
			memcpy(name, v, (size_t)(e - v));
			name[e - v] = '\0';
			if (l2tpctl_policy_set_leased(p, name, n, err, errlen))
				return -1;
			continue;
		}
		/* --time T: the same as time=T (an option reads better in
		 * scripts that try a time window offline) */
		if (strcmp(argv[i], "--time") == 0) {
			if (i + 1 == argc) {
				snprintf(err, errlen, "expected a time after --time");
				return -1;
			}
			key = "time";
			kl = 4;
			val = argv[++i];
			goto have_key;
		}
		if (!eq) {
			snprintf(err, errlen, "expected key=value, got '%s'", argv[i]);
			return -1;
		}
		kl = (size_t)(eq - argv[i]);
		val = eq + 1;
have_key:
#define IS(k) (kl == strlen(k) && strncmp(key, k, kl) == 0)
		if (IS("user")) {
			r->user = val;
		} else if (IS("group")) {
			if (r->n_groups == L2TPCTL_MAX_GROUPS) {
				snprintf(err, errlen, "at most %d groups", L2TPCTL_MAX_GROUPS);
				return -1;
			}
			q->groups[r->n_groups++] = val;
		} else if (IS("peer") || IS("server")) {
			struct policy_ip *ip = IS("peer") ? &r->peer : &r->server;
			if (!policy_ip_parse(val, ip)) {
				snprintf(err, errlen, "expected an IP address for %.*s, got '%s'",
					 (int)kl, key, val);
				return -1;
			}
		} else if (IS("ike_identity") || IS("ike")) {
			r->ike_identity = val;
		} else if (IS("cert_subject") || IS("subject")) {
			r->cert_subject = val;
		} else if (IS("cert_issuer") || IS("issuer")) {
			r->cert_issuer = val;
		} else if (IS("tunnel")) {
			r->tunnel = policy_tunnel_parse(val);
			if (r->tunnel == POLICY_TUNNEL_UNKNOWN) {
				snprintf(err, errlen, "expected l2tp, pptp, pppoe, sstp or ikev2 "
					 "for tunnel, got '%s'", val);
				return -1;
			}
		} else if (IS("auth")) {
			r->auth_method = policy_auth_parse(val);
			if (!r->auth_method) {
				snprintf(err, errlen, "expected pap, chap, mschapv2 or eap for "
					 "auth, got '%s'", val);
				return -1;
			}
		} else if (IS("time")) {
			if (q->has_time) {
				snprintf(err, errlen, "time given twice");
				return -1;
			}
			if (!policy_parse_time(p, val, &r->now)) {
				snprintf(err, errlen, "expected time=YYYY-MM-DDTHH:MM (local to "
					 "the policy's time zone, or with Z for UTC), got '%s'", val);
				return -1;
			}
			q->has_time = true;
		} else if (IS("sessions")) {
			if (parse_u32(val, &r->sessions_in_use)) {
				snprintf(err, errlen, "expected a number for sessions, got '%s'", val);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown key '%.*s' (expected user, group, peer, "
				 "server, ike_identity, cert_subject, cert_issuer, tunnel, auth, "
				 "time, sessions)", (int)kl, key);
			return -1;
		}
#undef IS
	}
	if (!q->has_time)
		r->now = time(NULL);
	return 0;
}

/* Strip the trailing newline of a JSON object rendering. */
static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n'))
		s[--n] = '\0';
}

char *l2tpctl_policy_report(policy_t *p, const struct l2tpctl_query *q,
			    bool json, int *status)
{
	struct policy_request req = q->req;
	struct policy_explain xpre, xpost;
	struct policy_decision dec;
	char *pre = NULL, *post = NULL, *out = NULL;
	uint32_t offer;
	size_t len;

	policy_explain_init(&xpre);
	policy_explain_init(&xpost);
	offer = policy_pre_auth(p, &req, &xpre);
	*status = offer ? L2TPCTL_OK : L2TPCTL_DENIED;
	if (req.user) {
		/* no auth method given: assume MS-CHAPv2 (what Windows uses)
		 * unless something else and not it was offered */
		if (!req.auth_method)
			req.auth_method = (offer & POLICY_AUTH_MSCHAPV2) || !offer
						  ? POLICY_AUTH_MSCHAPV2 : (offer & -offer);
		policy_post_auth(p, &req, 0, &dec, &xpost);
		*status = dec.reason == POLICY_GRANTED ? L2TPCTL_OK : L2TPCTL_DENIED;
	}
	if (json) {
		pre = policy_format_json(p, offer, NULL, &xpre);
		if (req.user)
			post = policy_format_json(p, offer, &dec, &xpost);
	} else {
		pre = policy_format_text(p, offer, NULL, &xpre);
		if (req.user)
			post = policy_format_text(p, offer, &dec, &xpost);
	}
	if (!pre || (req.user && !post))
		goto done;
	len = strlen(pre) + (post ? strlen(post) : 0) + 128;
	out = malloc(len);
	if (!out)
		goto done;
	if (json) {
		chomp(pre);
		if (post)
			chomp(post);
		snprintf(out, len, "{\"pre_auth\":%s,\"post_auth\":%s}\n", pre,
			 post ? post : "null");
	} else {
		snprintf(out, len, "== before authentication ==\n%s%s%s", pre,
			 post ? "\n== after authentication ==\n" : "", post ? post : "");
	}
done:
	free(pre);
	free(post);
	policy_explain_free(&xpre);
	policy_explain_free(&xpost);
	return out;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The two lines a user's section takes: the NT hash (RFC 2759 8.3, what
 * MS-CHAPv2 and PAP need) and a salted PBKDF2-HMAC-SHA256 for PAP alone,
 * both computed by ppp-core, the one place that verifies them. */
char *l2tpctl_policy_hash_lines(const char *pw, size_t len, unsigned iterations)
{
	uint8_t nt[PPP_NT_HASH_LEN], salt[16], dk[PPP_PBKDF2_DK_LEN];
	char nth[2 * PPP_NT_HASH_LEN + 1], sh[2 * sizeof(salt) + 1], dkh[2 * sizeof(dk) + 1];
	char *out;
	size_t n = 400;

	if (iterations == 0)
		iterations = POLICY_PBKDF2_DEFAULT_ITER;
	if (ppp_nt_password_hash(pw, len, nt) < 0 ||
	    getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return NULL;
	ppp_pbkdf2_sha256(pw, len, iterations, salt, sizeof(salt), dk);
	hex(nt, sizeof(nt), nth);
	hex(salt, sizeof(salt), sh);
	hex(dk, sizeof(dk), dkh);
	explicit_bzero(nt, sizeof(nt));
	explicit_bzero(dk, sizeof(dk));
	out = malloc(n);
	if (out)
		snprintf(out, n,
			 "# paste into the user's section; the password itself is not stored\n"
			 "nt_hash = %s\npassword_hash = pbkdf2-sha256$%u$%s$%s\n",
			 nth, iterations, sh, dkh);
	explicit_bzero(nth, sizeof(nth));
	return out;
}

/* ---- subcommands ----------------------------------------------------------- */

static int load(const char *path, policy_t **p, FILE *out, FILE *err)
{
	struct policy_error e;

	if (policy_load(path, p, &e) != 0) {
		l2tpctl_fail(out, err, L2TPCTL_FAIL, "policy", "%s", e.msg);
		return -1;
	}
	return 0;
}

static void print_warning(const char *msg, void *ctx)
{
	fprintf(ctx, "warning: %s\n", msg);
}

static int cmd_check(int argc, char **argv, FILE *out, FILE *err)
{
	struct policy_counts c;
	policy_t *p;
	size_t warnings;

	if (argc != 1) {
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "usage: l2tpctl policy check FILE");
	}
	if (load(argv[0], &p, out, err))
		return L2TPCTL_FAIL;
	/* warnings do not fail the check: the daemon loads the file too */
	warnings = policy_warnings(p, print_warning, err);
	policy_get_counts(p, &c);
	if (l2tpctl_opts.json)	/* numbers only: the file name is the caller's */
		fprintf(out, "{\"ok\":true,\"users\":%zu,\"groups\":%zu,\"pools\":%zu,"
			"\"policies\":%zu,\"warnings\":%zu}\n", c.users, c.groups, c.pools,
			c.policies, warnings);
	else
		fprintf(out, "%s: OK: %zu users, %zu groups, %zu pools, %zu policies%s\n",
			argv[0], c.users, c.groups, c.pools, c.policies,
			warnings ? (warnings == 1 ? ", 1 warning" : ", warnings above") : "");
	policy_free(p);
	return L2TPCTL_OK;
}

/* --leased daemon: the running daemon's lease count of each pool (control
 * request "pools", l2tpd/daemon/ctl.c), applied by name to the file's
 * pools: the file may be the next version of the daemon's, tried before a
 * reload. A pool the file does not have is ignored; one that is smaller
 * in the file is counted full. */
static int leased_from_daemon(policy_t *p, FILE *err, char *msg, size_t msglen)
{
	char *text = NULL, *save = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	bool json = l2tpctl_opts.json;
	int rc;

	if (!mem) {
		snprintf(msg, msglen, "--leased daemon: out of memory");
		return -1;
	}
	l2tpctl_opts.json = false;	/* the text form, parsed below */
	rc = l2tpctl_request("pools", mem, err);
	l2tpctl_opts.json = json;
	fclose(mem);
	if (rc != L2TPCTL_OK) {
		free(text);
		snprintf(msg, msglen, "--leased daemon: no lease counts from l2tpd (above)");
		return -1;
	}
	/* "IN_USE SIZE RESERVED NAME" per pool with IPv4 addresses */
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long in_use, size, reserved;
		struct policy_pool_stats st;
		int off = 0, idx;

		if (sscanf(line, "%llu %llu %llu %n", &in_use, &size, &reserved, &off) != 3 ||
		    !off)
			continue;
		idx = policy_pool_find(p, line + off);
		if (idx < 0 || !policy_pool_stats(p, (unsigned)idx, &st) || !st.size4 ||
		    policy_pool_dhcp(p, (unsigned)idx, &(struct policy_dhcp_pool){0}))
			continue;
		if (in_use > st.size4 - st.reserved4 - st.in_use4)
			in_use = st.size4 - st.reserved4 - st.in_use4;
		if (l2tpctl_policy_set_leased(p, line + off, in_use, msg, msglen)) {
			free(text);
			return -1;
		}
	}
	free(text);
	return 0;
}

static int cmd_test(int argc, char **argv, FILE *out, FILE *err)
{
	struct l2tpctl_query q;
	bool json = l2tpctl_opts.json;
	char msg[300], *report;
	policy_t *p;
	int status;

	/* options before FILE, in any order; --time T and --leased X may
	 * also follow it (they go to the query parser, with FILE loaded) */
	char **opt = calloc((size_t)argc + 2, sizeof(*opt));
	int n_opt = 0;
	if (!opt)
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "no_memory",
				    "l2tpctl policy test: out of memory");
	bool have_time = false;
	for (;;) {
		if (argc > 0 && strcmp(argv[0], "--json") == 0) {
			json = true;
			argc--;
			argv++;
		} else if (argc > 1 && (strcmp(argv[0], "--leased") == 0 ||
					(strcmp(argv[0], "--time") == 0 && !have_time))) {
			have_time |= strcmp(argv[0], "--time") == 0;
			opt[n_opt++] = argv[0];
			opt[n_opt++] = argv[1];
			argc -= 2;
			argv += 2;
		} else {
			break;
		}
	}
	if (argc < 1) {
		free(opt);
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "usage: l2tpctl policy test [--json] [--time T] [--leased POOL=N]... "
				    "[--leased daemon] FILE [user=NAME] "
				    "[group=G]... [peer=IP] [server=IP] [ike_identity=ID] "
				    "[cert_subject=DN] [cert_issuer=DN] [tunnel=l2tp] [auth=mschapv2] "
				    "[time=T] [sessions=N]\n"
				    "  T: YYYY-MM-DDTHH:MM[:SS] in the policy's time zone, or with a\n"
				    "     trailing Z in UTC (e.g. --time 2026-12-06T03:00Z); default: now\n"
				    "  --leased POOL=N: N addresses of that pool are in use already;\n"
				    "  --leased daemon: as many as the running l2tpd has leased");
	}
	if (load(argv[0], &p, out, err)) {
		free(opt);
		return L2TPCTL_FAIL;
	}
	char **qargv = calloc((size_t)argc + (size_t)n_opt + 1, sizeof(*qargv));
	int qargc = 0, rc;
	if (!qargv) {
		free(opt);
		policy_free(p);
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "no_memory",
				    "l2tpctl policy test: out of memory");
	}
	for (int i = 0; i < n_opt; i++)
		qargv[qargc++] = opt[i];
	free(opt);
	for (int i = 1; i < argc; i++)
		qargv[qargc++] = argv[i];
	rc = l2tpctl_policy_parse_query(p, qargc, qargv, &q, msg, sizeof(msg));
	free(qargv);
	if (!rc && q.leased_from_daemon && leased_from_daemon(p, err, msg, sizeof(msg))) {
		policy_free(p);
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "daemon", "l2tpctl policy test: %s", msg);
	}
	if (rc) {
		policy_free(p);
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage", "l2tpctl policy test: %s", msg);
	}
	report = l2tpctl_policy_report(p, &q, json, &status);
	policy_free(p);
	if (!report) {
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "no_memory",
				    "l2tpctl policy test: out of memory");
	}
	fputs(report, out);
	free(report);
	return status;
}

/* Read a password: from the terminal without echo (twice, to catch typos),
 * or one line from a pipe. */
static int read_password(char *buf, size_t len, FILE *err)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	char again[512];
	size_t n;

	if (tty) {
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
			return -1;
		fprintf(err, "Password: ");
		fflush(err);
	}
	if (!fgets(buf, (int)len, stdin))
		buf[0] = '\0';
	if (tty) {
		fprintf(err, "Again: ");
		fflush(err);
		if (!fgets(again, sizeof(again), stdin))
			again[0] = '\0';
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		if (strcmp(buf, again) != 0) {
			explicit_bzero(again, sizeof(again));
			fprintf(err, "l2tpctl policy hash: the passwords differ\n");
			return -1;
		}
		explicit_bzero(again, sizeof(again));
	}
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0) {
		fprintf(err, "l2tpctl policy hash: empty password\n");
		return -1;
	}
	return 0;
}

static int cmd_hash(int argc, char **argv, FILE *out, FILE *err)
{
	uint32_t iterations = POLICY_PBKDF2_DEFAULT_ITER;
	char pw[512], *lines;

	if (argc == 2 && strcmp(argv[0], "--iterations") == 0) {
		if (parse_u32(argv[1], &iterations) || iterations < 1000) {
			return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
					    "l2tpctl policy hash: expected --iterations >= 1000");
		}
	} else if (argc != 0) {
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "usage: l2tpctl policy hash [--iterations N] < password");
	}
	if (read_password(pw, sizeof(pw), err)) {
		explicit_bzero(pw, sizeof(pw));
		return L2TPCTL_FAIL;
	}
	lines = l2tpctl_policy_hash_lines(pw, strlen(pw), iterations);
	explicit_bzero(pw, sizeof(pw));
	if (!lines) {
		return l2tpctl_fail(out, err, L2TPCTL_FAIL, "password",
				    "l2tpctl policy hash: the password is not valid UTF-8");
	}
	fputs(lines, out);
	free(lines);
	return L2TPCTL_OK;
}

static const struct l2tpctl_command policy_commands[] = {
	{ "check", "FILE", "validate a policy file", cmd_check },
	{ "test", "[--json] [--time T] [--leased POOL=N|daemon]... FILE key=value...",
	  "decide and explain a hypothetical login; T (YYYY-MM-DDTHH:MM, policy's zone, Z for "
	  "UTC) instead of now; --leased: addresses of a pool in use already (daemon: the "
	  "running l2tpd's)", cmd_test },
	{ "hash", "[--iterations N]", "read a password, print nt_hash and password_hash lines", cmd_hash },
};

int l2tpctl_policy(int argc, char **argv, FILE *out, FILE *err)
{
	size_t n = sizeof(policy_commands) / sizeof(policy_commands[0]);

	if (argc >= 1) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(argv[0], policy_commands[i].name) == 0)
				return policy_commands[i].run(argc - 1, argv + 1, out, err);
		if (l2tpctl_opts.json)
			return l2tpctl_fail(out, err, L2TPCTL_USAGE, "unknown_command",
					    "l2tpctl policy: unknown subcommand '%s'", argv[0]);
		fprintf(err, "l2tpctl policy: unknown subcommand '%s'\n", argv[0]);
	} else if (l2tpctl_opts.json) {
		return l2tpctl_fail(out, err, L2TPCTL_USAGE, "usage",
				    "usage: l2tpctl policy check|test|hash ...");
	}
	fprintf(err, "usage:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(err, "  l2tpctl policy %s %s\n      %s\n", policy_commands[i].name,
			policy_commands[i].args, policy_commands[i].help);
	return L2TPCTL_USAGE;
}

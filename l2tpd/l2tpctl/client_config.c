/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl client-config windows|apple|networkmanager|android: a ready
 * profile for the built-in L2TP/IPsec client, from the server's
 * swanctl.conf (docs/clients.md). Offline: no daemon needed.
 */
#include "commands.h"

#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "client_ipsec.h"
#include "client_profiles.h"

#define DEFAULT_SWANCTL "/etc/swanctl/swanctl.conf"

static const struct {
	const char *kind;
	int (*write)(FILE *out, const struct client_profile *p, const struct client_ipsec *ipsec,
		     char *err, size_t errlen);
} kinds[] = {
	{ "windows", client_profile_windows },
	{ "apple", client_profile_apple },
	{ "networkmanager", client_profile_networkmanager },
	{ "android", client_profile_android },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: l2tpctl client-config windows|apple|networkmanager|android --server ADDRESS\n"
		"         [--name NAME] [--user USER] [--swanctl FILE] [--connection NAME]\n"
		"         [--ipsec psk|cert] [--split-tunnel] [--all-users] [--server-behind-nat]\n"
		"         [--identity FILE.p12] [--client-ca FILE --client-cert FILE --client-key FILE]\n"
		"\n"
		"Prints a profile for the client built into each system, from the L2TP/IPsec\n"
		"connection in the server's swanctl.conf (default " DEFAULT_SWANCTL "):\n"
		"  windows         a PowerShell Add-VpnConnection command\n"
		"  apple           a .mobileconfig for macOS and iOS\n"
		"  networkmanager  a NetworkManager-l2tp keyfile (Linux)\n"
		"  android         the settings to type on Android 11 and older\n"
		"--server is the address or DNS name clients dial (with certificates: a name\n"
		"in the server certificate's subjectAltName). With a pre-shared key the\n"
		"output contains the key: hand it over like a password.\n");
}

int l2tpctl_client_config(int argc, char **argv, FILE *out, FILE *err)
{
	enum { O_SERVER = 1, O_NAME, O_USER, O_SWANCTL, O_CONNECTION, O_IPSEC, O_SPLIT, O_ALL,
	       O_NAT, O_IDENTITY, O_CA, O_CERT, O_KEY, O_HELP };
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, O_SERVER },
		{ "name", required_argument, NULL, O_NAME },
		{ "user", required_argument, NULL, O_USER },
		{ "swanctl", required_argument, NULL, O_SWANCTL },
		{ "connection", required_argument, NULL, O_CONNECTION },
		{ "ipsec", required_argument, NULL, O_IPSEC },
		{ "split-tunnel", no_argument, NULL, O_SPLIT },
		{ "all-users", no_argument, NULL, O_ALL },
		{ "server-behind-nat", no_argument, NULL, O_NAT },
		{ "identity", required_argument, NULL, O_IDENTITY },
		{ "client-ca", required_argument, NULL, O_CA },
		{ "client-cert", required_argument, NULL, O_CERT },
		{ "client-key", required_argument, NULL, O_KEY },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct client_profile p = { 0 };
	struct client_ipsec ipsec;
	const char *swanctl = DEFAULT_SWANCTL, *connection = NULL, *auth = NULL;
	char name[300], msg[1024];
	int (*write)(FILE *, const struct client_profile *, const struct client_ipsec *, char *,
		     size_t) = NULL;
	int c;

	/* argv[0] is the kind; getopt starts after it */
	if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "help")) {
		usage(argc < 1 ? err : out);
		return argc < 1 ? L2TPCTL_USAGE : L2TPCTL_OK;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[0], kinds[i].kind))
			write = kinds[i].write;
	if (!write) {
		fprintf(err, "l2tpctl client-config: unknown client '%s' "
			     "(windows, apple, networkmanager, android)\n", argv[0]);
		return L2TPCTL_USAGE;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_SERVER: p.server = optarg; break;
		case O_NAME: p.name = optarg; break;
		case O_USER: p.user = optarg; break;
		case O_SWANCTL: swanctl = optarg; break;
		case O_CONNECTION: connection = optarg; break;
		case O_IPSEC: auth = optarg; break;
		case O_SPLIT: p.split_tunnel = true; break;
		case O_ALL: p.all_users = true; break;
		case O_NAT: p.server_behind_nat = true; break;
		case O_IDENTITY: p.identity_p12 = optarg; break;
		case O_CA: p.client_ca = optarg; break;
		case O_CERT: p.client_cert = optarg; break;
		case O_KEY: p.client_key = optarg; break;
		case O_HELP: usage(out); return L2TPCTL_OK;
		default:
			fprintf(err, "l2tpctl client-config: bad option '%s'\n", argv[optind - 1]);
			usage(err);
			return L2TPCTL_USAGE;
		}
	}
	if (optind != argc || !p.server || !p.server[0]) {
		fprintf(err, "l2tpctl client-config: %s\n",
			optind != argc ? "unexpected argument" : "--server ADDRESS is required");
		usage(err);
		return L2TPCTL_USAGE;
	}
	if (!p.name) {
		snprintf(name, sizeof(name), "VPN %s", p.server);
		p.name = name;
	}
	if (client_ipsec_find(swanctl, connection, auth, &ipsec, msg, sizeof(msg)) != 0) {
		fprintf(err, "l2tpctl client-config: %s\n", msg);
		return L2TPCTL_FAIL;
	}
	if (ipsec.auth == CLIENT_IPSEC_CERT && ipsec.server_id[0] &&
	    strcmp(ipsec.server_id, p.server) != 0)
		fprintf(err, "l2tpctl client-config: note: the server's IKE identity is '%s'; "
			     "its certificate must also name '%s' in a subjectAltName\n",
			ipsec.server_id, p.server);
	if (write(out, &p, &ipsec, msg, sizeof(msg)) != 0) {
		fprintf(err, "l2tpctl client-config: %s\n", msg);
		return L2TPCTL_FAIL;
	}
	return fflush(out) == 0 ? L2TPCTL_OK : L2TPCTL_FAIL;
}

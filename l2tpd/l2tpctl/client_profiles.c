/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The four client profiles of l2tpctl client-config (client_profiles.h).
 * Each writer quotes for its own format: PowerShell single quotes, XML
 * character references in the Apple plist, GKeyFile escapes in the
 * NetworkManager keyfile. The sources of the keys are cited per writer.
 */
#include "client_profiles.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

/* Our namespace for name-based UUIDs (RFC 4122 section 4.3): fixed once. */
static const uint8_t uuid_namespace[16] = {
	0x5b, 0x1e, 0x2c, 0x6a, 0x0d, 0x47, 0x4f, 0x3e,
	0x9a, 0x61, 0x7c, 0x2f, 0x48, 0xd0, 0x13, 0xb5,
};

void client_profile_uuid(char out[37], const char *a, const char *b, const char *c)
{
	struct sha1_ctx ctx;
	uint8_t d[SHA1_DIGEST_SIZE];

	sha1_init(&ctx);
	sha1_update(&ctx, sizeof(uuid_namespace), uuid_namespace);
	sha1_update(&ctx, strlen(a) + 1, (const uint8_t *)a);
	sha1_update(&ctx, strlen(b) + 1, (const uint8_t *)b);
	sha1_update(&ctx, strlen(c) + 1, (const uint8_t *)c);
	sha1_digest(&ctx, sizeof(d), d);
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);	/* version 5 */
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, 37,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11],
		 d[12], d[13], d[14], d[15]);
}

/* ---- quoting ---- */

/* PowerShell: inside '...' only ' is special, written twice. */
static void ps_quote(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', out);
		fputc(*s, out);
	}
	fputc('\'', out);
}

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* GKeyFile values: \s for a leading space, \n \t \r \\ (GLib's key files). */
static void keyfile_value(FILE *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case ' ': fputs(p == s ? "\\s" : " ", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		default: fputc(*p, out);
		}
	}
}

/* Values we write into profiles come from the administrator; still, a
 * control character would break every one of these formats. */
static int check_text(const char *what, const char *s, char *err, size_t errlen)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "%s contains a control character", what);
			return -1;
		}
	return 0;
}

static int check_profile(const struct client_profile *p, char *err, size_t errlen)
{
	if (check_text("--name", p->name, err, errlen) ||
	    check_text("--server", p->server, err, errlen) ||
	    (p->user && check_text("--user", p->user, err, errlen)))
		return -1;
	return 0;
}

/* ---- files ---- */

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	uint8_t *b;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap >= (1u << 20)) {	/* certificates are small */
			free(b);
			b = NULL;
			errno = EFBIG;
			break;
		}
		uint8_t *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	fclose(f);
	if (!b) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* base64 in lines of 64 characters, each indented (plist <data>). */
static void base64_lines(FILE *out, const uint8_t *p, size_t n, const char *indent)
{
	char line[BASE64_ENCODE_RAW_LENGTH(48) + 1];

	for (size_t off = 0; off < n; off += 48) {
		size_t chunk = n - off < 48 ? n - off : 48;

		base64_encode_raw(line, chunk, p + off);
		line[BASE64_ENCODE_RAW_LENGTH(chunk)] = '\0';
		fprintf(out, "%s%s\n", indent, line);
	}
}

/* A certificate file (PEM or DER) as DER. */
static int read_cert_der(const char *path, uint8_t **der, size_t *len, char *err, size_t errlen)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	struct base64_decode_ctx ctx;
	uint8_t *buf, *out;
	char *b, *e;
	size_t n, dst;

	if (read_file(path, &buf, &n, err, errlen))
		return -1;
	b = memmem(buf, n, begin, sizeof(begin) - 1);
	if (!b) {		/* DER already */
		*der = buf;
		*len = n;
		return 0;
	}
	b += sizeof(begin) - 1;
	e = memmem(b, n - (size_t)((uint8_t *)b - buf), end, sizeof(end) - 1);
	out = e ? malloc(BASE64_DECODE_LENGTH((size_t)(e - b)) + 1) : NULL;
	if (!out) {
		free(buf);
		snprintf(err, errlen, "%s: not a PEM certificate", path);
		return -1;
	}
	base64_decode_init(&ctx);
	dst = BASE64_DECODE_LENGTH((size_t)(e - b)) + 1;
	{
		/* nettle's decoder skips white space */
		int ok = base64_decode_update(&ctx, &dst, out, (size_t)(e - b), b) &&
			 base64_decode_final(&ctx);

		free(buf);
		if (!ok || dst == 0) {
			free(out);
			snprintf(err, errlen, "%s: the PEM certificate does not decode", path);
			return -1;
		}
	}
	*der = out;
	*len = dst;
	return 0;
}

/* ---- Windows: Add-VpnConnection (VpnClient module, Windows 8.1 and later) ---- */

int client_profile_windows(FILE *out, const struct client_profile *p,
			   const struct client_ipsec *ipsec, char *err, size_t errlen)
{
	if (check_profile(p, err, errlen))
		return -1;
	fprintf(out, "# L2TP/IPsec connection '%s' to %s: run in PowerShell on the client\n",
		p->name, p->server);
	fprintf(out, "# (as administrator with -AllUserConnection). Written by l2tpctl client-config.\n");
	if (ipsec->auth == CLIENT_IPSEC_CERT) {
		fprintf(out, "# IPsec with certificates: the computer needs a certificate from the CA\n"
			     "# below in Local Computer > Personal (certlm.msc), and that CA in Trusted\n"
			     "# Root Certification Authorities, else error 766/13806.\n");
		if (ipsec->ca_file[0])
			fprintf(out, "#   CA on the server: %s\n", ipsec->ca_file);
		if (ipsec->server_id[0])
			fprintf(out, "# The server's certificate must name '%s' (the address dialled) in a\n"
				     "# subjectAltName, else error 13801; its IKE identity is '%s'.\n",
				p->server, ipsec->server_id);
	}
	if (p->server_behind_nat) {
		fprintf(out, "# The server is behind NAT: Windows needs this once, then a restart,\n"
			     "# else error 809.\n");
		fprintf(out, "New-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent' "
			     "-Name 'AssumeUDPEncapsulationContextOnSendRule' -PropertyType DWord -Value 2 -Force\n");
	}
	fprintf(out, "Add-VpnConnection -Name ");
	ps_quote(out, p->name);
	fprintf(out, " -ServerAddress ");
	ps_quote(out, p->server);
	/* Data encryption comes from IPsec: "Required" refuses to connect without
	 * it. The PPP authentication is MS-CHAPv2, what the server offers first. */
	fprintf(out, " -TunnelType L2tp -EncryptionLevel Required -AuthenticationMethod MSChapv2");
	if (ipsec->auth == CLIENT_IPSEC_PSK) {
		fprintf(out, " -L2tpPsk ");
		ps_quote(out, ipsec->psk);
	}
	if (p->split_tunnel)
		fprintf(out, " -SplitTunneling");
	if (p->all_users)
		fprintf(out, " -AllUserConnection");
	fprintf(out, " -RememberCredential -Force -PassThru\n");
	return 0;
}

/* ---- Apple: a configuration profile (.mobileconfig) for macOS and iOS ----
 * Keys from Apple's "VPN" payload reference (com.apple.vpn.managed: VPNType
 * L2TP, PPP and IPSec dictionaries), "Root" (com.apple.security.root) and
 * "PKCS #12" (com.apple.security.pkcs12) payloads, and the top level of a
 * configuration profile (PayloadType Configuration). */

static void plist_string(FILE *out, const char *indent, const char *key, const char *value)
{
	fprintf(out, "%s<key>%s</key>\n%s<string>", indent, key, indent);
	xml_text(out, value);
	fprintf(out, "</string>\n");
}

static void plist_int(FILE *out, const char *indent, const char *key, int value)
{
	fprintf(out, "%s<key>%s</key>\n%s<integer>%d</integer>\n", indent, key, indent, value);
}

static void plist_data(FILE *out, const char *indent, const char *key, const uint8_t *p,
		       size_t n)
{
	fprintf(out, "%s<key>%s</key>\n%s<data>\n", indent, key, indent);
	base64_lines(out, p, n, indent);
	fprintf(out, "%s</data>\n", indent);
}

/* The keys every payload has. */
static void payload_header(FILE *out, const char *indent, const char *type, const char *id,
			   const char *uuid, const char *display)
{
	plist_string(out, indent, "PayloadType", type);
	plist_int(out, indent, "PayloadVersion", 1);
	plist_string(out, indent, "PayloadIdentifier", id);
	plist_string(out, indent, "PayloadUUID", uuid);
	plist_string(out, indent, "PayloadDisplayName", display);
}

int client_profile_apple(FILE *out, const struct client_profile *p,
			 const struct client_ipsec *ipsec, char *err, size_t errlen)
{
	static const char I[] = "\t\t\t";
	uint8_t *ca = NULL, *p12 = NULL;
	size_t ca_len = 0, p12_len = 0;
	char uuid_top[37], uuid_vpn[37], uuid_ca[37], uuid_p12[37];
	char id[300];
	int rc = -1;

	if (check_profile(p, err, errlen))
		return -1;
	if (ipsec->auth == CLIENT_IPSEC_CERT) {
		if (!p->identity_p12) {
			snprintf(err, errlen, "an Apple profile for certificates needs the client's "
				 "identity: --identity FILE.p12 (its password is asked on the device)");
			return -1;
		}
		if (read_file(p->identity_p12, &p12, &p12_len, err, errlen))
			return -1;
		if (ipsec->ca_file[0] && read_cert_der(ipsec->ca_file, &ca, &ca_len, err, errlen))
			goto done;
	}
	client_profile_uuid(uuid_top, "apple", p->server, p->name);
	client_profile_uuid(uuid_vpn, "apple-vpn", p->server, p->name);
	client_profile_uuid(uuid_ca, "apple-ca", p->server, p->name);
	client_profile_uuid(uuid_p12, "apple-identity", p->server, p->name);
	snprintf(id, sizeof(id), "l2tpd.vpn.%s", p->server);

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
		     "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
		     "<plist version=\"1.0\">\n<dict>\n\t<key>PayloadContent</key>\n\t<array>\n");
	if (ca) {
		char ca_id[320];

		snprintf(ca_id, sizeof(ca_id), "%s.ca", id);
		fprintf(out, "\t\t<dict>\n");
		payload_header(out, I, "com.apple.security.root", ca_id, uuid_ca, "VPN CA");
		plist_data(out, I, "PayloadContent", ca, ca_len);
		fprintf(out, "\t\t</dict>\n");
	}
	if (p12) {
		char p12_id[320];

		snprintf(p12_id, sizeof(p12_id), "%s.identity", id);
		fprintf(out, "\t\t<dict>\n");
		payload_header(out, I, "com.apple.security.pkcs12", p12_id, uuid_p12,
			       "VPN identity");
		plist_data(out, I, "PayloadContent", p12, p12_len);
		fprintf(out, "\t\t</dict>\n");
	}
	{
		char vpn_id[320];

		snprintf(vpn_id, sizeof(vpn_id), "%s.l2tp", id);
		fprintf(out, "\t\t<dict>\n");
		payload_header(out, I, "com.apple.vpn.managed", vpn_id, uuid_vpn, p->name);
	}
	plist_string(out, I, "UserDefinedName", p->name);
	plist_string(out, I, "VPNType", "L2TP");
	fprintf(out, "%s<key>PPP</key>\n%s<dict>\n", I, I);
	plist_string(out, "\t\t\t\t", "CommRemoteAddress", p->server);
	if (p->user)
		plist_string(out, "\t\t\t\t", "AuthName", p->user);
	fprintf(out, "%s</dict>\n%s<key>IPSec</key>\n%s<dict>\n", I, I, I);
	if (ipsec->auth == CLIENT_IPSEC_PSK) {
		plist_string(out, "\t\t\t\t", "AuthenticationMethod", "SharedSecret");
		plist_string(out, "\t\t\t\t", "LocalIdentifierType", "KeyID");
		plist_data(out, "\t\t\t\t", "SharedSecret", (const uint8_t *)ipsec->psk,
			   strlen(ipsec->psk));
	} else {
		plist_string(out, "\t\t\t\t", "AuthenticationMethod", "Certificate");
		plist_string(out, "\t\t\t\t", "PayloadCertificateUUID", uuid_p12);
	}
	fprintf(out, "%s</dict>\n%s<key>IPv4</key>\n%s<dict>\n", I, I, I);
	/* OverridePrimary 1: all traffic through the VPN ("Send all traffic") */
	plist_int(out, "\t\t\t\t", "OverridePrimary", p->split_tunnel ? 0 : 1);
	fprintf(out, "%s</dict>\n\t\t</dict>\n\t</array>\n", I);
	payload_header(out, "\t", "Configuration", id, uuid_top, p->name);
	fprintf(out, "</dict>\n</plist>\n");
	rc = 0;
done:
	free(ca);
	free(p12);
	return rc;
}

/* ---- NetworkManager-l2tp: a keyfile for /etc/NetworkManager/system-connections ----
 * Keys of NetworkManager-l2tp 1.20 (Debian bookworm's network-manager-l2tp):
 * gateway, user, ipsec-enabled, machine-auth-type psk|tls, ipsec-psk (a
 * secret), machine-ca/-cert/-key, ipsec-remote-id, refuse-* for PPP. */

int client_profile_networkmanager(FILE *out, const struct client_profile *p,
				  const struct client_ipsec *ipsec, char *err, size_t errlen)
{
	char uuid[37];

	if (check_profile(p, err, errlen))
		return -1;
	if (ipsec->auth == CLIENT_IPSEC_CERT && (!p->client_cert || !p->client_key)) {
		snprintf(err, errlen, "a NetworkManager profile for certificates needs the paths "
			 "on the client: --client-cert FILE --client-key FILE [--client-ca FILE]");
		return -1;
	}
	client_profile_uuid(uuid, "networkmanager", p->server, p->name);
	fprintf(out, "# /etc/NetworkManager/system-connections/%s.nmconnection (mode 0600)\n",
		p->name);
	fprintf(out, "[connection]\nid=");
	keyfile_value(out, p->name);
	fprintf(out, "\nuuid=%s\ntype=vpn\nautoconnect=false\n\n[vpn]\n", uuid);
	fprintf(out, "service-type=org.freedesktop.NetworkManager.l2tp\ngateway=");
	keyfile_value(out, p->server);
	fprintf(out, "\n");
	if (p->user) {
		fprintf(out, "user=");
		keyfile_value(out, p->user);
		fprintf(out, "\n");
	}
	/* the password is asked at every connection (flag 2: not saved) */
	fprintf(out, "password-flags=2\n");
	/* MS-CHAPv2 only: what the server offers first, and the only method
	 * here that authenticates the server too */
	fprintf(out, "refuse-eap=yes\nrefuse-pap=yes\nrefuse-chap=yes\nrefuse-mschap=yes\n");
	fprintf(out, "ipsec-enabled=yes\n");
	if (ipsec->auth == CLIENT_IPSEC_PSK) {
		fprintf(out, "machine-auth-type=psk\nipsec-psk-flags=0\n");
	} else {
		fprintf(out, "machine-auth-type=tls\n");
		if (p->client_ca) {
			fprintf(out, "machine-ca=");
			keyfile_value(out, p->client_ca);
			fprintf(out, "\n");
		}
		fprintf(out, "machine-cert=");
		keyfile_value(out, p->client_cert);
		fprintf(out, "\nmachine-key=");
		keyfile_value(out, p->client_key);
		fprintf(out, "\n");
		if (ipsec->server_id[0]) {
			fprintf(out, "ipsec-remote-id=");
			keyfile_value(out, ipsec->server_id);
			fprintf(out, "\n");
		}
	}
	if (ipsec->auth == CLIENT_IPSEC_PSK) {
		fprintf(out, "\n[vpn-secrets]\nipsec-psk=");
		keyfile_value(out, ipsec->psk);
		fprintf(out, "\n");
	}
	fprintf(out, "\n[ipv4]\nmethod=auto\n");
	if (p->split_tunnel)
		fprintf(out, "never-default=true\n");
	fprintf(out, "\n[ipv6]\nmethod=auto\n");
	if (p->split_tunnel)
		fprintf(out, "never-default=true\n");
	return 0;
}

/* ---- Android's built-in client: the settings, step by step ---- */

int client_profile_android(FILE *out, const struct client_profile *p,
			   const struct client_ipsec *ipsec, char *err, size_t errlen)
{
	bool psk = ipsec->auth == CLIENT_IPSEC_PSK;

	if (check_profile(p, err, errlen))
		return -1;
	fprintf(out, "Android's built-in L2TP/IPsec client (Android 11 and older: Android 12\n"
		     "and later can no longer create L2TP/IPsec profiles, see docs/clients.md).\n\n");
	fprintf(out, "1. Settings > Network & internet > VPN > + (Add VPN profile)\n");
	fprintf(out, "2. Name:                   %s\n", p->name);
	fprintf(out, "3. Type:                   %s\n", psk ? "L2TP/IPSec PSK" : "L2TP/IPSec RSA");
	fprintf(out, "4. Server address:         %s\n", p->server);
	fprintf(out, "5. L2TP secret:            (not used: leave empty)\n");
	if (psk) {
		fprintf(out, "6. IPSec identifier:       (not used: leave empty)\n");
		fprintf(out, "7. IPSec pre-shared key:   %s\n", ipsec->psk);
	} else {
		fprintf(out, "6. IPSec user certificate: the client's certificate, installed first\n"
			     "                           (Settings > Security > Install a certificate)\n");
		fprintf(out, "7. IPSec CA certificate:   the CA that issued the server's certificate%s%s%s\n",
			ipsec->ca_file[0] ? " (" : "", ipsec->ca_file, ipsec->ca_file[0] ? ")" : "");
		fprintf(out, "   IPSec server certificate: (received from server)\n");
	}
	fprintf(out, "8. Show advanced options: leave as they are%s\n",
		p->split_tunnel ? "; Forwarding routes: the office networks (split tunnel)" : "");
	fprintf(out, "9. Save, tap the profile and log in%s%s%s with the user's password.\n",
		p->user ? " as '" : "", p->user ? p->user : "", p->user ? "'" : "");
	return 0;
}

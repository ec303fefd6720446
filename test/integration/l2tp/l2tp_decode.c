/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decode one L2TP datagram from a file and print what our codec makes of
 * it as one line of JSON, for test_l2tp_scapy.py, which builds packets
 * with scapy (a second, independent implementation of the wire format)
 * and checks that we agree, malformed packets included.
 *
 *   l2tp_decode [--data] [--secret S] FILE
 *
 * Byte strings are printed as lowercase hex, so no escaping is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_codec.h"

static void hex(const char *key, const uint8_t *p, size_t n)
{
	printf(", \"%s\": \"", key);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\"");
}

static void bytes(const char *key, struct l2tp_bytes b)
{
	hex(key, b.p, b.len);
}

static void header(const struct l2tp_header *h)
{
	printf(", \"header\": {\"control\": %s, \"has_length\": %s, \"has_seq\": %s, "
	       "\"has_offset\": %s, \"priority\": %s, \"length\": %u, \"tunnel_id\": %u, "
	       "\"session_id\": %u, \"ns\": %u, \"nr\": %u, \"offset_size\": %u, "
	       "\"hdr_len\": %u, \"frame_len\": %u}",
	       h->control ? "true" : "false", h->has_length ? "true" : "false",
	       h->has_seq ? "true" : "false", h->has_offset ? "true" : "false",
	       h->priority ? "true" : "false", h->length, h->tunnel_id, h->session_id, h->ns,
	       h->nr, h->offset_size, h->hdr_len, h->frame_len);
}

#define HAS(t) l2tp_msg_has(m, L2TP_AVP_##t)

static void message(const struct l2tp_msg *m)
{
	printf(", \"message\": {\"type\": %u, \"type_name\": \"%s\", \"zlb\": %s", m->type,
	       l2tp_msg_type_name(m->type), m->zlb ? "true" : "false");
	printf(", \"present\": [");
	for (unsigned t = 0, first = 1; t < L2TP_AVP_TYPE_MAX; t++) {
		if (m->present & L2TP_AVP_BIT(t)) {
			printf("%s%u", first ? "" : ", ", t);
			first = 0;
		}
	}
	printf("], \"hidden\": [");
	for (unsigned t = 0, first = 1; t < L2TP_AVP_TYPE_MAX; t++) {
		if (m->hidden & L2TP_AVP_BIT(t)) {
			printf("%s%u", first ? "" : ", ", t);
			first = 0;
		}
	}
	printf("], \"unknown_optional\": %u, \"vendor_avps\": %u, \"missing_avp\": %u, "
	       "\"unknown_avp_vendor\": %u, \"unknown_avp_type\": %u, \"bad_avp\": %u",
	       m->unknown_optional, m->vendor_avps, m->missing_avp, m->unknown_avp_vendor,
	       m->unknown_avp_type, m->bad_avp);
	if (HAS(RESULT_CODE)) {
		printf(", \"result_code\": %u", m->result_code);
		if (m->has_error_code)
			printf(", \"error_code\": %u", m->error_code);
		bytes("error_message", m->error_message);
	}
	if (HAS(PROTOCOL_VERSION))
		printf(", \"protocol_version\": [%u, %u]", m->protocol_version, m->protocol_revision);
	if (HAS(FRAMING_CAPABILITIES))
		printf(", \"framing_capabilities\": %u", m->framing_capabilities);
	if (HAS(BEARER_CAPABILITIES))
		printf(", \"bearer_capabilities\": %u", m->bearer_capabilities);
	if (HAS(TIE_BREAKER))
		hex("tie_breaker", m->tie_breaker, 8);
	if (HAS(FIRMWARE_REVISION))
		printf(", \"firmware_revision\": %u", m->firmware_revision);
	if (HAS(HOST_NAME))
		bytes("host_name", m->host_name);
	if (HAS(VENDOR_NAME))
		bytes("vendor_name", m->vendor_name);
	if (HAS(ASSIGNED_TUNNEL_ID))
		printf(", \"assigned_tunnel_id\": %u", m->assigned_tunnel_id);
	if (HAS(RECEIVE_WINDOW_SIZE))
		printf(", \"receive_window_size\": %u", m->receive_window_size);
	if (HAS(CHALLENGE))
		bytes("challenge", m->challenge);
	if (HAS(CHALLENGE_RESPONSE))
		hex("challenge_response", m->challenge_response, 16);
	if (HAS(ASSIGNED_SESSION_ID))
		printf(", \"assigned_session_id\": %u", m->assigned_session_id);
	if (HAS(CALL_SERIAL_NUMBER))
		printf(", \"call_serial_number\": %u", m->call_serial_number);
	if (HAS(BEARER_TYPE))
		printf(", \"bearer_type\": %u", m->bearer_type);
	if (HAS(FRAMING_TYPE))
		printf(", \"framing_type\": %u", m->framing_type);
	if (HAS(TX_CONNECT_SPEED))
		printf(", \"tx_connect_speed\": %u", m->tx_connect_speed);
	if (HAS(CALLING_NUMBER))
		bytes("calling_number", m->calling_number);
	if (HAS(CALLED_NUMBER))
		bytes("called_number", m->called_number);
	if (HAS(PROXY_AUTHEN_TYPE))
		printf(", \"proxy_authen_type\": %u", m->proxy_authen_type);
	if (HAS(PROXY_AUTHEN_NAME))
		bytes("proxy_authen_name", m->proxy_authen_name);
	if (HAS(PROXY_AUTHEN_ID))
		printf(", \"proxy_authen_id\": %u", m->proxy_authen_id);
	if (HAS(LAST_SENT_LCP_CONFREQ))
		bytes("last_sent_lcp_confreq", m->last_sent_lcp_confreq);
	if (HAS(ACCM))
		printf(", \"accm\": [%u, %u]", m->accm_send, m->accm_recv);
	printf("}");
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536];
	static struct l2tp_msg m;
	struct l2tp_secret secret = {NULL, 0};
	struct l2tp_header h;
	enum l2tp_reason r;
	const char *path = NULL;
	int data = 0;
	size_t n;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data")) {
			data = 1;
		} else if (!strcmp(argv[i], "--secret") && i + 1 < argc) {
			secret.p = (const uint8_t *)argv[++i];
			secret.len = strlen(argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path || !(f = fopen(path, "rb"))) {
		fprintf(stderr, "usage: l2tp_decode [--data] [--secret S] FILE\n");
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	r = data ? l2tp_data_header_parse(buf, n, &h) : l2tp_ctrl_header_parse(buf, n, &h);
	if (r != L2TP_OK) {
		printf("{\"stage\": \"header\", \"result\": \"%s\"}\n", l2tp_reason_name(r));
		return 0;
	}
	if (data) {
		printf("{\"stage\": \"data\", \"result\": \"ok\"");
		header(&h);
		hex("payload", buf + h.hdr_len, h.frame_len - h.hdr_len);
		printf("}\n");
		return 0;
	}
	r = l2tp_msg_decode(buf + h.hdr_len, h.frame_len - h.hdr_len, &secret, &m);
	printf("{\"stage\": \"message\", \"result\": \"%s\"", l2tp_reason_name(r));
	header(&h);
	if (!l2tp_reason_is_frame_error(r))
		message(&m);
	printf("}\n");
	return 0;
}

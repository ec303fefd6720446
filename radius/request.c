/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The attributes of Access-Requests and accounting records (request.h). */
#include "request.h"

#include <string.h>

#define SERVICE_TYPE_FRAMED	2	/* RFC 2865 5.6 */
#define FRAMED_PROTOCOL_PPP	1	/* RFC 2865 5.7 */
#define NAS_PORT_TYPE_VIRTUAL	5	/* RFC 2865 5.41 */
#define TUNNEL_TYPE_L2TP	3	/* RFC 2868 3.1 */
#define TUNNEL_MEDIUM_IPV4	1	/* RFC 2868 3.2 */
#define TUNNEL_MEDIUM_IPV6	2
#define TUNNEL_CLIENT_AUTH_ID	90	/* RFC 2868 3.9 */

static void put_opt_str(struct radius_writer *w, uint8_t type, const char *s)
{
	if (s && s[0])
		radius_put_str(w, type, s);
}

/* RFC 2868 3.1/3.2: Tag (0: unused) and a three-octet value. */
static void put_tagged_int(struct radius_writer *w, uint8_t type, uint32_t v)
{
	uint8_t b[4] = { 0, (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	radius_put(w, type, b, 4);
}

/* What the NAS and the session are: in every request and record. */
static void put_nas_session(struct radius_writer *w, const struct radius_nas_session *s)
{
	/* RFC 2865 section 4.1: NAS-IP-Address or NAS-Identifier (or both)
	 * MUST be present */
	if (!s->nas_ipv4 && !s->nas_ipv6 && !(s->nas_identifier && s->nas_identifier[0]))
		w->error = true;
	if (s->nas_ipv4)
		radius_put(w, RADIUS_NAS_IP_ADDRESS, &s->nas_ipv4, 4);
	if (s->nas_ipv6)
		radius_put(w, RADIUS_NAS_IPV6_ADDRESS, s->nas_ipv6, 16);
	put_opt_str(w, RADIUS_NAS_IDENTIFIER, s->nas_identifier);
	if (!s->user)		/* Accounting-On/Off: the NAS only */
		return;
	radius_put_u32(w, RADIUS_NAS_PORT, s->nas_port);
	radius_put_u32(w, RADIUS_NAS_PORT_TYPE, NAS_PORT_TYPE_VIRTUAL);
	radius_put_u32(w, RADIUS_SERVICE_TYPE, SERVICE_TYPE_FRAMED);
	radius_put_u32(w, RADIUS_FRAMED_PROTOCOL, FRAMED_PROTOCOL_PPP);
	put_opt_str(w, RADIUS_CALLING_STATION_ID, s->calling_station);
	put_opt_str(w, RADIUS_CALLED_STATION_ID, s->called_station);
	put_tagged_int(w, RADIUS_TUNNEL_TYPE, TUNNEL_TYPE_L2TP);
	if (s->tunnel_client_endpoint) {
		put_tagged_int(w, RADIUS_TUNNEL_MEDIUM_TYPE,
			       strchr(s->tunnel_client_endpoint, ':') ? TUNNEL_MEDIUM_IPV6
								       : TUNNEL_MEDIUM_IPV4);
		/* untagged: an address starts with a character above 0x1F */
		put_opt_str(w, RADIUS_TUNNEL_CLIENT_ENDPOINT, s->tunnel_client_endpoint);
	}
	put_opt_str(w, RADIUS_TUNNEL_SERVER_ENDPOINT, s->tunnel_server_endpoint);
	/* the IKE identity (a certificate's subject with certificates): "the
	 * name used by the tunnel initiator during the authentication phase
	 * of tunnel establishment" */
	put_opt_str(w, TUNNEL_CLIENT_AUTH_ID, s->ike_identity);
	put_opt_str(w, RADIUS_ACCT_SESSION_ID, s->acct_session_id);
}

/* EAP-Message in pieces of 253 (RFC 3579 section 3.1). */
static void put_eap(struct radius_writer *w, const uint8_t *eap, size_t len)
{
	if (len == 0) {
		w->error = true;
		return;
	}
	for (size_t off = 0; off < len; off += RADIUS_MAX_VALUE) {
		size_t n = len - off < RADIUS_MAX_VALUE ? len - off : RADIUS_MAX_VALUE;

		radius_put(w, RADIUS_EAP_MESSAGE, eap + off, n);
	}
}

int radius_put_access_request(struct radius_writer *w, const struct radius_nas_session *s,
			      const struct radius_credentials *c, const char *secret)
{
	uint8_t b[52];

	if (!s->user || !s->user[0]) {
		w->error = true;
		return -1;
	}
	radius_put_str(w, RADIUS_USER_NAME, s->user);
	switch (c->kind) {
	case RADIUS_AUTH_PAP:
		radius_put_user_password(w, c->password, c->password_len, secret);
		break;
	case RADIUS_AUTH_CHAP:
		/* RFC 2865 5.3: CHAP Ident and the 16-octet response; 5.40:
		 * the challenge in its own attribute */
		if (c->response_len != 16 || c->challenge_len == 0) {
			w->error = true;
			break;
		}
		b[0] = c->chap_id;
		memcpy(b + 1, c->response, 16);
		radius_put(w, RADIUS_CHAP_PASSWORD, b, 17);
		radius_put(w, RADIUS_CHAP_CHALLENGE, c->challenge, c->challenge_len);
		break;
	case RADIUS_AUTH_MSCHAPV2:
		/* RFC 2548 2.3.2: Ident, Flags, Peer-Challenge 16, Reserved 8,
		 * NT-Response 24; the PPP Response Value (RFC 2759 section 4)
		 * is Peer-Challenge, Reserved, NT-Response, Flags */
		if (c->challenge_len != 16 || c->response_len != 49) {
			w->error = true;
			break;
		}
		radius_put_vsa(w, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_CHALLENGE, c->challenge, 16);
		b[0] = c->chap_id;
		b[1] = c->response[48];
		memcpy(b + 2, c->response, 48);
		radius_put_vsa(w, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_RESPONSE, b, 50);
		break;
	case RADIUS_AUTH_EAP:
		put_eap(w, c->eap, c->eap_len);
		/* RFC 3579 2.4: the link's MTU, so that the server cuts its
		 * EAP-TLS fragments to fit a PPP frame */
		if (c->framed_mtu)
			radius_put_u32(w, RADIUS_FRAMED_MTU, c->framed_mtu);
		break;
	}
	if (c->state && c->state_len)
		radius_put(w, RADIUS_STATE, c->state, c->state_len);
	put_nas_session(w, s);
	return w->error ? -1 : 0;
}

/* RFC 3162 2.3 (RFC 4818 3 the same): Reserved, Prefix-Length, then the
 * prefix; all 16 octets are sent with the bits past the length zero,
 * which every reader takes (a shorter field is allowed but older servers
 * want 18 octets). Length 0: no attribute. */
static void put_prefix(struct radius_writer *w, uint8_t type, const uint8_t prefix[16],
		       uint8_t len)
{
	uint8_t v[18] = { 0, len };

	if (!len)
		return;
	if (len > 128) {
		w->error = true;
		return;
	}
	for (unsigned bit = 0; bit < len; bit++)
		if (prefix[bit / 8] & (0x80u >> (bit % 8)))
			v[2 + bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
	radius_put(w, type, v, sizeof(v));
}

int radius_put_accounting(struct radius_writer *w, const struct radius_nas_session *s,
			  const struct radius_acct_record *r)
{
	bool counters = r->status == RADIUS_ACCT_STOP || r->status == RADIUS_ACCT_INTERIM;

	radius_put_u32(w, RADIUS_ACCT_STATUS_TYPE, r->status);
	if (s->user)
		radius_put_str(w, RADIUS_USER_NAME, s->user);
	put_nas_session(w, s);
	if (!s->user)
		put_opt_str(w, RADIUS_ACCT_SESSION_ID, s->acct_session_id);
	if (!s->acct_session_id || !s->acct_session_id[0])
		w->error = true;	/* RFC 2866 5.5: every record has one */
	if (r->framed_ip)
		radius_put(w, RADIUS_FRAMED_IP_ADDRESS, &r->framed_ip, 4);
	put_prefix(w, RADIUS_FRAMED_IPV6_PREFIX, r->framed_ipv6_prefix, r->framed_ipv6_prefix_len);
	put_prefix(w, RADIUS_DELEGATED_IPV6_PREFIX, r->delegated_prefix, r->delegated_prefix_len);
	for (unsigned i = 0; i < r->n_class; i++)
		radius_put(w, RADIUS_CLASS, r->class[i], r->class_len[i]);
	if (counters) {
		/* RFC 2869 5.1/5.2: the octets above 2^32 in Gigawords */
		radius_put_u32(w, RADIUS_ACCT_INPUT_OCTETS, (uint32_t)r->in_octets);
		radius_put_u32(w, RADIUS_ACCT_OUTPUT_OCTETS, (uint32_t)r->out_octets);
		radius_put_u32(w, RADIUS_ACCT_INPUT_GIGAWORDS, (uint32_t)(r->in_octets >> 32));
		radius_put_u32(w, RADIUS_ACCT_OUTPUT_GIGAWORDS, (uint32_t)(r->out_octets >> 32));
		radius_put_u32(w, RADIUS_ACCT_INPUT_PACKETS, (uint32_t)r->in_packets);
		radius_put_u32(w, RADIUS_ACCT_OUTPUT_PACKETS, (uint32_t)r->out_packets);
		radius_put_u32(w, RADIUS_ACCT_SESSION_TIME, r->session_time);
	}
	if (r->status == RADIUS_ACCT_STOP)
		radius_put_u32(w, RADIUS_ACCT_TERMINATE_CAUSE, r->terminate_cause);
	if (r->event_timestamp)
		radius_put_u32(w, RADIUS_EVENT_TIMESTAMP, r->event_timestamp);
	if (r->delay_time)
		radius_put_u32(w, RADIUS_ACCT_DELAY_TIME, r->delay_time);
	return w->error ? -1 : 0;
}

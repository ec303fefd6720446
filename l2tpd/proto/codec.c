/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv2 codec: header, AVPs, hidden AVPs, message rules (RFC 2661).
 */
#include "l2tp_codec.h"
#include "wire.h"

#include <nettle/md5.h>
#include <string.h>

#define B(t) L2TP_AVP_BIT(L2TP_AVP_##t)

static const char *const reason_names[L2TP_R_MAX] = {
	[L2TP_OK] = "ok",
	[L2TP_R_TRUNCATED_HEADER] = "truncated-header",
	[L2TP_R_BAD_VERSION] = "bad-version",
	[L2TP_R_BAD_CONTROL_FLAGS] = "bad-control-flags",
	[L2TP_R_BAD_LENGTH] = "bad-length",
	[L2TP_R_BAD_OFFSET] = "bad-offset",
	[L2TP_R_NOT_CONTROL] = "not-control",
	[L2TP_R_NOT_DATA] = "not-data",
	[L2TP_R_AVP_TRUNCATED] = "avp-truncated",
	[L2TP_R_AVP_BAD_LENGTH] = "avp-bad-length",
	[L2TP_R_FIRST_AVP_NOT_MSG_TYPE] = "first-avp-not-message-type",
	[L2TP_R_UNKNOWN_MSG_TYPE_MANDATORY] = "unknown-message-type-mandatory",
	[L2TP_R_UNKNOWN_MSG_TYPE_IGNORED] = "unknown-message-type-ignored",
	[L2TP_R_HIDDEN_NO_SECRET] = "hidden-avp-without-secret",
	[L2TP_R_HIDDEN_NO_RANDOM_VECTOR] = "hidden-avp-without-random-vector",
	[L2TP_R_HIDDEN_BAD_LENGTH] = "hidden-avp-bad-length",
	[L2TP_R_HIDDEN_FORBIDDEN] = "hidden-avp-forbidden",
	[L2TP_R_AVP_BAD_SIZE] = "avp-bad-size",
	[L2TP_R_AVP_DUPLICATE] = "avp-duplicate",
	[L2TP_R_UNKNOWN_MANDATORY_AVP] = "unknown-mandatory-avp",
	[L2TP_R_MISSING_MANDATORY_AVP] = "missing-mandatory-avp",
	[L2TP_R_UNKNOWN_TUNNEL] = "unknown-tunnel",
	[L2TP_R_PEER_MISMATCH] = "peer-mismatch",
	[L2TP_R_DUPLICATE] = "duplicate",
	[L2TP_R_OUT_OF_WINDOW] = "out-of-window",
	[L2TP_R_RX_QUEUE_FULL] = "rx-queue-full",
	[L2TP_R_BAD_NR] = "bad-nr",
	[L2TP_R_BAD_STATE] = "bad-message-for-state",
	[L2TP_R_UNKNOWN_SESSION] = "unknown-session",
	[L2TP_R_BAD_PROTOCOL_VERSION] = "bad-protocol-version",
	[L2TP_R_AUTH_FAILED] = "tunnel-auth-failed",
	[L2TP_R_TUNNEL_LIMIT] = "tunnel-limit",
	[L2TP_R_SESSION_LIMIT] = "session-limit",
	[L2TP_R_TUNNEL_SESSION_LIMIT] = "tunnel-session-limit",
	[L2TP_R_RATE_LIMITED] = "rate-limited",
	[L2TP_R_REPLY_SUPPRESSED] = "reply-suppressed",
	[L2TP_R_TIE_BREAKER_LOST] = "tie-breaker-lost",
	[L2TP_R_NO_MEMORY] = "no-memory",
	[L2TP_R_NO_ID] = "no-free-id",
	[L2TP_R_NO_RANDOM] = "no-randomness",
	[L2TP_R_SCCRQ_REFUSED] = "sccrq-refused",
	[L2TP_R_SCCRQ_DEFERRED] = "sccrq-deferred",
	[L2TP_R_SCCRQ_BUSY] = "sccrq-busy",
	[L2TP_R_CALLS_REFUSED] = "calls-refused",
	[L2TP_R_HALF_OPEN_LIMIT] = "half-open-limit",
	[L2TP_R_PREAUTH_LIMIT] = "preauth-limit",
	[L2TP_R_TUNNEL_PREAUTH_LIMIT] = "tunnel-preauth-limit",
};

const char *l2tp_reason_name(enum l2tp_reason r)
{
	if ((unsigned)r < L2TP_R_MAX && reason_names[r])
		return reason_names[r];
	return "unknown-reason";
}

static const char *const msg_names[L2TP_MSG_TYPE_MAX] = {
	[L2TP_MSG_ZLB] = "ZLB",     [L2TP_MSG_SCCRQ] = "SCCRQ",
	[L2TP_MSG_SCCRP] = "SCCRP", [L2TP_MSG_SCCCN] = "SCCCN",
	[L2TP_MSG_STOPCCN] = "StopCCN", [L2TP_MSG_HELLO] = "HELLO",
	[L2TP_MSG_OCRQ] = "OCRQ",   [L2TP_MSG_OCRP] = "OCRP",
	[L2TP_MSG_OCCN] = "OCCN",   [L2TP_MSG_ICRQ] = "ICRQ",
	[L2TP_MSG_ICRP] = "ICRP",   [L2TP_MSG_ICCN] = "ICCN",
	[L2TP_MSG_CDN] = "CDN",     [L2TP_MSG_WEN] = "WEN",
	[L2TP_MSG_SLI] = "SLI",
};

const char *l2tp_msg_type_name(unsigned type)
{
	if (type < L2TP_MSG_TYPE_MAX && msg_names[type])
		return msg_names[type];
	return "unknown";
}

/* How each AVP's value is laid out. */
enum avp_kind {
	K_NONE,		/* not defined (reserved type numbers) */
	K_U16,
	K_U32,
	K_BYTES,	/* opaque or string, length within [min, max] */
	K_SPECIAL,	/* laid out by hand in decode_avp/encode_avp */
};

struct avp_rule {
	const char *name;
	uint8_t kind;
	bool mandatory;		/* M bit we send, per section 4.4 */
	bool never_hidden;	/* "MUST NOT be hidden" in section 4.4 */
	uint16_t min, max;	/* value length */
};

#define AVPMAX (L2TP_AVP_LEN_MASK - L2TP_AVP_HDR_LEN)

/* RFC 2661 section 4.4: name, value layout, M bit, sizes. */
static const struct avp_rule avp_rules[L2TP_AVP_TYPE_MAX] = {
	[L2TP_AVP_MESSAGE_TYPE] = {"Message Type", K_U16, true, true, 2, 2},
	[L2TP_AVP_RESULT_CODE] = {"Result Code", K_SPECIAL, true, false, 2, AVPMAX},
	[L2TP_AVP_PROTOCOL_VERSION] = {"Protocol Version", K_SPECIAL, true, false, 2, 2},
	[L2TP_AVP_FRAMING_CAPABILITIES] = {"Framing Capabilities", K_U32, true, false, 4, 4},
	[L2TP_AVP_BEARER_CAPABILITIES] = {"Bearer Capabilities", K_U32, true, false, 4, 4},
	[L2TP_AVP_TIE_BREAKER] = {"Tie Breaker", K_SPECIAL, false, false, 8, 8},
	[L2TP_AVP_FIRMWARE_REVISION] = {"Firmware Revision", K_U16, false, false, 2, 2},
	[L2TP_AVP_HOST_NAME] = {"Host Name", K_BYTES, true, false, 1, AVPMAX},
	[L2TP_AVP_VENDOR_NAME] = {"Vendor Name", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = {"Assigned Tunnel ID", K_U16, true, false, 2, 2},
	[L2TP_AVP_RECEIVE_WINDOW_SIZE] = {"Receive Window Size", K_U16, true, false, 2, 2},
	[L2TP_AVP_CHALLENGE] = {"Challenge", K_BYTES, true, false, 1, AVPMAX},
	[L2TP_AVP_Q931_CAUSE_CODE] = {"Q.931 Cause Code", K_SPECIAL, true, false, 3, AVPMAX},
	[L2TP_AVP_CHALLENGE_RESPONSE] = {"Challenge Response", K_SPECIAL, true, false, 16, 16},
	[L2TP_AVP_ASSIGNED_SESSION_ID] = {"Assigned Session ID", K_U16, true, false, 2, 2},
	[L2TP_AVP_CALL_SERIAL_NUMBER] = {"Call Serial Number", K_U32, true, false, 4, 4},
	[L2TP_AVP_MINIMUM_BPS] = {"Minimum BPS", K_U32, true, false, 4, 4},
	[L2TP_AVP_MAXIMUM_BPS] = {"Maximum BPS", K_U32, true, false, 4, 4},
	[L2TP_AVP_BEARER_TYPE] = {"Bearer Type", K_U32, true, false, 4, 4},
	[L2TP_AVP_FRAMING_TYPE] = {"Framing Type", K_U32, true, false, 4, 4},
	[L2TP_AVP_CALLED_NUMBER] = {"Called Number", K_BYTES, true, false, 0, AVPMAX},
	[L2TP_AVP_CALLING_NUMBER] = {"Calling Number", K_BYTES, true, false, 0, AVPMAX},
	[L2TP_AVP_SUB_ADDRESS] = {"Sub-Address", K_BYTES, true, false, 0, AVPMAX},
	[L2TP_AVP_TX_CONNECT_SPEED] = {"(Tx) Connect Speed", K_U32, true, false, 4, 4},
	[L2TP_AVP_PHYSICAL_CHANNEL_ID] = {"Physical Channel ID", K_U32, false, false, 4, 4},
	[L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ] = {"Initial Received LCP CONFREQ", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = {"Last Sent LCP CONFREQ", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ] = {"Last Received LCP CONFREQ", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = {"Proxy Authen Type", K_U16, false, false, 2, 2},
	[L2TP_AVP_PROXY_AUTHEN_NAME] = {"Proxy Authen Name", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = {"Proxy Authen Challenge", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_PROXY_AUTHEN_ID] = {"Proxy Authen ID", K_SPECIAL, false, false, 2, 2},
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = {"Proxy Authen Response", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_CALL_ERRORS] = {"Call Errors", K_SPECIAL, true, false, 26, 26},
	[L2TP_AVP_ACCM] = {"ACCM", K_SPECIAL, true, false, 10, 10},
	[L2TP_AVP_RANDOM_VECTOR] = {"Random Vector", K_BYTES, true, true, 1, AVPMAX},
	[L2TP_AVP_PRIVATE_GROUP_ID] = {"Private Group ID", K_BYTES, false, false, 0, AVPMAX},
	[L2TP_AVP_RX_CONNECT_SPEED] = {"Rx Connect Speed", K_U32, false, false, 4, 4},
	[L2TP_AVP_SEQUENCING_REQUIRED] = {"Sequencing Required", K_SPECIAL, true, false, 0, 0},
};

const char *l2tp_avp_type_name(unsigned type)
{
	if (type < L2TP_AVP_TYPE_MAX && avp_rules[type].name)
		return avp_rules[type].name;
	return "unknown";
}

struct msg_rule {
	uint64_t mandatory;
	uint64_t optional;
	bool session;		/* belongs to a session (section 4.1, M bit) */
};

/* RFC 2661 section 6: which AVPs each message MUST and MAY carry. The
 * Random Vector may precede hidden AVPs in any message (section 4.3). */
static const struct msg_rule msg_rules[L2TP_MSG_TYPE_MAX] = {
	/* 6.1 */
	[L2TP_MSG_SCCRQ] = {B(MESSAGE_TYPE) | B(PROTOCOL_VERSION) | B(HOST_NAME) |
			    B(FRAMING_CAPABILITIES) | B(ASSIGNED_TUNNEL_ID),
			    B(BEARER_CAPABILITIES) | B(RECEIVE_WINDOW_SIZE) | B(CHALLENGE) |
			    B(TIE_BREAKER) | B(FIRMWARE_REVISION) | B(VENDOR_NAME), false},
	/* 6.2 */
	[L2TP_MSG_SCCRP] = {B(MESSAGE_TYPE) | B(PROTOCOL_VERSION) | B(FRAMING_CAPABILITIES) |
			    B(HOST_NAME) | B(ASSIGNED_TUNNEL_ID),
			    B(BEARER_CAPABILITIES) | B(FIRMWARE_REVISION) | B(VENDOR_NAME) |
			    B(RECEIVE_WINDOW_SIZE) | B(CHALLENGE) | B(CHALLENGE_RESPONSE), false},
	/* 6.3 */
	[L2TP_MSG_SCCCN] = {B(MESSAGE_TYPE), B(CHALLENGE_RESPONSE), false},
	/* 6.4 */
	[L2TP_MSG_STOPCCN] = {B(MESSAGE_TYPE) | B(ASSIGNED_TUNNEL_ID) | B(RESULT_CODE), 0, false},
	/* 6.5 */
	[L2TP_MSG_HELLO] = {B(MESSAGE_TYPE), 0, false},
	/* 6.6 */
	[L2TP_MSG_OCRQ] = {B(MESSAGE_TYPE) | B(ASSIGNED_SESSION_ID) | B(CALL_SERIAL_NUMBER) |
			   B(MINIMUM_BPS) | B(MAXIMUM_BPS) | B(BEARER_TYPE) | B(FRAMING_TYPE) |
			   B(CALLED_NUMBER),
			   B(SUB_ADDRESS), true},
	/* 6.7 */
	[L2TP_MSG_OCRP] = {B(MESSAGE_TYPE) | B(ASSIGNED_SESSION_ID), B(PHYSICAL_CHANNEL_ID), true},
	/* 6.8 */
	[L2TP_MSG_OCCN] = {B(MESSAGE_TYPE) | B(TX_CONNECT_SPEED) | B(FRAMING_TYPE),
			   B(RX_CONNECT_SPEED) | B(SEQUENCING_REQUIRED), true},
	/* 6.9 */
	[L2TP_MSG_ICRQ] = {B(MESSAGE_TYPE) | B(ASSIGNED_SESSION_ID) | B(CALL_SERIAL_NUMBER),
			   B(BEARER_TYPE) | B(PHYSICAL_CHANNEL_ID) | B(CALLING_NUMBER) |
			   B(CALLED_NUMBER) | B(SUB_ADDRESS), true},
	/* 6.10 */
	[L2TP_MSG_ICRP] = {B(MESSAGE_TYPE) | B(ASSIGNED_SESSION_ID), 0, true},
	/* 6.11 */
	[L2TP_MSG_ICCN] = {B(MESSAGE_TYPE) | B(TX_CONNECT_SPEED) | B(FRAMING_TYPE),
			   B(INITIAL_RECEIVED_LCP_CONFREQ) | B(LAST_SENT_LCP_CONFREQ) |
			   B(LAST_RECEIVED_LCP_CONFREQ) | B(PROXY_AUTHEN_TYPE) |
			   B(PROXY_AUTHEN_NAME) | B(PROXY_AUTHEN_CHALLENGE) |
			   B(PROXY_AUTHEN_ID) | B(PROXY_AUTHEN_RESPONSE) |
			   B(PRIVATE_GROUP_ID) | B(RX_CONNECT_SPEED) |
			   B(SEQUENCING_REQUIRED), true},
	/* 6.12 */
	[L2TP_MSG_CDN] = {B(MESSAGE_TYPE) | B(RESULT_CODE) | B(ASSIGNED_SESSION_ID),
			  B(Q931_CAUSE_CODE), true},
	/* 6.13 */
	[L2TP_MSG_WEN] = {B(MESSAGE_TYPE) | B(CALL_ERRORS), 0, true},
	/* 6.14 */
	[L2TP_MSG_SLI] = {B(MESSAGE_TYPE) | B(ACCM), 0, true},
};

static bool msg_type_known(unsigned type)
{
	return type > 0 && type < L2TP_MSG_TYPE_MAX && msg_rules[type].mandatory != 0;
}

uint64_t l2tp_msg_mandatory_avps(unsigned type)
{
	return msg_type_known(type) ? msg_rules[type].mandatory : 0;
}

uint64_t l2tp_msg_allowed_avps(unsigned type)
{
	if (!msg_type_known(type))
		return 0;
	return msg_rules[type].mandatory | msg_rules[type].optional | B(RANDOM_VECTOR);
}

bool l2tp_msg_is_session_message(unsigned type)
{
	return msg_type_known(type) && msg_rules[type].session;
}

/* ---- header ---- */

static enum l2tp_reason header_common(const uint8_t *buf, size_t len,
				      struct l2tp_header *h)
{
	struct wire_rd r;
	uint16_t flags;

	memset(h, 0, sizeof(*h));
	if (len > UINT16_MAX)
		len = UINT16_MAX; /* a UDP payload never is; keep the arithmetic in range */
	wire_rd_init(&r, buf, len);
	if (!wire_rd_u16(&r, &flags))
		return L2TP_R_TRUNCATED_HEADER;
	h->flags = flags;
	/* Section 3.1: "Packets received with an unknown Ver field MUST be
	 * discarded" (version 3 is L2TPv3, version 1 L2F). */
	if ((flags & L2TP_HDR_VER_MASK) != L2TP_VERSION)
		return L2TP_R_BAD_VERSION;
	h->control = flags & L2TP_HDR_T;
	h->has_length = flags & L2TP_HDR_L;
	h->has_seq = flags & L2TP_HDR_S;
	h->has_offset = flags & L2TP_HDR_O;
	h->priority = flags & L2TP_HDR_P;
	h->length = (uint16_t)len;
	if (h->has_length && !wire_rd_u16(&r, &h->length))
		return L2TP_R_TRUNCATED_HEADER;
	if (!wire_rd_u16(&r, &h->tunnel_id) || !wire_rd_u16(&r, &h->session_id))
		return L2TP_R_TRUNCATED_HEADER;
	if (h->has_seq && (!wire_rd_u16(&r, &h->ns) || !wire_rd_u16(&r, &h->nr)))
		return L2TP_R_TRUNCATED_HEADER;
	if (h->has_offset) {
		if (!wire_rd_u16(&r, &h->offset_size))
			return L2TP_R_TRUNCATED_HEADER;
	}
	/* The Length field covers the whole message; a UDP datagram shorter
	 * than it is truncated, one longer carries trailing padding we ignore. */
	if (h->length > len || h->length < r.pos)
		return L2TP_R_BAD_LENGTH;
	h->frame_len = h->length;
	/* Offset padding, section 3.1: "the number of octets past the L2TP
	 * header at which the payload data is expected to start". */
	if (h->has_offset && h->offset_size > h->frame_len - r.pos)
		return L2TP_R_BAD_OFFSET;
	h->hdr_len = (uint16_t)(r.pos + h->offset_size);
	return L2TP_OK;
}

enum l2tp_reason l2tp_ctrl_header_parse(const uint8_t *buf, size_t len,
					struct l2tp_header *h)
{
	enum l2tp_reason r = header_common(buf, len, h);

	if (r != L2TP_OK)
		return r;
	if (!h->control)
		return L2TP_R_NOT_CONTROL;
	/* Section 3.1: a control message MUST have L and S set; O and P are
	 * defined for data messages only and MUST be 0 in control messages. */
	if (!h->has_length || !h->has_seq || h->has_offset || h->priority)
		return L2TP_R_BAD_CONTROL_FLAGS;
	return L2TP_OK;
}

enum l2tp_reason l2tp_data_header_parse(const uint8_t *buf, size_t len,
					struct l2tp_header *h)
{
	enum l2tp_reason r = header_common(buf, len, h);

	if (r != L2TP_OK)
		return r;
	if (h->control)
		return L2TP_R_NOT_DATA;
	return L2TP_OK;
}

size_t l2tp_data_header_write(uint8_t *buf, size_t cap, uint16_t tunnel_id,
			      uint16_t session_id)
{
	struct wire_wr w;

	wire_wr_init(&w, buf, cap);
	wire_wr_u16(&w, L2TP_VERSION);
	wire_wr_u16(&w, tunnel_id);
	wire_wr_u16(&w, session_id);
	return w.overflow ? 0 : w.len;
}

size_t l2tp_ctrl_header_write(uint8_t *buf, size_t cap, uint16_t tunnel_id,
			      uint16_t session_id, uint16_t ns, uint16_t nr)
{
	struct wire_wr w;

	wire_wr_init(&w, buf, cap);
	wire_wr_u16(&w, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION);
	wire_wr_u16(&w, L2TP_CTRL_HDR_LEN);
	wire_wr_u16(&w, tunnel_id);
	wire_wr_u16(&w, session_id);
	wire_wr_u16(&w, ns);
	wire_wr_u16(&w, nr);
	return w.overflow ? 0 : w.len;
}

/* ---- hidden AVPs, section 4.3 ---- */

/*
 * The key stream: b1 = MD5(attribute type (2 octets) + secret + RV),
 * b(i) = MD5(secret + c(i-1)) where c(i-1) is the previous 16-octet segment
 * of the *hidden* value. `cipher` is the hidden text (input when unhiding,
 * output when hiding), so one routine serves both directions.
 */
static void hide_xor(uint16_t attr_type, const struct l2tp_secret *secret,
		     const uint8_t *rv, size_t rv_len, const uint8_t *in,
		     uint8_t *out, size_t len, bool hiding)
{
	struct md5_ctx md5;
	uint8_t b[MD5_DIGEST_SIZE];
	uint8_t type_be[2] = {(uint8_t)(attr_type >> 8), (uint8_t)attr_type};
	uint8_t prev[MD5_DIGEST_SIZE];

	for (size_t off = 0; off < len; off += MD5_DIGEST_SIZE) {
		size_t n = len - off < MD5_DIGEST_SIZE ? len - off : MD5_DIGEST_SIZE;

		md5_init(&md5);
		if (off == 0) {
			md5_update(&md5, sizeof(type_be), type_be);
			md5_update(&md5, secret->len, secret->p);
			md5_update(&md5, rv_len, rv);
		} else {
			md5_update(&md5, secret->len, secret->p);
			md5_update(&md5, MD5_DIGEST_SIZE, prev);
		}
		md5_digest(&md5, MD5_DIGEST_SIZE, b);
		/* Remember the hidden segment before `out` may overwrite `in`. */
		if (!hiding)
			memcpy(prev, in + off, n);
		for (size_t i = 0; i < n; i++)
			out[off + i] = in[off + i] ^ b[i];
		if (hiding)
			memcpy(prev, out + off, n);
	}
}

size_t l2tp_avp_hide(uint16_t attr_type, const struct l2tp_secret *secret,
		     const uint8_t *rv, size_t rv_len, const uint8_t *value,
		     size_t value_len, const uint8_t *pad, size_t pad_len,
		     uint8_t *out, size_t cap)
{
	size_t n = 2 + value_len + pad_len;

	if (n > cap || value_len > UINT16_MAX)
		return 0;
	out[0] = (uint8_t)(value_len >> 8);
	out[1] = (uint8_t)value_len;
	if (value_len)
		memcpy(out + 2, value, value_len);
	if (pad_len)
		memcpy(out + 2 + value_len, pad, pad_len);
	hide_xor(attr_type, secret, rv, rv_len, out, out, n, true);
	return n;
}

void l2tp_avp_unhide(uint16_t attr_type, const struct l2tp_secret *secret,
		     const uint8_t *rv, size_t rv_len, const uint8_t *in,
		     size_t len, uint8_t *out)
{
	hide_xor(attr_type, secret, rv, rv_len, in, out, len, false);
}

void l2tp_challenge_response(uint8_t msg_type, const struct l2tp_secret *secret,
			     const uint8_t *challenge, size_t challenge_len,
			     uint8_t out[16])
{
	struct md5_ctx md5;

	md5_init(&md5);
	md5_update(&md5, 1, &msg_type);
	md5_update(&md5, secret ? secret->len : 0, secret ? secret->p : NULL);
	md5_update(&md5, challenge_len, challenge);
	md5_digest(&md5, MD5_DIGEST_SIZE, out);
}

bool l2tp_challenge_response_ok(uint8_t msg_type, const struct l2tp_secret *secret,
				const uint8_t *challenge, size_t challenge_len,
				const uint8_t response[16])
{
	uint8_t want[16], diff = 0;

	l2tp_challenge_response(msg_type, secret, challenge, challenge_len, want);
	/* every octet, no early exit (a memcmp would stop at the first
	 * difference) */
	for (size_t i = 0; i < sizeof(want); i++)
		diff |= (uint8_t)(want[i] ^ response[i]);
	return diff == 0;
}

/* ---- decoding ---- */

static struct l2tp_bytes bytes_of(const uint8_t *p, size_t len)
{
	struct l2tp_bytes b = {p, (uint16_t)len};
	return b;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Store one known AVP's value (its size already checked against the
 * rules) into the message. */
static void store_avp(struct l2tp_msg *m, uint16_t type, const uint8_t *v, size_t len)
{
	const struct avp_rule *rule = &avp_rules[type];
	uint16_t u16 = rule->kind == K_U16 ? wire_get_u16(v) : 0;
	uint32_t u32 = rule->kind == K_U32 ? get_u32(v) : 0;

	switch (type) {
	case L2TP_AVP_RESULT_CODE:
		/* 4.4.2: result code, then optional error code, then an
		 * optional message; a 3-octet value is malformed (caught by
		 * the caller). */
		m->result_code = wire_get_u16(v);
		if (len >= 4) {
			m->has_error_code = true;
			m->error_code = wire_get_u16(v + 2);
			m->error_message = bytes_of(v + 4, len - 4);
		}
		break;
	case L2TP_AVP_PROTOCOL_VERSION:
		m->protocol_version = v[0];
		m->protocol_revision = v[1];
		break;
	case L2TP_AVP_FRAMING_CAPABILITIES: m->framing_capabilities = u32; break;
	case L2TP_AVP_BEARER_CAPABILITIES: m->bearer_capabilities = u32; break;
	case L2TP_AVP_TIE_BREAKER: memcpy(m->tie_breaker, v, 8); break;
	case L2TP_AVP_FIRMWARE_REVISION: m->firmware_revision = u16; break;
	case L2TP_AVP_HOST_NAME: m->host_name = bytes_of(v, len); break;
	case L2TP_AVP_VENDOR_NAME: m->vendor_name = bytes_of(v, len); break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID: m->assigned_tunnel_id = u16; break;
	case L2TP_AVP_RECEIVE_WINDOW_SIZE: m->receive_window_size = u16; break;
	case L2TP_AVP_CHALLENGE: m->challenge = bytes_of(v, len); break;
	case L2TP_AVP_Q931_CAUSE_CODE:
		/* 4.4.5: cause code (2), cause msg (1), advisory text */
		m->q931_cause = wire_get_u16(v);
		m->q931_msg = v[2];
		m->q931_advisory = bytes_of(v + 3, len - 3);
		break;
	case L2TP_AVP_CHALLENGE_RESPONSE: memcpy(m->challenge_response, v, 16); break;
	case L2TP_AVP_ASSIGNED_SESSION_ID: m->assigned_session_id = u16; break;
	case L2TP_AVP_CALL_SERIAL_NUMBER: m->call_serial_number = u32; break;
	case L2TP_AVP_MINIMUM_BPS: m->minimum_bps = u32; break;
	case L2TP_AVP_MAXIMUM_BPS: m->maximum_bps = u32; break;
	case L2TP_AVP_BEARER_TYPE: m->bearer_type = u32; break;
	case L2TP_AVP_FRAMING_TYPE: m->framing_type = u32; break;
	case L2TP_AVP_CALLED_NUMBER: m->called_number = bytes_of(v, len); break;
	case L2TP_AVP_CALLING_NUMBER: m->calling_number = bytes_of(v, len); break;
	case L2TP_AVP_SUB_ADDRESS: m->sub_address = bytes_of(v, len); break;
	case L2TP_AVP_TX_CONNECT_SPEED: m->tx_connect_speed = u32; break;
	case L2TP_AVP_PHYSICAL_CHANNEL_ID: m->physical_channel_id = u32; break;
	case L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ:
		m->initial_received_lcp_confreq = bytes_of(v, len);
		break;
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ: m->last_sent_lcp_confreq = bytes_of(v, len); break;
	case L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ:
		m->last_received_lcp_confreq = bytes_of(v, len);
		break;
	case L2TP_AVP_PROXY_AUTHEN_TYPE: m->proxy_authen_type = u16; break;
	case L2TP_AVP_PROXY_AUTHEN_NAME: m->proxy_authen_name = bytes_of(v, len); break;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE: m->proxy_authen_challenge = bytes_of(v, len); break;
	case L2TP_AVP_PROXY_AUTHEN_ID: m->proxy_authen_id = v[1]; break; /* 4.4.5: reserved, ID */
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE: m->proxy_authen_response = bytes_of(v, len); break;
	case L2TP_AVP_CALL_ERRORS:
		/* 4.4.6: 2 reserved octets, then six 32-bit counters */
		m->call_errors.crc_errors = get_u32(v + 2);
		m->call_errors.framing_errors = get_u32(v + 6);
		m->call_errors.hardware_overruns = get_u32(v + 10);
		m->call_errors.buffer_overruns = get_u32(v + 14);
		m->call_errors.timeout_errors = get_u32(v + 18);
		m->call_errors.alignment_errors = get_u32(v + 22);
		break;
	case L2TP_AVP_ACCM:
		/* 4.4.6: 2 reserved octets, send ACCM, receive ACCM */
		m->accm_send = get_u32(v + 2);
		m->accm_recv = get_u32(v + 6);
		break;
	case L2TP_AVP_PRIVATE_GROUP_ID: m->private_group_id = bytes_of(v, len); break;
	case L2TP_AVP_RX_CONNECT_SPEED: m->rx_connect_speed = u32; break;
	case L2TP_AVP_SEQUENCING_REQUIRED: break;
	default: break;
	}
}

static void first_error(enum l2tp_reason *err, enum l2tp_reason r, struct l2tp_msg *m,
			uint16_t type)
{
	if (*err == L2TP_OK) {
		*err = r;
		m->bad_avp = type;
	}
}

enum l2tp_reason l2tp_msg_decode(const uint8_t *buf, size_t len,
				 const struct l2tp_secret *secret,
				 struct l2tp_msg *m)
{
	struct wire_rd r;
	enum l2tp_reason err = L2TP_OK;
	const uint8_t *rv = NULL;
	size_t rv_len = 0;
	unsigned index = 0;
	uint64_t allowed = 0;

	memset(m, 0, offsetof(struct l2tp_msg, scratch));

	/* Pass 1, framing (section 4.1): every AVP header fits, every length
	 * is at least 6 and ends inside the message. Nothing else is trusted
	 * until this holds. */
	wire_rd_init(&r, buf, len);
	while (wire_rd_left(&r) > 0) {
		uint16_t w;

		if (wire_rd_left(&r) < L2TP_AVP_HDR_LEN)
			return L2TP_R_AVP_TRUNCATED;
		wire_rd_u16(&r, &w);
		w &= L2TP_AVP_LEN_MASK;
		if (w < L2TP_AVP_HDR_LEN || !wire_rd_bytes(&r, w - 2u, NULL))
			return L2TP_R_AVP_BAD_LENGTH;
	}
	if (len == 0) {
		/* Section 5.8: a message with no AVPs is a Zero-Length Body
		 * acknowledgement. */
		m->zlb = true;
		return L2TP_OK;
	}

	/* Pass 2, meaning. */
	wire_rd_init(&r, buf, len);
	while (wire_rd_left(&r) > 0) {
		uint16_t w, vendor, type, vlen;
		const uint8_t *v;
		bool mbit, hbit;

		wire_rd_u16(&r, &w);
		wire_rd_u16(&r, &vendor);
		wire_rd_u16(&r, &type);
		vlen = (uint16_t)((w & L2TP_AVP_LEN_MASK) - L2TP_AVP_HDR_LEN);
		wire_rd_bytes(&r, vlen, &v); /* checked in pass 1 */
		mbit = w & L2TP_AVP_M;
		hbit = w & L2TP_AVP_H;

		if (index++ == 0) {
			/* Section 4.2/4.4.1: the Message Type AVP MUST be the
			 * first AVP; it is never hidden. */
			if (vendor != 0 || type != L2TP_AVP_MESSAGE_TYPE || vlen != 2 || hbit)
				return L2TP_R_FIRST_AVP_NOT_MSG_TYPE;
			m->type = wire_get_u16(v);
			m->present |= B(MESSAGE_TYPE);
			if (!msg_type_known(m->type)) {
				/* 4.4.1: an unknown message type with M set
				 * clears the tunnel; without M it is ignored. */
				return mbit ? L2TP_R_UNKNOWN_MSG_TYPE_MANDATORY
					    : L2TP_R_UNKNOWN_MSG_TYPE_IGNORED;
			}
			allowed = l2tp_msg_allowed_avps(m->type);
			continue;
		}

		if (vendor != 0)
			m->vendor_avps++;
		/* Section 4.1: a nonzero Vendor ID we do not implement, a
		 * reserved bit set, or an unknown type make the AVP
		 * "unrecognized": skipped by its length if M is clear, fatal
		 * to the session or tunnel if M is set. Vendor AVPs are never
		 * interpreted (docs/interop.md: misparsed vendor AVPs break peers). */
		if (vendor != 0 || (w & L2TP_AVP_RSVD) || type >= L2TP_AVP_TYPE_MAX ||
		    avp_rules[type].kind == K_NONE) {
			if (mbit) {
				if (err == L2TP_OK) {
					m->unknown_avp_vendor = vendor;
					m->unknown_avp_type = type;
				}
				first_error(&err, L2TP_R_UNKNOWN_MANDATORY_AVP, m, type);
			} else {
				m->unknown_optional++;
			}
			continue;
		}

		if (type == L2TP_AVP_MESSAGE_TYPE) {
			/* a second Message Type AVP */
			first_error(&err, L2TP_R_AVP_DUPLICATE, m, type);
			continue;
		}

		if (hbit) {
			uint16_t orig;
			uint8_t *plain;

			if (avp_rules[type].never_hidden) {
				first_error(&err, L2TP_R_HIDDEN_FORBIDDEN, m, type);
				continue;
			}
			if (!secret || secret->len == 0) {
				first_error(&err, L2TP_R_HIDDEN_NO_SECRET, m, type);
				continue;
			}
			/* 4.3: the Random Vector AVP MUST precede the hidden
			 * AVPs it applies to. */
			if (!rv) {
				first_error(&err, L2TP_R_HIDDEN_NO_RANDOM_VECTOR, m, type);
				continue;
			}
			if (vlen < 2 || (size_t)vlen > sizeof(m->scratch) - m->scratch_used) {
				first_error(&err, L2TP_R_HIDDEN_BAD_LENGTH, m, type);
				continue;
			}
			plain = m->scratch + m->scratch_used;
			l2tp_avp_unhide(type, secret, rv, rv_len, v, vlen, plain);
			/* Hidden AVP Subformat: original length, value,
			 * padding. A length past the value means a wrong
			 * secret or a forged AVP. */
			orig = wire_get_u16(plain);
			if (orig > vlen - 2u) {
				first_error(&err, L2TP_R_HIDDEN_BAD_LENGTH, m, type);
				continue;
			}
			m->scratch_used = (uint16_t)(m->scratch_used + vlen);
			v = plain + 2;
			vlen = orig;
			m->hidden |= L2TP_AVP_BIT(type);
		}

		if (vlen < avp_rules[type].min || vlen > avp_rules[type].max ||
		    (type == L2TP_AVP_RESULT_CODE && vlen == 3)) {
			first_error(&err, L2TP_R_AVP_BAD_SIZE, m, type);
			continue;
		}
		if (type == L2TP_AVP_RANDOM_VECTOR) {
			/* 4.3: a new Random Vector applies to the hidden AVPs
			 * after it; several may appear. */
			rv = v;
			rv_len = vlen;
			m->random_vector = bytes_of(v, vlen);
			m->present |= B(RANDOM_VECTOR);
			continue;
		}
		if (m->present & L2TP_AVP_BIT(type)) {
			/* Two values for one attribute: which one the peer
			 * meant is unknowable, so the message is malformed. */
			first_error(&err, L2TP_R_AVP_DUPLICATE, m, type);
			continue;
		}
		if (!(allowed & L2TP_AVP_BIT(type)))
			m->unexpected_avps++; /* known, not listed in section 6: keep, count */
		m->present |= L2TP_AVP_BIT(type);
		store_avp(m, type, v, vlen);
	}

	if (err == L2TP_OK) {
		uint64_t missing = l2tp_msg_mandatory_avps(m->type) & ~m->present;

		if (missing) {
			m->missing_avp = (uint16_t)__builtin_ctzll(missing);
			err = L2TP_R_MISSING_MANDATORY_AVP;
			m->bad_avp = m->missing_avp;
		}
	}
	return err;
}

/* ---- encoding ---- */

void l2tp_msg_init(struct l2tp_msg *m, enum l2tp_msg_type type)
{
	memset(m, 0, offsetof(struct l2tp_msg, scratch));
	m->type = (uint16_t)type;
	m->zlb = type == L2TP_MSG_ZLB;
	if (!m->zlb)
		m->present = B(MESSAGE_TYPE);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Lay out one AVP's value into v (at least AVPMAX bytes); returns its
 * length. */
static size_t avp_value(const struct l2tp_msg *m, unsigned type, uint8_t *v)
{
	const struct avp_rule *rule = &avp_rules[type];
	const struct l2tp_bytes *b = NULL;
	size_t n;

	switch (type) {
	case L2TP_AVP_MESSAGE_TYPE: wire_put_u16(v, m->type); return 2;
	case L2TP_AVP_RESULT_CODE:
		wire_put_u16(v, m->result_code);
		if (!m->has_error_code && m->error_message.len == 0)
			return 2;
		wire_put_u16(v + 2, m->error_code);
		n = m->error_message.len;
		if (n > AVPMAX - 4)
			n = AVPMAX - 4;
		if (n)
			memcpy(v + 4, m->error_message.p, n);
		return 4 + n;
	case L2TP_AVP_PROTOCOL_VERSION:
		v[0] = m->protocol_version;
		v[1] = m->protocol_revision;
		return 2;
	case L2TP_AVP_FRAMING_CAPABILITIES: put_u32(v, m->framing_capabilities); return 4;
	case L2TP_AVP_BEARER_CAPABILITIES: put_u32(v, m->bearer_capabilities); return 4;
	case L2TP_AVP_TIE_BREAKER: memcpy(v, m->tie_breaker, 8); return 8;
	case L2TP_AVP_FIRMWARE_REVISION: wire_put_u16(v, m->firmware_revision); return 2;
	case L2TP_AVP_HOST_NAME: b = &m->host_name; break;
	case L2TP_AVP_VENDOR_NAME: b = &m->vendor_name; break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID: wire_put_u16(v, m->assigned_tunnel_id); return 2;
	case L2TP_AVP_RECEIVE_WINDOW_SIZE: wire_put_u16(v, m->receive_window_size); return 2;
	case L2TP_AVP_CHALLENGE: b = &m->challenge; break;
	case L2TP_AVP_Q931_CAUSE_CODE:
		wire_put_u16(v, m->q931_cause);
		v[2] = m->q931_msg;
		n = m->q931_advisory.len;
		if (n > AVPMAX - 3)
			n = AVPMAX - 3;
		if (n)
			memcpy(v + 3, m->q931_advisory.p, n);
		return 3 + n;
	case L2TP_AVP_CHALLENGE_RESPONSE: memcpy(v, m->challenge_response, 16); return 16;
	case L2TP_AVP_ASSIGNED_SESSION_ID: wire_put_u16(v, m->assigned_session_id); return 2;
	case L2TP_AVP_CALL_SERIAL_NUMBER: put_u32(v, m->call_serial_number); return 4;
	case L2TP_AVP_MINIMUM_BPS: put_u32(v, m->minimum_bps); return 4;
	case L2TP_AVP_MAXIMUM_BPS: put_u32(v, m->maximum_bps); return 4;
	case L2TP_AVP_BEARER_TYPE: put_u32(v, m->bearer_type); return 4;
	case L2TP_AVP_FRAMING_TYPE: put_u32(v, m->framing_type); return 4;
	case L2TP_AVP_CALLED_NUMBER: b = &m->called_number; break;
	case L2TP_AVP_CALLING_NUMBER: b = &m->calling_number; break;
	case L2TP_AVP_SUB_ADDRESS: b = &m->sub_address; break;
	case L2TP_AVP_TX_CONNECT_SPEED: put_u32(v, m->tx_connect_speed); return 4;
	case L2TP_AVP_PHYSICAL_CHANNEL_ID: put_u32(v, m->physical_channel_id); return 4;
	case L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ: b = &m->initial_received_lcp_confreq; break;
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ: b = &m->last_sent_lcp_confreq; break;
	case L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ: b = &m->last_received_lcp_confreq; break;
	case L2TP_AVP_PROXY_AUTHEN_TYPE: wire_put_u16(v, m->proxy_authen_type); return 2;
	case L2TP_AVP_PROXY_AUTHEN_NAME: b = &m->proxy_authen_name; break;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE: b = &m->proxy_authen_challenge; break;
	case L2TP_AVP_PROXY_AUTHEN_ID: v[0] = 0; v[1] = m->proxy_authen_id; return 2;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE: b = &m->proxy_authen_response; break;
	case L2TP_AVP_CALL_ERRORS:
		v[0] = v[1] = 0;
		put_u32(v + 2, m->call_errors.crc_errors);
		put_u32(v + 6, m->call_errors.framing_errors);
		put_u32(v + 10, m->call_errors.hardware_overruns);
		put_u32(v + 14, m->call_errors.buffer_overruns);
		put_u32(v + 18, m->call_errors.timeout_errors);
		put_u32(v + 22, m->call_errors.alignment_errors);
		return 26;
	case L2TP_AVP_ACCM:
		v[0] = v[1] = 0;
		put_u32(v + 2, m->accm_send);
		put_u32(v + 6, m->accm_recv);
		return 10;
	case L2TP_AVP_RANDOM_VECTOR: b = &m->random_vector; break;
	case L2TP_AVP_PRIVATE_GROUP_ID: b = &m->private_group_id; break;
	case L2TP_AVP_RX_CONNECT_SPEED: put_u32(v, m->rx_connect_speed); return 4;
	case L2TP_AVP_SEQUENCING_REQUIRED: return 0;
	default: return 0;
	}
	(void)rule;
	n = b->len;
	if (n > AVPMAX)
		n = AVPMAX;
	if (n)
		memcpy(v, b->p, n);
	return n;
}

static void put_avp(struct wire_wr *w, unsigned type, bool mandatory, bool hidden,
		    const uint8_t *v, size_t n)
{
	uint16_t flags = (uint16_t)((mandatory ? L2TP_AVP_M : 0) | (hidden ? L2TP_AVP_H : 0));

	if (n > AVPMAX) {
		w->overflow = true;
		return;
	}
	wire_wr_u16(w, (uint16_t)(flags | (L2TP_AVP_HDR_LEN + n)));
	wire_wr_u16(w, 0);
	wire_wr_u16(w, (uint16_t)type);
	wire_wr_bytes(w, v, n);
}

size_t l2tp_msg_encode(const struct l2tp_msg *m, uint16_t tunnel_id,
		       uint16_t session_id, uint16_t ns, uint16_t nr,
		       const struct l2tp_hide *hide, uint8_t *buf, size_t cap)
{
	struct wire_wr w;
	uint8_t v[AVPMAX];
	uint8_t hidden[AVPMAX];
	size_t n;
	bool rv_done = false;

	wire_wr_init(&w, buf, cap);
	if (l2tp_ctrl_header_write(buf, cap, tunnel_id, session_id, ns, nr) == 0)
		return 0;
	w.len = L2TP_CTRL_HDR_LEN;
	if (!m->zlb) {
		n = avp_value(m, L2TP_AVP_MESSAGE_TYPE, v);
		put_avp(&w, L2TP_AVP_MESSAGE_TYPE, true, false, v, n);
		for (unsigned t = 1; t < L2TP_AVP_TYPE_MAX; t++) {
			bool hide_it;

			if (!(m->present & L2TP_AVP_BIT(t)) || avp_rules[t].kind == K_NONE)
				continue;
			if (t == L2TP_AVP_RANDOM_VECTOR && hide)
				continue; /* the hiding RV is the one we emit */
			hide_it = hide && (hide->mask & L2TP_AVP_BIT(t)) &&
				  !avp_rules[t].never_hidden;
			n = avp_value(m, t, v);
			if (!hide_it) {
				put_avp(&w, t, avp_rules[t].mandatory, false, v, n);
				continue;
			}
			if (!rv_done) {
				put_avp(&w, L2TP_AVP_RANDOM_VECTOR, true, false, hide->rv,
					hide->rv_len);
				rv_done = true;
			}
			/* No padding: 4.3 allows it to hide the length,
			 * but a fixed policy is the caller's choice. */
			n = l2tp_avp_hide((uint16_t)t, &hide->secret, hide->rv, hide->rv_len,
					  v, n, NULL, 0, hidden, sizeof(hidden));
			if (n == 0)
				return 0;
			put_avp(&w, t, avp_rules[t].mandatory, true, hidden, n);
		}
	}
	if (w.overflow)
		return 0;
	wire_wr_put_u16_at(&w, 2, (uint16_t)w.len);
	return w.len;
}

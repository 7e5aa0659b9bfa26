/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ops of the GSSAPI packages ("Kerberos", "Negotiate"): MIT GSSAPI with
 * the package's mechanism OID (pkg->mech).  Everything a token or a message
 * carries is checked by GSSAPI; this file only moves bytes between SecBuffers
 * and gss buffers and turns GSSAPI's status into Windows' (gss_to_sec()).
 */
#include <com_err.h>
#include <errno.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "package.h"

struct gss_cred {
	gss_cred_id_t cred;
};

struct gss_state {
	gss_ctx_id_t ctx;
	gss_name_t target; /* client side */
	gss_name_t peer;   /* server side: the client */
	gss_OID mech;      /* the mechanism actually used (krb5 under SPNEGO) */
	time_t expiry;
};

/* ---- Status ---------------------------------------------------------------- */

/* The krb5 errors that have their own Windows code.  Under SPNEGO the minor
 * status is an opaque number mapped by the mechglue, so a minor is matched
 * by value (the krb5 mechanism passes krb5 codes through) or by the text
 * GSSAPI gives for it. */
static const struct {
	krb5_error_code code;
	SECURITY_STATUS st;
} krb5_codes[] = {
	{KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, SEC_E_TARGET_UNKNOWN},
	{KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN, SEC_E_LOGON_DENIED},
	{KRB5KDC_ERR_PREAUTH_FAILED, SEC_E_LOGON_DENIED},
	{KRB5KRB_AP_ERR_BAD_INTEGRITY, SEC_E_LOGON_DENIED},
	{KRB5KDC_ERR_CLIENT_REVOKED, SEC_E_LOGON_DENIED},
	{KRB5KDC_ERR_KEY_EXP, SEC_E_LOGON_DENIED},
	{KRB5KRB_AP_WRONG_PRINC, SEC_E_WRONG_PRINCIPAL},
	{KRB5KRB_AP_ERR_NOT_US, SEC_E_WRONG_PRINCIPAL},
	{KRB5KRB_AP_ERR_NOKEY, SEC_E_WRONG_PRINCIPAL},
	{KRB5KRB_AP_ERR_BADKEYVER, SEC_E_WRONG_PRINCIPAL},
	{KRB5_KT_NOTFOUND, SEC_E_WRONG_PRINCIPAL},
	{KRB5KRB_AP_ERR_SKEW, SEC_E_TIME_SKEW},
	{KRB5KRB_AP_ERR_TKT_EXPIRED, SEC_E_CONTEXT_EXPIRED},
	{KRB5KRB_AP_ERR_REPEAT, SEC_E_INVALID_TOKEN},
	{KRB5_KDC_UNREACH, SEC_E_NO_AUTHENTICATING_AUTHORITY},
	{KRB5_REALM_UNKNOWN, SEC_E_NO_AUTHENTICATING_AUTHORITY},
	{KRB5_FCC_NOFILE, SEC_E_NO_CREDENTIALS},
	{KRB5_CC_NOTFOUND, SEC_E_NO_CREDENTIALS},
	{KRB5_PARSE_MALFORMED, SEC_E_UNKNOWN_CREDENTIALS},
	{ENOMEM, SEC_E_INSUFFICIENT_MEMORY},
};

static bool minor_text(OM_uint32 minor, char *buf, size_t size)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
	if (GSS_ERROR(gss_display_status(&min, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &text)))
		return false;
	snprintf(buf, size, "%.*s", (int)text.length, (const char *)text.value);
	gss_release_buffer(&min, &text);
	return true;
}

/* krb5's extended messages, which name the principal and so do not start
 * with the code's own message (MIT 1.20). */
static const struct {
	const char *prefix, *contains;
	SECURITY_STATUS st;
} krb5_texts[] = {
	{"Client ", " not found in Kerberos database", SEC_E_LOGON_DENIED},
	{"Server ", " not found in Kerberos database", SEC_E_TARGET_UNKNOWN},
	{"Request ticket server ", " not found in keytab", SEC_E_WRONG_PRINCIPAL},
	{"Cannot find key for ", " in keytab", SEC_E_WRONG_PRINCIPAL},
	{"No key table entry found", "", SEC_E_WRONG_PRINCIPAL},
};

/* SEC_E_OK when the minor is none of the known krb5 errors. */
static SECURITY_STATUS from_minor(OM_uint32 minor)
{
	char text[512];
	size_t n = sizeof(krb5_codes) / sizeof(krb5_codes[0]);
	for (size_t i = 0; i < n; i++)
		if ((OM_uint32)krb5_codes[i].code == minor)
			return krb5_codes[i].st;
	if (minor == 0 || !minor_text(minor, text, sizeof(text)))
		return SEC_E_OK;
	for (size_t i = 0; i < n; i++) {
		const char *msg = error_message(krb5_codes[i].code);
		if (msg && strncmp(text, msg, strlen(msg)) == 0)
			return krb5_codes[i].st;
	}
	for (size_t i = 0; i < sizeof(krb5_texts) / sizeof(krb5_texts[0]); i++)
		if (strncmp(text, krb5_texts[i].prefix, strlen(krb5_texts[i].prefix)) == 0 &&
		    strstr(text, krb5_texts[i].contains))
			return krb5_texts[i].st;
	return SEC_E_OK;
}

static SECURITY_STATUS gss_to_sec(OM_uint32 major, OM_uint32 minor)
{
	if (major == GSS_S_COMPLETE)
		return SEC_E_OK;
	if (major == GSS_S_CONTINUE_NEEDED)
		return SEC_I_CONTINUE_NEEDED;
	if (major & GSS_S_DUPLICATE_TOKEN || major & GSS_S_OLD_TOKEN || major & GSS_S_UNSEQ_TOKEN ||
	    major & GSS_S_GAP_TOKEN)
		if (!GSS_ERROR(major))
			return SEC_E_OUT_OF_SEQUENCE;
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_BAD_MECH:
		return SEC_E_SECPKG_NOT_FOUND;
	case GSS_S_BAD_NAME:
	case GSS_S_BAD_NAMETYPE:
		return SEC_E_TARGET_UNKNOWN;
	case GSS_S_BAD_BINDINGS:
		return SEC_E_BAD_BINDINGS;
	case GSS_S_BAD_SIG:
		return SEC_E_MESSAGE_ALTERED;
	case GSS_S_NO_CRED:
	case GSS_S_CREDENTIALS_EXPIRED: {
		SECURITY_STATUS st = from_minor(minor);
		return st != SEC_E_OK ? st : SEC_E_NO_CREDENTIALS;
	}
	case GSS_S_NO_CONTEXT:
		return SEC_E_INVALID_HANDLE;
	case GSS_S_DEFECTIVE_TOKEN:
		return SEC_E_INVALID_TOKEN;
	case GSS_S_DEFECTIVE_CREDENTIAL:
		return SEC_E_UNKNOWN_CREDENTIALS;
	case GSS_S_CONTEXT_EXPIRED:
		return SEC_E_CONTEXT_EXPIRED;
	case GSS_S_BAD_QOP:
		return SEC_E_QOP_NOT_SUPPORTED;
	case GSS_S_UNAUTHORIZED:
		return SEC_E_LOGON_DENIED;
	case GSS_S_UNAVAILABLE:
		return SEC_E_UNSUPPORTED_FUNCTION;
	default: {
		SECURITY_STATUS st = from_minor(minor);
		return st != SEC_E_OK ? st : SEC_E_INTERNAL_ERROR;
	}
	}
}

/* ---- Names ------------------------------------------------------------------ */

static SECURITY_STATUS name_import(const char *s, gss_name_t *out)
{
	OM_uint32 minor;
	gss_buffer_desc b = {.length = strlen(s), .value = (void *)s};
	OM_uint32 major = gss_import_name(&minor, &b, GSS_KRB5_NT_PRINCIPAL_NAME, out);
	if (GSS_ERROR(major))
		return GSS_ROUTINE_ERROR(major) == GSS_S_BAD_NAME ? SEC_E_TARGET_UNKNOWN : gss_to_sec(major, minor);
	return SEC_E_OK;
}

static SECURITY_STATUS name_display(gss_name_t name, char **out)
{
	OM_uint32 minor;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	OM_uint32 major = gss_display_name(&minor, name, &b, NULL);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	*out = strndup(b.value, b.length);
	gss_release_buffer(&minor, &b);
	return *out ? SEC_E_OK : SEC_E_INSUFFICIENT_MEMORY;
}

static time_t lifetime_end(OM_uint32 rec)
{
	return rec == GSS_C_INDEFINITE ? (time_t)-1 : time(NULL) + (time_t)rec;
}

/* ---- Credentials ------------------------------------------------------------ */

static SECURITY_STATUS acquire_password(const struct sspi_identity *id, gss_OID_set mechs,
                                        gss_cred_usage_t usage, gss_cred_id_t *cred, OM_uint32 *rec)
{
	OM_uint32 minor, major;
	char *princ = NULL;
	gss_name_t name = GSS_C_NO_NAME;
	if (!id->user || !*id->user || !id->password)
		return SEC_E_UNKNOWN_CREDENTIALS;
	int n = id->domain && *id->domain ? asprintf(&princ, "%s@%s", id->user, id->domain)
	                                   : asprintf(&princ, "%s", id->user);
	if (n < 0)
		return SEC_E_INSUFFICIENT_MEMORY;
	SECURITY_STATUS st = name_import(princ, &name);
	free(princ);
	if (st != SEC_E_OK)
		return st == SEC_E_TARGET_UNKNOWN ? SEC_E_UNKNOWN_CREDENTIALS : st;
	gss_buffer_desc pw = {.length = strlen(id->password), .value = id->password};
	major = gss_acquire_cred_with_password(&minor, name, &pw, GSS_C_INDEFINITE, mechs, usage, cred, NULL, rec);
	OM_uint32 m2;
	gss_release_name(&m2, &name);
	if (GSS_ERROR(major)) {
		st = from_minor(minor);
		return st != SEC_E_OK ? st : gss_to_sec(major, minor);
	}
	return SEC_E_OK;
}

static SECURITY_STATUS g_acquire(const struct sspi_package *pkg, const char *principal, ULONG use,
                                 const struct sspi_identity *id, void **out, time_t *expiry)
{
	OM_uint32 minor, major, rec = 0;
	gss_OID_set_desc mechs = {1, (gss_OID)pkg->mech};
	gss_cred_usage_t usage = use == SECPKG_CRED_BOTH       ? GSS_C_BOTH
	                         : use == SECPKG_CRED_INBOUND ? GSS_C_ACCEPT
	                                                      : GSS_C_INITIATE;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_name_t name = GSS_C_NO_NAME;
	SECURITY_STATUS st;

	struct gss_cred *c = calloc(1, sizeof(*c));
	if (!c)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (id) {
		st = acquire_password(id, &mechs, usage, &cred, &rec);
	} else {
		st = principal ? name_import(principal, &name) : SEC_E_OK;
		if (st == SEC_E_TARGET_UNKNOWN)
			st = SEC_E_UNKNOWN_CREDENTIALS;
		if (st == SEC_E_OK) {
			major = gss_acquire_cred(&minor, name, GSS_C_INDEFINITE, &mechs, usage, &cred, NULL, &rec);
			st = GSS_ERROR(major) ? gss_to_sec(major, minor) : SEC_E_OK;
			/* No keytab, no key in it, no ticket cache. */
			if (st == SEC_E_INTERNAL_ERROR || st == SEC_E_WRONG_PRINCIPAL)
				st = SEC_E_NO_CREDENTIALS;
		}
		gss_release_name(&minor, &name);
	}
	if (st != SEC_E_OK) {
		free(c);
		return st;
	}
	c->cred = cred;
	*out = c;
	*expiry = lifetime_end(rec);
	return SEC_E_OK;
}

static void g_cred_free(void *p)
{
	struct gss_cred *c = p;
	OM_uint32 minor;
	gss_release_cred(&minor, &c->cred);
	free(c);
}

static SECURITY_STATUS g_cred_name(void *p, char **out)
{
	struct gss_cred *c = p;
	OM_uint32 minor;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major = gss_inquire_cred(&minor, c->cred, &name, NULL, NULL, NULL);
	if (GSS_ERROR(major) || name == GSS_C_NO_NAME)
		return SEC_E_NO_CREDENTIALS; /* an acceptor for any key has no one name */
	SECURITY_STATUS st = name_display(name, out);
	gss_release_name(&minor, &name);
	return st;
}

/* ---- Handshake --------------------------------------------------------------- */

static OM_uint32 req_to_gss(ULONG req)
{
	OM_uint32 f = 0;
	if (req & ISC_REQ_DELEGATE)
		f |= GSS_C_DELEG_FLAG;
	if (req & ISC_REQ_MUTUAL_AUTH)
		f |= GSS_C_MUTUAL_FLAG;
	if (req & ISC_REQ_REPLAY_DETECT)
		f |= GSS_C_REPLAY_FLAG;
	if (req & ISC_REQ_SEQUENCE_DETECT)
		f |= GSS_C_SEQUENCE_FLAG;
	if (req & ISC_REQ_CONFIDENTIALITY)
		f |= GSS_C_CONF_FLAG;
	if (req & ISC_REQ_INTEGRITY)
		f |= GSS_C_INTEG_FLAG;
	if (req & ISC_REQ_IDENTIFY)
		f |= GSS_C_IDENTIFY_FLAG;
	return f;
}

/* The ISC_RET and ASC_RET bits for these flags share values except
 * INTEGRITY and IDENTIFY. */
static ULONG gss_to_ret(OM_uint32 f, bool server)
{
	ULONG r = 0;
	if (f & GSS_C_DELEG_FLAG)
		r |= ISC_RET_DELEGATE;
	if (f & GSS_C_MUTUAL_FLAG)
		r |= ISC_RET_MUTUAL_AUTH;
	if (f & GSS_C_REPLAY_FLAG)
		r |= ISC_RET_REPLAY_DETECT;
	if (f & GSS_C_SEQUENCE_FLAG)
		r |= ISC_RET_SEQUENCE_DETECT;
	if (f & GSS_C_CONF_FLAG)
		r |= ISC_RET_CONFIDENTIALITY;
	if (f & GSS_C_INTEG_FLAG)
		r |= server ? ASC_RET_INTEGRITY : ISC_RET_INTEGRITY;
	if (f & GSS_C_IDENTIFY_FLAG)
		r |= server ? ASC_RET_IDENTIFY : ISC_RET_IDENTIFY;
	return r;
}

static void state_free(struct gss_state *s)
{
	OM_uint32 minor;
	if (!s)
		return;
	if (s->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &s->ctx, GSS_C_NO_BUFFER);
	gss_release_name(&minor, &s->target);
	gss_release_name(&minor, &s->peer);
	free(s);
}

static SECURITY_STATUS take_output(gss_buffer_desc *tok, struct sspi_blob *out)
{
	OM_uint32 minor;
	out->data = NULL;
	out->len = 0;
	if (tok->length) {
		out->data = malloc(tok->length);
		if (!out->data) {
			gss_release_buffer(&minor, tok);
			return SEC_E_INSUFFICIENT_MEMORY;
		}
		memcpy(out->data, tok->value, tok->length);
		out->len = tok->length;
	}
	gss_release_buffer(&minor, tok);
	return SEC_E_OK;
}

/* Under SPNEGO an init failure's minor is opaque: ask the krb5 mechanism
 * itself, with the same credentials and target, what went wrong. */
static SECURITY_STATUS init_probe(gss_cred_id_t cred, gss_name_t target, OM_uint32 flags)
{
	OM_uint32 minor, m2, major;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
	major = gss_init_sec_context(&minor, cred, &ctx, target, gss_mech_krb5, flags, 0, GSS_C_NO_CHANNEL_BINDINGS,
	                             GSS_C_NO_BUFFER, NULL, &out, NULL, NULL);
	gss_release_buffer(&m2, &out);
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&m2, &ctx, GSS_C_NO_BUFFER);
	return GSS_ERROR(major) ? gss_to_sec(major, minor) : SEC_E_OK;
}

static SECURITY_STATUS g_init(const struct sspi_package *pkg, struct gss_cred *c, struct gss_state *s,
                              ULONG req, const struct sspi_blob *in, gss_buffer_desc *out, OM_uint32 *flags,
                              OM_uint32 *rec)
{
	OM_uint32 minor;
	gss_buffer_desc intok = {.length = in ? in->len : 0, .value = in ? in->data : NULL};
	gss_cred_id_t cred = c ? c->cred : GSS_C_NO_CREDENTIAL;
	OM_uint32 major = gss_init_sec_context(&minor, cred, &s->ctx, s->target, (gss_OID)pkg->mech, req_to_gss(req),
	                                       0, GSS_C_NO_CHANNEL_BINDINGS, in ? &intok : GSS_C_NO_BUFFER,
	                                       &s->mech, out, flags, rec);
	SECURITY_STATUS st = gss_to_sec(major, minor);
	const gss_OID_desc *mech = pkg->mech;
	bool krb5 = mech->length == gss_mech_krb5->length &&
	            memcmp(mech->elements, gss_mech_krb5->elements, mech->length) == 0;
	if (GSS_ERROR(major) && !krb5 && !in) {
		SECURITY_STATUS precise = init_probe(cred, s->target, req_to_gss(req));
		if (precise != SEC_E_OK && precise != SEC_E_INTERNAL_ERROR)
			st = precise;
	}
	return st;
}

static SECURITY_STATUS g_accept(struct gss_cred *c, struct gss_state *s, const struct sspi_blob *in,
                                gss_buffer_desc *out, OM_uint32 *flags, OM_uint32 *rec)
{
	OM_uint32 minor, m2;
	gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
	gss_buffer_desc intok = {.length = in->len, .value = in->data};
	gss_release_name(&m2, &s->peer);
	OM_uint32 major = gss_accept_sec_context(&minor, &s->ctx, c->cred, &intok, GSS_C_NO_CHANNEL_BINDINGS,
	                                         &s->peer, &s->mech, out, flags, rec, &deleg);
	gss_release_cred(&m2, &deleg); /* delegation is not offered */
	SECURITY_STATUS st = gss_to_sec(major, minor);
	/* Windows' code for any token GSSAPI could not make sense of (an
	 * unknown mechanism or name in it included). */
	switch (st) {
	case SEC_E_NO_CREDENTIALS: /* the token names a key we do not hold */
		return SEC_E_WRONG_PRINCIPAL;
	case SEC_E_OK:
	case SEC_I_CONTINUE_NEEDED:
	case SEC_E_WRONG_PRINCIPAL:
	case SEC_E_TIME_SKEW:
	case SEC_E_CONTEXT_EXPIRED:
	case SEC_E_LOGON_DENIED:
	case SEC_E_MESSAGE_ALTERED:
	case SEC_E_OUT_OF_SEQUENCE:
	case SEC_E_BAD_BINDINGS:
	case SEC_E_INSUFFICIENT_MEMORY:
		return st;
	default:
		return SEC_E_INVALID_TOKEN;
	}
}

static SECURITY_STATUS g_step(const struct sspi_package *pkg, void *cred, void **statep, bool server,
                              const char *target, ULONG req, const struct sspi_blob *in, struct sspi_blob *out,
                              ULONG *ret, bool *done)
{
	struct gss_state *s = *statep;
	OM_uint32 minor, flags = 0, rec = 0;
	gss_buffer_desc tok = GSS_C_EMPTY_BUFFER;
	SECURITY_STATUS st;
	bool fresh = !s;

	if (fresh) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return SEC_E_INSUFFICIENT_MEMORY;
		s->ctx = GSS_C_NO_CONTEXT;
		if (!server) {
			st = target ? name_import(target, &s->target) : SEC_E_TARGET_UNKNOWN;
			if (st != SEC_E_OK) {
				free(s);
				return st;
			}
		}
	}
	st = server ? g_accept(cred, s, in, &tok, &flags, &rec) : g_init(pkg, cred, s, req, in, &tok, &flags, &rec);
	if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
		gss_release_buffer(&minor, &tok); /* an error token is not passed on */
		if (fresh)
			state_free(s);
		return st;
	}
	SECURITY_STATUS t = take_output(&tok, out);
	if (t != SEC_E_OK) {
		if (fresh)
			state_free(s);
		return t;
	}
	*statep = s;
	*ret = gss_to_ret(flags, server);
	*done = st == SEC_E_OK;
	if (*done)
		s->expiry = lifetime_end(rec);
	return st;
}

static void g_ctx_free(void *state)
{
	state_free(state);
}

/* ---- Established contexts ------------------------------------------------------ */

static SECURITY_STATUS g_names(void *state, char **client, char **server)
{
	struct gss_state *s = state;
	OM_uint32 minor;
	/* The accepted client's name is at hand: gss_inquire_context() would
	 * convert two names again (a krb5 context made for each). */
	if (s->peer != GSS_C_NO_NAME && client && !server)
		return name_display(s->peer, client);
	gss_name_t src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
	OM_uint32 major = gss_inquire_context(&minor, s->ctx, &src, &targ, NULL, NULL, NULL, NULL, NULL);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	SECURITY_STATUS st = client ? name_display(src, client) : SEC_E_OK;
	if (st == SEC_E_OK && server) {
		st = name_display(targ, server);
		if (st != SEC_E_OK && client) {
			free(*client);
			*client = NULL;
		}
	}
	gss_release_name(&minor, &src);
	gss_release_name(&minor, &targ);
	return st;
}

/*
 * gss_localname() makes and frees a krb5 context per call (its profile
 * read, about half of what the layer would add to a handshake), so the
 * mapping uses one context of the library's own, made on first use and
 * kept (auth_to_local rules are read once per process), with the krb5 call
 * gss_localname() makes: krb5_aname_to_localname().
 */
static pthread_mutex_t k5_lock = PTHREAD_MUTEX_INITIALIZER;
static krb5_context k5;

static SECURITY_STATUS g_local_name(void *state, const char *principal, char **user)
{
	(void)state;
	char buf[256];
	krb5_principal p = NULL;
	SECURITY_STATUS st = SEC_E_LOGON_DENIED;
	pthread_mutex_lock(&k5_lock);
	if (!k5 && krb5_init_context(&k5) != 0)
		k5 = NULL;
	if (k5 && krb5_parse_name(k5, principal, &p) == 0) {
		if (krb5_aname_to_localname(k5, p, sizeof(buf), buf) == 0 && buf[0])
			st = SEC_E_OK;
		krb5_free_principal(k5, p);
	}
	pthread_mutex_unlock(&k5_lock);
	if (st != SEC_E_OK)
		return st;
	*user = strdup(buf);
	return *user ? SEC_E_OK : SEC_E_INSUFFICIENT_MEMORY;
}

static time_t g_expiry(void *state)
{
	return ((struct gss_state *)state)->expiry;
}

static SECURITY_STATUS g_sizes(void *state, SecPkgContext_Sizes *sz)
{
	struct gss_state *s = state;
	OM_uint32 minor, major;
	gss_iov_buffer_desc mic[2] = {{.type = GSS_IOV_BUFFER_TYPE_DATA}, {.type = GSS_IOV_BUFFER_TYPE_MIC_TOKEN}};
	gss_iov_buffer_desc wrap[4] = {{.type = GSS_IOV_BUFFER_TYPE_HEADER},
	                               {.type = GSS_IOV_BUFFER_TYPE_DATA, .buffer = {.length = 1}},
	                               {.type = GSS_IOV_BUFFER_TYPE_PADDING},
	                               {.type = GSS_IOV_BUFFER_TYPE_TRAILER}};
	major = gss_get_mic_iov_length(&minor, s->ctx, GSS_C_QOP_DEFAULT, mic, 2);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	major = gss_wrap_iov_length(&minor, s->ctx, 1, GSS_C_QOP_DEFAULT, NULL, wrap, 4);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	sz->cbMaxSignature = (ULONG)mic[1].buffer.length;
	sz->cbSecurityTrailer = (ULONG)(wrap[0].buffer.length + wrap[3].buffer.length);
	sz->cbBlockSize = (ULONG)wrap[2].buffer.length + 1;
	return SEC_E_OK;
}

static SECURITY_STATUS g_sign(void *state, const struct sspi_blob *msg, struct sspi_blob *micb)
{
	struct gss_state *s = state;
	OM_uint32 minor;
	gss_buffer_desc m = {.length = msg->len, .value = msg->data}, t = GSS_C_EMPTY_BUFFER;
	OM_uint32 major = gss_get_mic(&minor, s->ctx, GSS_C_QOP_DEFAULT, &m, &t);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	if (t.length > micb->len) {
		gss_release_buffer(&minor, &t);
		return SEC_E_BUFFER_TOO_SMALL;
	}
	memcpy(micb->data, t.value, t.length);
	micb->len = t.length;
	gss_release_buffer(&minor, &t);
	return SEC_E_OK;
}

/* A bad message or token is the peer's: never SEC_E_INTERNAL_ERROR. */
static SECURITY_STATUS message_status(OM_uint32 major, OM_uint32 minor)
{
	if (GSS_ROUTINE_ERROR(major) == GSS_S_FAILURE || GSS_ROUTINE_ERROR(major) == GSS_S_DEFECTIVE_TOKEN)
		return SEC_E_MESSAGE_ALTERED;
	if (!GSS_ERROR(major) && GSS_SUPPLEMENTARY_INFO(major))
		return SEC_E_OUT_OF_SEQUENCE;
	return gss_to_sec(major, minor);
}

static SECURITY_STATUS g_verify(void *state, const struct sspi_blob *msg, const struct sspi_blob *micb)
{
	struct gss_state *s = state;
	OM_uint32 minor;
	gss_buffer_desc m = {.length = msg->len, .value = msg->data}, t = {.length = micb->len, .value = micb->data};
	OM_uint32 major = gss_verify_mic(&minor, s->ctx, &m, &t, NULL);
	return major == GSS_S_COMPLETE ? SEC_E_OK : message_status(major, minor);
}

static SecBuffer *find_buffer(SecBufferDesc *m, ULONG type)
{
	for (ULONG i = 0; i < m->cBuffers; i++)
		if ((m->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK) == type)
			return &m->pBuffers[i];
	return NULL;
}

static SECURITY_STATUS g_seal(void *state, bool encrypt, SecBufferDesc *m)
{
	struct gss_state *s = state;
	OM_uint32 minor, major;
	SecBuffer *tok = find_buffer(m, SECBUFFER_TOKEN), *data = find_buffer(m, SECBUFFER_DATA),
	          *pad = find_buffer(m, SECBUFFER_PADDING);
	if (!tok || !data || (!tok->pvBuffer && tok->cbBuffer) || (!data->pvBuffer && data->cbBuffer))
		return SEC_E_INVALID_TOKEN;
	/* No TRAILER: the header holds it (RRC), the layout Windows' Kerberos
	 * uses, so the token is cbSecurityTrailer bytes. */
	gss_iov_buffer_desc iov[3] = {
		{.type = GSS_IOV_BUFFER_TYPE_HEADER},
		{.type = GSS_IOV_BUFFER_TYPE_DATA, .buffer = {.length = data->cbBuffer, .value = data->pvBuffer}},
		{.type = GSS_IOV_BUFFER_TYPE_PADDING},
	};
	int n = pad ? 3 : 2;
	major = gss_wrap_iov_length(&minor, s->ctx, encrypt, GSS_C_QOP_DEFAULT, NULL, iov, n);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	if (iov[0].buffer.length > tok->cbBuffer || (pad && iov[2].buffer.length > pad->cbBuffer))
		return SEC_E_BUFFER_TOO_SMALL;
	iov[0].buffer.value = tok->pvBuffer;
	if (pad)
		iov[2].buffer.value = pad->pvBuffer;
	int conf = 0;
	major = gss_wrap_iov(&minor, s->ctx, encrypt, GSS_C_QOP_DEFAULT, &conf, iov, n);
	if (GSS_ERROR(major))
		return gss_to_sec(major, minor);
	if (encrypt && !conf)
		return SEC_E_QOP_NOT_SUPPORTED;
	tok->cbBuffer = (ULONG)iov[0].buffer.length;
	if (pad)
		pad->cbBuffer = (ULONG)iov[2].buffer.length;
	return SEC_E_OK;
}

static SECURITY_STATUS g_unseal(void *state, SecBufferDesc *m, bool *encrypted)
{
	struct gss_state *s = state;
	OM_uint32 minor, major;
	int conf = 0;
	SecBuffer *stream = find_buffer(m, SECBUFFER_STREAM), *data = find_buffer(m, SECBUFFER_DATA);
	if (!data)
		return SEC_E_INVALID_TOKEN;
	if (stream) {
		if (!stream->pvBuffer || stream->cbBuffer == 0)
			return SEC_E_INVALID_TOKEN;
		gss_iov_buffer_desc iov[2] = {
			{.type = GSS_IOV_BUFFER_TYPE_STREAM,
			 .buffer = {.length = stream->cbBuffer, .value = stream->pvBuffer}},
			{.type = GSS_IOV_BUFFER_TYPE_DATA},
		};
		major = gss_unwrap_iov(&minor, s->ctx, &conf, NULL, iov, 2);
		if (GSS_ERROR(major) || GSS_SUPPLEMENTARY_INFO(major))
			return message_status(major, minor);
		data->pvBuffer = iov[1].buffer.value;
		data->cbBuffer = (ULONG)iov[1].buffer.length;
	} else {
		SecBuffer *tok = find_buffer(m, SECBUFFER_TOKEN), *pad = find_buffer(m, SECBUFFER_PADDING);
		if (!tok || !tok->pvBuffer || !tok->cbBuffer || (!data->pvBuffer && data->cbBuffer))
			return SEC_E_INVALID_TOKEN;
		gss_iov_buffer_desc iov[3] = {
			{.type = GSS_IOV_BUFFER_TYPE_HEADER, .buffer = {.length = tok->cbBuffer, .value = tok->pvBuffer}},
			{.type = GSS_IOV_BUFFER_TYPE_DATA, .buffer = {.length = data->cbBuffer, .value = data->pvBuffer}},
			{.type = GSS_IOV_BUFFER_TYPE_PADDING},
		};
		if (pad) {
			iov[2].buffer.length = pad->cbBuffer;
			iov[2].buffer.value = pad->pvBuffer;
		}
		major = gss_unwrap_iov(&minor, s->ctx, &conf, NULL, iov, pad ? 3 : 2);
		if (GSS_ERROR(major) || GSS_SUPPLEMENTARY_INFO(major))
			return message_status(major, minor);
		data->cbBuffer = (ULONG)iov[1].buffer.length;
	}
	*encrypted = conf != 0;
	return SEC_E_OK;
}

const struct sspi_ops gss_ops = {
	.acquire = g_acquire,
	.cred_free = g_cred_free,
	.cred_name = g_cred_name,
	.step = g_step,
	.ctx_free = g_ctx_free,
	.names = g_names,
	.local_name = g_local_name,
	.expiry = g_expiry,
	.sizes = g_sizes,
	.sign = g_sign,
	.verify = g_verify,
	.seal = g_seal,
	.unseal = g_unseal,
};

/* The directory connection and the password check (see ldapc.h). */
#include "util/ldapc.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

LDAP *
ldapc_connect(const struct kr_config *cfg, char *err, size_t errlen)
{
    LDAP *ld = NULL;
    int v3 = LDAP_VERSION3, rc;
    struct timeval tv = {10, 0};
    if ((rc = ldap_initialize(&ld, cfg->ldap_uri)) != LDAP_SUCCESS) {
        snprintf(err, errlen, "%s: %s", cfg->ldap_uri, ldap_err2string(rc));
        return NULL;
    }
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    if (cfg->ldap_starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
        snprintf(err, errlen, "StartTLS: %s", ldap_err2string(rc));
        goto fail;
    }
    struct berval cred = {0, NULL};
    char pw[512] = "";
    if (cfg->ldap_bind_dn[0]) {
        FILE *f = cfg->ldap_bind_password_file[0] ? fopen(cfg->ldap_bind_password_file, "r") : NULL;
        if (f == NULL || fgets(pw, sizeof(pw), f) == NULL) {
            snprintf(err, errlen, "cannot read ldap_bind_password_file %s", cfg->ldap_bind_password_file);
            if (f)
                fclose(f);
            goto fail;
        }
        fclose(f);
        pw[strcspn(pw, "\r\n")] = '\0';
        cred.bv_val = pw;
        cred.bv_len = strlen(pw);
    }
    rc = ldap_sasl_bind_s(ld, cfg->ldap_bind_dn[0] ? cfg->ldap_bind_dn : NULL, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    memset(pw, 0, sizeof(pw));
    if (rc != LDAP_SUCCESS) {
        snprintf(err, errlen, "bind as %s: %s", cfg->ldap_bind_dn[0] ? cfg->ldap_bind_dn : "(anonymous)", ldap_err2string(rc));
        goto fail;
    }
    return ld;
fail:
    ldap_unbind_ext_s(ld, NULL, NULL);
    return NULL;
}

/* Escapes a value for a search filter (RFC 4515): * ( ) \ NUL as \XX. */
static void
filter_escape(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (; *in && o + 4 < size; in++) {
        if (strchr("*()\\", *in))
            o += (size_t)snprintf(out + o, size - o, "\\%02x", (unsigned char)*in);
        else
            out[o++] = *in;
    }
    out[o] = '\0';
}

int
ldapc_check_password(const struct kr_config *cfg, const char *login, const char *password, char *err, size_t errlen)
{
    /* An empty password would be an unauthenticated bind, which a directory accepts: never. */
    if (password == NULL || password[0] == '\0')
        return 0;
    LDAP *ld = ldapc_connect(cfg, err, errlen);
    if (ld == NULL)
        return -1;
    char esc[512], filter[1200];
    filter_escape(login, esc, sizeof(esc));
    snprintf(filter, sizeof(filter), "(&%s(%s=%s))", cfg->ldap_filter, cfg->ldap_attr_login, esc);
    char *attrs[] = {(char *)LDAP_NO_ATTRS, NULL};
    LDAPMessage *res = NULL;
    struct timeval tv = {10, 0};
    int rc = ldap_search_ext_s(ld, cfg->ldap_base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, &tv, 2, &res);
    int result = 0;
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        snprintf(err, errlen, "search: %s", ldap_err2string(rc));
        result = -1;
    } else if (ldap_count_entries(ld, res) == 1) {
        char *dn = ldap_get_dn(ld, ldap_first_entry(ld, res));
        struct berval cred = {strlen(password), (char *)password};
        /* The same connection, bound again as the person: their password decides. */
        rc = dn ? ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL) : LDAP_INVALID_CREDENTIALS;
        if (rc == LDAP_SUCCESS)
            result = 1;
        else if (rc != LDAP_INVALID_CREDENTIALS && rc != LDAP_INAPPROPRIATE_AUTH && rc != LDAP_UNWILLING_TO_PERFORM) {
            snprintf(err, errlen, "bind: %s", ldap_err2string(rc));
            result = -1;
        }
        ldap_memfree(dn);
    }
    ldap_msgfree(res);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return result;
}

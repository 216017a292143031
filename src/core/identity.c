/*
 * identity.c - who the operating system says is running inved, and the
 * form of the names inved stores.  The rule that decides which user a
 * session acts as lives in store_identity(); this file only answers "which
 * account is logged in" without trusting anything the environment says.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "identity.h"

bool identity_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > NAME_MAX_BYTES)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

enum inv_rc identity_account(char *buf, size_t len, struct inv_err *err)
{
	struct passwd pw, *found = NULL;
	uid_t uid = geteuid();
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 4096;
	char *scratch = NULL;
	enum inv_rc rc = INV_OK;
	int e;

	buf[0] = '\0';
	/* getpwuid_r says ERANGE until the scratch space is large enough. */
	for (;;) {
		char *more = realloc(scratch, size);

		if (!more) {
			free(scratch);
			return inv_err_set(err, INV_ERROR, "", _("out of memory"));
		}
		scratch = more;
		e = getpwuid_r(uid, &pw, scratch, size, &found);
		if (e != ERANGE || size > (1u << 20))
			break;
		size *= 2;
	}
	if (!found)
		rc = inv_err_set(err, INV_FORBIDDEN, "user",
			_("the account running inved (uid %lu) has no name in the "
			  "system's user database, and outside demo databases "
			  "inved acts as the logged-in account; run it from an "
			  "account with a name"),
			(unsigned long)uid);
	else if (!identity_name_ok(found->pw_name) ||
	         strlen(found->pw_name) >= len)
		rc = inv_err_set(err, INV_FORBIDDEN, "user",
			_("the account name of uid %lu is not one inved can "
			  "store (1 to %d letters, digits, '.', '_' or '-')"),
			(unsigned long)uid, NAME_MAX_BYTES);
	else
		snprintf(buf, len, "%s", found->pw_name);
	free(scratch);
	return rc;
}

const char *identity_role_name(enum inv_role role)
{
	return role == ROLE_ADMIN ? "admin" : "member";
}

/*
 * identity.h - who is acting: a user, the one org of this session, and the
 * role the membership gives.  The org always comes from here, never from
 * input (SPEC 3, tenancy).
 */
#ifndef INVED_IDENTITY_H
#define INVED_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

enum inv_role { ROLE_MEMBER = 0, ROLE_ADMIN = 1 };

#define NAME_MAX_BYTES 64

struct identity {
	int64_t user_id;
	char user[NAME_MAX_BYTES + 1];
	int64_t org_id;
	char org[NAME_MAX_BYTES + 1];
	enum inv_role role;
};

struct membership {
	char user[NAME_MAX_BYTES + 1];
	char org[NAME_MAX_BYTES + 1];
	enum inv_role role;
};

/* admin is at least member. */
static inline bool identity_at_least(const struct identity *who,
                                     enum inv_role need)
{
	return who->role >= need;
}

const char *identity_role_name(enum inv_role role); /* "member", "admin" */

/* Names of users and orgs as inved stores them: 1 to NAME_MAX_BYTES
 * characters of [A-Za-z0-9._-]. */
bool identity_name_ok(const char *name);

/* The logged-in account (SPEC 6a): the name in the passwd entry of the
 * effective uid, never $USER or getlogin(), which any process can set or
 * which name whoever owns the terminal.  Copied into buf (at least
 * NAME_MAX_BYTES + 1 bytes).  INV_FORBIDDEN, saying why, when the uid has no
 * entry or its name is not one inved can store. */
enum inv_rc identity_account(char *buf, size_t len, struct inv_err *err);

#endif

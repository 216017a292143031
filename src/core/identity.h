/*
 * identity.h - who is acting: a user, the one org of this session, and the
 * role the membership gives.  The org always comes from here, never from
 * input (SPEC 3, tenancy).
 */
#ifndef INVED_IDENTITY_H
#define INVED_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

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

#endif

/*
 * presence.c - who has which invoice open, without writing to the shared
 * database.
 *
 * An open form registers itself as one small file in a directory beside the
 * database (PATH.presence/) and holds an exclusive flock() on it for as long
 * as the form is open.  Liveness is the lock, not a heartbeat: a killed
 * terminal's lock goes with its process, so a reader that can take the lock
 * knows the holder is gone and removes the ghost at once.  Nothing here
 * commits to the database, so presence never enters the audit or the
 * change feed and never wakes another terminal's change watch.
 *
 * Why flock() and not fcntl() locks: fcntl locks belong to the process and
 * are dropped when any descriptor of the file closes, so a screen listing
 * presence would release its own registration.  flock() locks belong to the
 * open file description.  (SQLite itself serves one host, so the lock is
 * seen by every terminal that can open the database.)
 *
 * The files are untrusted like any text from the shared location: opened
 * without following links, never blocking, read up to a small limit, and
 * parsed strictly; anything else is skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "sqlite_store.h"

#define PRESENCE_SUFFIX ".presence"
#define PRESENCE_FILE_MAX 256

struct presence {
	struct presence_base base; /* first: store_presence_leave's way back */
	int fd;
	char *file;
};

/* PATH.presence beside the file itself (symbolic links resolved, as
 * SQLite keeps its -wal there: every way to the database meets in one
 * directory), or NULL without memory. */
char *sq_presence_dir(struct sq_store *st)
{
	char *real = realpath(st->path, NULL);
	const char *path = real ? real : st->path;
	size_t len = strlen(path) + sizeof PRESENCE_SUFFIX;
	char *dir = malloc(len);

	if (dir)
		snprintf(dir, len, "%s%s", path, PRESENCE_SUFFIX);
	free(real);
	return dir;
}

/* The directory's mode follows the database file's: whoever may open the
 * database may list and register presence (read bits give search bits). */
static mode_t presence_dir_mode(struct sq_store *st)
{
	struct stat sb;

	if (stat(st->path, &sb) != 0)
		return 0700;
	return (sb.st_mode & 0666) | ((sb.st_mode & 0444) >> 2);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_BYTES)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

enum inv_rc sq_presence_enter(struct sq_store *st, const struct identity *who,
                              int64_t invoice_id, const char *face,
                              struct presence **out, struct inv_err *err)
{
	char *dir = sq_presence_dir(st), *tmp = NULL;
	char body[PRESENCE_FILE_MAX], since[32];
	struct presence *p = calloc(1, sizeof *p);
	size_t flen;
	time_t now = time(NULL);
	struct tm tm;
	int w;

	*out = NULL;
	if (!dir || !p)
		goto nomem;
	p->base.be = &store_backend_sqlite;
	if (!name_ok(face))
		face = "screen";
	if (mkdir(dir, presence_dir_mode(st)) != 0 && errno != EEXIST)
		goto fail;
	flen = strlen(dir) + 96;
	p->file = malloc(flen);
	tmp = malloc(flen);
	if (!p->file || !tmp)
		goto nomem;
	/* The name carries what a reader filters on, so listing one
	 * invoice opens only its own files. */
	snprintf(p->file, flen, "%s/o%" PRId64 "-i%" PRId64 "-p%ld-%08lx", dir,
	         who->org_id, invoice_id, (long)getpid(),
	         (unsigned long)random() & 0xffffffffUL);
	/* Made under a name no reader looks at, locked and written, then
	 * renamed into place: a reader never meets an unlocked registration
	 * (which it would take for a dead terminal's and remove). */
	snprintf(tmp, flen, "%s/.new-p%ld-%08lx", dir, (long)getpid(),
	         (unsigned long)random() & 0xffffffffUL);
	p->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	             0644);
	if (p->fd < 0)
		goto fail;
	if (flock(p->fd, LOCK_EX | LOCK_NB) != 0)
		goto fail_file;
	gmtime_r(&now, &tm);
	strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
	w = snprintf(body, sizeof body, "inved-presence 1\t%s\t%s\t%s\t%ld\n",
	             who->user, face, since, (long)getpid());
	if (w < 0 || (size_t)w >= sizeof body ||
	    write(p->fd, body, (size_t)w) != (ssize_t)w ||
	    rename(tmp, p->file) != 0)
		goto fail_file;
	free(tmp);
	free(dir);
	*out = p;
	return INV_OK;
fail_file:
	unlink(tmp);
	close(p->fd);
fail:
	/* Presence is a courtesy: the caller carries on without it. */
	inv_err_set(err, INV_ERROR, "",
		_("cannot register who has the invoice open in %s: %s"),
		dir ? dir : "", strerror(errno));
	free(dir);
	free(tmp);
	if (p)
		free(p->file);
	free(p);
	return INV_ERROR;
nomem:
	free(dir);
	free(tmp);
	if (p)
		free(p->file);
	free(p);
	return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
}

void sq_presence_leave(struct presence *p)
{
	if (!p)
		return;
	unlink(p->file);
	close(p->fd); /* drops the lock */
	free(p->file);
	free(p);
}

/* Parse "inved-presence 1\tUSER\tFACE\tSINCE\tPID\n" strictly. */
static bool presence_parse(char *body, struct presence_entry *e)
{
	char *field[5], *save = NULL, *nl = strchr(body, '\n');
	char *end;
	long pid;
	int i = 0;

	if (!nl || nl[1] != '\0')
		return false;
	*nl = '\0';
	for (char *t = strtok_r(body, "\t", &save); t && i < 5;
	     t = strtok_r(NULL, "\t", &save))
		field[i++] = t;
	if (i != 5 || strtok_r(NULL, "\t", &save) ||
	    strcmp(field[0], "inved-presence 1") != 0)
		return false;
	if (!name_ok(field[1]) || !name_ok(field[2]) ||
	    strlen(field[2]) >= sizeof e->face || strlen(field[3]) != 20)
		return false;
	for (const char *c = field[3]; *c; c++)
		if (!((*c >= '0' && *c <= '9') || *c == '-' || *c == ':' ||
		      *c == 'T' || *c == 'Z'))
			return false;
	errno = 0;
	pid = strtol(field[4], &end, 10);
	if (errno || *end || pid <= 0)
		return false;
	snprintf(e->user, sizeof e->user, "%s", field[1]);
	snprintf(e->face, sizeof e->face, "%s", field[2]);
	snprintf(e->since, sizeof e->since, "%s", field[3]);
	e->pid = pid;
	return true;
}

/* Read one registration; false when it is not a live, well-formed one.
 * A file whose lock can be taken belongs to a terminal that is gone: it
 * is removed (when the directory lets us). */
static bool presence_read(int dfd, const char *name, struct presence_entry *e)
{
	char body[PRESENCE_FILE_MAX + 1];
	struct stat sb;
	ssize_t n;
	bool ok = false;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	                                   O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto out;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		unlinkat(dfd, name, 0); /* a ghost */
		goto out;
	}
	if (errno != EWOULDBLOCK)
		goto out;
	n = read(fd, body, PRESENCE_FILE_MAX);
	if (n <= 0)
		goto out;
	body[n] = '\0';
	if (strlen(body) != (size_t)n)
		goto out;
	ok = presence_parse(body, e);
out:
	close(fd);
	return ok;
}

enum inv_rc sq_presence_list(struct sq_store *st, const struct identity *who,
                             int64_t invoice_id,
                             struct presence_entry *out, size_t max,
                             size_t *n, struct inv_err *err)
{
	char *dir = sq_presence_dir(st), prefix[64];
	struct dirent *de;
	size_t plen;
	DIR *d;

	*n = 0;
	if (!dir)
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	d = opendir(dir);
	free(dir);
	if (!d)
		return INV_OK; /* nobody has registered yet */
	snprintf(prefix, sizeof prefix, "o%" PRId64 "-", who->org_id);
	plen = strlen(prefix);
	while (*n < max && (de = readdir(d))) {
		struct presence_entry e;
		int64_t inv;
		char *end;

		/* scoped to the org: another org's files are not opened */
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    de->d_name[plen] != 'i')
			continue;
		errno = 0;
		inv = strtoll(de->d_name + plen + 1, &end, 10);
		if (errno || *end != '-' || inv < 0)
			continue;
		if (invoice_id && inv != invoice_id)
			continue;
		memset(&e, 0, sizeof e);
		if (!presence_read(dirfd(d), de->d_name, &e))
			continue;
		e.invoice_id = inv;
		out[(*n)++] = e;
	}
	closedir(d);
	return INV_OK;
}

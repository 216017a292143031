/*
 * fuzz_db.c - the fuzz targets' throwaway database (see fuzz_db.h).
 */
#include "fuzz_db.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "store_demo.h"

static char dir[256];
static char paths[4][320];
static size_t npaths;
static char *snap;
static size_t snap_len;

static void fuzz_db_cleanup(void)
{
	char side[400];

	for (size_t i = 0; i < npaths; i++) {
		unlink(paths[i]);
		snprintf(side, sizeof side, "%s-wal", paths[i]);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", paths[i]);
		unlink(side);
	}
	if (dir[0])
		rmdir(dir);
	free(snap);
}

static _Noreturn void fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, detail);
	abort();
}

static void fuzz_dir_make(void)
{
	const char *tmp = getenv("TMPDIR");
	struct stat sb;

	if (dir[0])
		return;
	/* run.sh points TMPDIR into its own directory (on /dev/shm when it
	 * can), which it removes even after a crash skipped our atexit */
	if (!tmp || !*tmp)
		tmp = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
		              access("/dev/shm", W_OK) == 0
		              ? "/dev/shm"
		              : "/tmp";
	snprintf(dir, sizeof dir, "%s/inved-fuzz-XXXXXX", tmp);
	if (!mkdtemp(dir))
		fuzz_die("cannot make a temporary directory", dir);
	atexit(fuzz_db_cleanup);
}

const char *fuzz_db_create(const char *name)
{
	struct store *st = NULL;
	struct inv_err err;
	char *path;

	fuzz_dir_make();
	if (npaths >= sizeof paths / sizeof paths[0])
		fuzz_die("too many databases", name);
	path = paths[npaths++];
	snprintf(path, sizeof paths[0], "%s/%s", dir, name);
	memset(&err, 0, sizeof err);
	if (store_open(path,
	               &(struct store_options){STORE_OPEN_CREATE, 0},
	               &st, &err) != INV_OK ||
	    store_seed_demo(st, &err) != INV_OK)
		fuzz_die("cannot make the demo database", err.msg);
	/* the last connection to close folds the WAL into the file */
	store_close(st);
	return path;
}

void fuzz_db_snapshot(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len = 0;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		fuzz_die("cannot read the database", path);
	free(snap);
	snap = malloc((size_t)len);
	if (!snap || fread(snap, 1, (size_t)len, f) != (size_t)len)
		fuzz_die("cannot read the database", path);
	snap_len = (size_t)len;
	fclose(f);
}

void fuzz_db_restore(const char *path)
{
	char side[400];
	int fd;

	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, snap, snap_len) != (ssize_t)snap_len ||
	    close(fd) != 0)
		fuzz_die("cannot restore the database", path);
}

/*
 * template.c - see template.h.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "template.h"

static char template_dir[256];
static char template_db[320];

/* bin --db path init --demo, its output to /dev/null; true on exit 0. */
static bool template_init(const char *bin, const char *path)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 1) < 0)
			_exit(126);
		execl(bin, bin, "--db", path, "init", "--demo", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Fold the -wal into the file: closing the last connection after a
 * TRUNCATE checkpoint removes the -wal and -shm, so the file alone is the
 * whole database. */
static bool template_checkpoint(const char *path)
{
	char wal[400];
	struct stat sb;
	sqlite3 *h = NULL;
	bool ok;

	ok = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
	     && sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	                     NULL) == SQLITE_OK;
	if (!ok)
		fprintf(stderr, "checkpoint of %s: %s\n", path,
		        h ? sqlite3_errmsg(h) : "out of memory");
	sqlite3_close(h);
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (ok && stat(wal, &sb) == 0) {
		fprintf(stderr, "%s is still there after the checkpoint\n", wal);
		ok = false;
	}
	return ok;
}

bool template_make(const char *bin)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(template_dir, sizeof template_dir, "%s/inved-demo-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(template_dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", template_dir, strerror(errno));
		template_dir[0] = '\0';
		return false;
	}
	snprintf(template_db, sizeof template_db, "%s/demo.db", template_dir);
	if (!template_init(bin, template_db)) {
		fprintf(stderr, "%s --db %s init --demo failed\n", bin,
		        template_db);
		return false;
	}
	return template_checkpoint(template_db);
}

void template_copy(const char *path)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	ck_assert_msg(template_db[0], "no demo database was prepared");
	in = open(template_db, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(in >= 0, "%s: %s", template_db, strerror(errno));
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_msg(out >= 0, "%s: %s", path, strerror(errno));
	while ((n = read(in, buf, sizeof buf)) != 0) {
		ssize_t done = 0;

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "%s: %s", template_db, strerror(errno));
		while (done < n) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			ck_assert_msg(w > 0, "%s: %s", path, strerror(errno));
			done += w;
		}
	}
	close(in);
	ck_assert_int_eq(close(out), 0);
}

void template_remove(void)
{
	char cmd[2 * sizeof template_dir + 32];

	if (!template_dir[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", template_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", template_dir);
	template_dir[0] = '\0';
}

/*
 * run.c - see run.h.  Both pipes are drained together with poll(), so a
 * child that fills one of them while the test reads the other never
 * deadlocks.
 */
#include <check.h>
#include <grp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

struct buf {
	char *data;
	size_t len, cap;
};

/* Read what fd has; at end of file close it and mark it -1 (poll skips
 * negative descriptors). */
static void buf_read(struct buf *b, int *fd)
{
	char chunk[4096];
	ssize_t n = read(*fd, chunk, sizeof chunk);

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 8192) + (size_t)n;
		char *p = realloc(b->data, cap);

		ck_assert_ptr_nonnull(p);
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, chunk, (size_t)n);
	b->len += (size_t)n;
	b->data[b->len] = '\0';
}

static char *buf_take(struct buf *b)
{
	if (!b->data) {
		b->data = malloc(1);
		ck_assert_ptr_nonnull(b->data);
		b->data[0] = '\0';
	}
	return b->data;
}

static void child_exec(const char *bin, const char *const *env,
                       const char *const *args, int out_fd, int err_fd,
                       long uid)
{
	const char *argv[64];
	size_t i, n = 0;

	if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(126);
	if (uid >= 0 && (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 ||
	                 setuid((uid_t)uid) != 0))
		_exit(126);
	for (i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');

		if (eq) {
			char name[128];

			snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]),
			         env[i]);
			setenv(name, eq + 1, 1);
		} else {
			unsetenv(env[i]);
		}
	}
	argv[n++] = bin;
	for (i = 0; args[i] && n + 1 < sizeof argv / sizeof argv[0]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	execv(bin, (char *const *)argv);
	_exit(127);
}

static void run_child(struct run *r, long uid, const char *bin,
                      const char *const *env, const char *const *args)
{
	struct buf out = {0}, err = {0};
	int po[2], pe[2], status = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(po), 0);
	ck_assert_int_eq(pipe(pe), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(po[0]);
		close(pe[0]);
		child_exec(bin, env, args, po[1], pe[1], uid);
	}
	close(po[1]);
	close(pe[1]);
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};

		if (poll(p, 2, -1) < 0) {
			ck_assert_int_eq(errno, EINTR);
			continue;
		}
		if (p[0].revents)
			buf_read(&out, &po[0]);
		if (p[1].revents)
			buf_read(&err, &pe[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	r->code = WIFEXITED(status) ? WEXITSTATUS(status)
	                            : 128 + WTERMSIG(status);
	r->out = buf_take(&out);
	r->err = buf_take(&err);
}

void run_exec(struct run *r, const char *bin, const char *const *env,
              const char *const *args)
{
	run_child(r, -1, bin, env, args);
}

void run_exec_as(struct run *r, unsigned uid, const char *bin,
                 const char *const *env, const char *const *args)
{
	run_child(r, (long)uid, bin, env, args);
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

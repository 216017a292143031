/*
 * run.h - run the inved binary as a child process and capture what it
 * says: stdout, stderr and the exit status, with the environment changes a
 * test asks for.
 */
#ifndef INVED_TEST_RUN_H
#define INVED_TEST_RUN_H

struct run {
	int code;  /* exit status; 128 + signal when killed */
	char *out; /* stdout, NUL-terminated */
	char *err; /* stderr, NUL-terminated */
};

/* Run bin with args (NULL-terminated, args[0] is the first argument, not
 * the program).  env entries are "NAME=VALUE" to set or "NAME" to unset, in
 * the child only; env may be NULL.  Aborts the test if the child cannot be
 * started. */
void run_exec(struct run *r, const char *bin, const char *const *env,
              const char *const *args);
/* The same with the child switched to uid and gid first (the caller must
 * be root): a way to meet file permissions even when the tests run as
 * root. */
void run_exec_as(struct run *r, unsigned uid, const char *bin,
                 const char *const *env, const char *const *args);
void run_free(struct run *r);

#endif

/*
 * fuzz_db.h - a throwaway demo database for the fuzz targets that reach
 * the store: made once per fuzzing process in a temporary directory
 * under $TMPDIR, else /dev/shm when there is one (so synchronous=FULL
 * costs nothing), else /tmp; removed at exit.
 */
#ifndef INVED_TESTS_FUZZ_DB_H
#define INVED_TESTS_FUZZ_DB_H

#include <stdbool.h>

/* Make the directory and a demo database named `name` in it; the path is
 * returned (static storage).  Aborts on failure: a fuzzer without its
 * database has nothing to run. */
const char *fuzz_db_create(const char *name);

/* Remember the database file's bytes as they are now (no connection may
 * be open), and put them back later, dropping the WAL and shared memory
 * files, so each input starts from the same data. */
void fuzz_db_snapshot(const char *path);
void fuzz_db_restore(const char *path);

#endif

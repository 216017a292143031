/*
 * pg.h - inved-bench --pg: the PostgreSQL figures (pg.c), built where
 * libpq is installed.
 */
#ifndef INVED_BENCH_PG_H
#define INVED_BENCH_PG_H

/* The whole run of `inved-bench --pg URI|auto ...` (argv as main's); its
 * exit status. */
int pg_main(int argc, char **argv);

#endif

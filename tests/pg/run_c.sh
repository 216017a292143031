#!/bin/bash
# run_c.sh PROGRAM: run a C test of the PostgreSQL backend on the run's
# cluster (or one of its own), with the login roles of lib.sh made and
# INVED_PG_OWNER naming a role that is no superuser, to own the databases
# the program makes.  Exit 77 (skipped) without a server, as lib.sh.
. "$(dirname "$0")/lib.sh"
pg_setup "c$$" bare
export INVED_PG_OWNER=$OWNER
"$@"

/* placeholder until the command line lands */
int inved_cli_placeholder(void);
int inved_cli_placeholder(void) { return 0; }

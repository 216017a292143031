/*
 * embed.c - build-time helper: turns a text file into a C source file that
 * defines `const char NAME[]` holding the file's bytes, so the schema is
 * compiled into the binary without needing xxd on the build machine.
 *
 * usage: embed NAME INPUT OUTPUT
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	FILE *in, *out;
	int c;
	unsigned long n = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: embed NAME INPUT OUTPUT\n");
		return 2;
	}
	in = fopen(argv[2], "rb");
	if (!in) {
		perror(argv[2]);
		return 1;
	}
	out = fopen(argv[3], "wb");
	if (!out) {
		perror(argv[3]);
		fclose(in);
		return 1;
	}
	fprintf(out, "/* generated from %s by embed; do not edit */\n", argv[2]);
	fprintf(out, "const char %s[] = {\n", argv[1]);
	while ((c = getc(in)) != EOF) {
		fprintf(out, "%d,%s", c, (++n % 16) ? "" : "\n");
	}
	fprintf(out, "0};\n");
	fclose(in);
	if (fclose(out) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replay driver for fuzz targets when libFuzzer is not linked (gcc builds,
 * the sanitizer unit run). It feeds the target:
 *   - every file of the seed corpus directories or files given as arguments;
 *   - the empty input and a fixed sequence of pseudo-random inputs (seeded, so
 *     every run is the same), which catches the grossest bounds errors.
 * A crash, sanitizer report or abort fails the test; otherwise it prints what
 * it ran and exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (1 << 20)
#define RANDOM_INPUTS 20000

static unsigned long long replayed_files;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	/* Copy into an exact-size buffer so ASan sees reads past the input. */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	replayed_files++;
	return 0;
}

static int replay_path(const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char child[4096];
	int rc = 0;

	if (stat(path, &st) != 0)
		return 0; /* a target without a corpus yet is fine */
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		if (replay_path(child) != 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

/* xorshift64*: deterministic, good enough to spray bytes. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

int main(int argc, char **argv)
{
	uint64_t state = 0x9e3779b97f4a7c15ULL;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i]) != 0)
			rc = 1;

	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	for (int i = 0; i < RANDOM_INPUTS; i++) {
		size_t len = next_random(&state) % 256;
		uint8_t *buf = malloc(len ? len : 1);
		if (!buf)
			return 1;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)next_random(&state);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	printf("replayed %llu corpus files and %d pseudo-random inputs\n",
	       replayed_files, RANDOM_INPUTS);
	return rc;
}

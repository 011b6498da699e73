/* logstat: summarise an nginx access log (status codes, slow requests, top paths). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 256
#define MAX_LINE 4096

struct path_stat {
    char path[256];
    long hits;
    long errors;
    double total_ms;
    double max_ms;
};

static struct path_stat paths[MAX_PATHS];
static int npaths = 0;
static long status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0, status_other = 0;
static long slow = 0, bad_lines = 0;

static int reject(const char *why, const char *line, int verbose)
{
    if (verbose) {
        fprintf(stderr, "%s: %s", why, line);
    }
    return 0;
}

/* Copies the text from start up to the next space into out; returns the space, or NULL if too long or none. */
static const char *copy_word(const char *start, char *out, size_t capacity)
{
    const char *space = strchr(start, ' ');
    if (space == NULL || (size_t)(space - start) >= capacity) {
        return NULL;
    }
    memcpy(out, start, space - start);
    out[space - start] = '\0';
    return space;
}

int parse_line(const char *line, char *method, char *path, int *status, double *ms, int strip_query, int verbose)
{
    const char *request = strchr(line, '"');
    if (request == NULL) {
        return reject("no request", line, verbose);
    }
    const char *after_method = copy_word(request + 1, method, 16);
    if (after_method == NULL) {
        return reject("bad method", line, verbose);
    }
    const char *after_path = copy_word(after_method + 1, path, 255);
    if (after_path == NULL) {
        return reject("bad path", line, verbose);
    }
    if (strip_query) {
        path[strcspn(path, "?")] = '\0';
    }
    const char *end = strchr(after_path, '"');
    if (end == NULL) {
        return reject("unterminated request", line, verbose);
    }
    if (sscanf(end + 1, " %d %*d %lf", status, ms) != 2) {
        return reject("no status/time", line, verbose);
    }
    return 1;
}

static int by_hits(const void *a, const void *b)
{
    const struct path_stat *x = a;
    const struct path_stat *y = b;
    if (x->hits < y->hits) {
        return 1;
    } else if (x->hits > y->hits) {
        return -1;
    } else {
        return strcmp(x->path, y->path);
    }
}

void print_report(FILE *out, int top, int show_errors)
{
    int i;
    long total = status_2xx + status_3xx + status_4xx + status_5xx + status_other;
    fprintf(out, "requests: %ld (bad lines: %ld)\n", total, bad_lines);
    fprintf(out, "2xx: %ld  3xx: %ld  4xx: %ld  5xx: %ld  other: %ld\n", status_2xx, status_3xx, status_4xx,
            status_5xx, status_other);
    fprintf(out, "slow requests: %ld\n", slow);
    qsort(paths, npaths, sizeof(paths[0]), by_hits);
    for (i = 0; i < npaths && i < top; i++) {
        if (show_errors) {
            fprintf(out, "%6ld %6ld %8.1f %8.1f  %s\n", paths[i].hits, paths[i].errors,
                    paths[i].total_ms / paths[i].hits, paths[i].max_ms, paths[i].path);
        } else {
            fprintf(out, "%6ld %8.1f %8.1f  %s\n", paths[i].hits, paths[i].total_ms / paths[i].hits,
                    paths[i].max_ms, paths[i].path);
        }
    }
}

int main(int argc, char **argv)
{
    char line[MAX_LINE];
    char method[16], path[256];
    int status;
    double ms;
    int top = 10, strip = 1, verbose = 0, show_errors = 0;
    double slow_ms = 1000.0;
    int i;
    FILE *in = stdin;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            top = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            slow_ms = atof(argv[++i]);
        } else if (strcmp(argv[i], "-q") == 0) {
            strip = 0;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "-e") == 0) {
            show_errors = 1;
        } else {
            in = fopen(argv[i], "r");
            if (in == NULL) {
                perror(argv[i]);
                return 1;
            }
        }
    }
    while (fgets(line, sizeof(line), in) != NULL) {
        if (!parse_line(line, method, path, &status, &ms, strip, verbose)) {
            bad_lines++;
            continue;
        }
        if (status >= 200 && status < 300) {
            status_2xx++;
        } else if (status >= 300 && status < 400) {
            status_3xx++;
        } else if (status >= 400 && status < 500) {
            status_4xx++;
        } else if (status >= 500 && status < 600) {
            status_5xx++;
        } else {
            status_other++;
        }
        if (ms > slow_ms) {
            slow++;
        }
        int found = -1;
        for (i = 0; i < npaths; i++) {
            if (strcmp(paths[i].path, path) == 0) {
                found = i;
                break;
            }
        }
        if (found == -1) {
            if (npaths == MAX_PATHS) {
                continue;
            }
            found = npaths++;
            memset(&paths[found], 0, sizeof(paths[found]));
            strncpy(paths[found].path, path, sizeof(paths[found].path) - 1);
        }
        paths[found].hits++;
        paths[found].errors += status >= 500;
        paths[found].total_ms += ms;
        if (ms > paths[found].max_ms) {
            paths[found].max_ms = ms;
        }
    }
    print_report(stdout, top, show_errors);
    return 0;
}

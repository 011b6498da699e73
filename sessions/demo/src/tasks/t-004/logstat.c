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

int parse_line(const char *line, char *method, char *path, int *status, double *ms, int strip_query, int verbose)
{
    const char *p = strchr(line, '"');
    if (p != NULL) {
        p++;
        const char *sp = strchr(p, ' ');
        if (sp != NULL && sp - p < 16) {
            memcpy(method, p, sp - p);
            method[sp - p] = '\0';
            const char *q = sp + 1;
            const char *sp2 = strchr(q, ' ');
            if (sp2 != NULL && sp2 - q < 255) {
                memcpy(path, q, sp2 - q);
                path[sp2 - q] = '\0';
                if (strip_query) {
                    char *qm = strchr(path, '?');
                    if (qm != NULL) {
                        *qm = '\0';
                    }
                }
                const char *end = strchr(sp2, '"');
                if (end != NULL) {
                    if (sscanf(end + 1, " %d %*d %lf", status, ms) == 2) {
                        return 1;
                    } else {
                        if (verbose) {
                            fprintf(stderr, "no status/time: %s", line);
                        }
                        return 0;
                    }
                } else {
                    if (verbose) {
                        fprintf(stderr, "unterminated request: %s", line);
                    }
                    return 0;
                }
            } else {
                if (verbose) {
                    fprintf(stderr, "bad path: %s", line);
                }
                return 0;
            }
        } else {
            if (verbose) {
                fprintf(stderr, "bad method: %s", line);
            }
            return 0;
        }
    }
    if (verbose) {
        fprintf(stderr, "no request: %s", line);
    }
    return 0;
}

void record(const char *path, int status, double ms, double slow_ms)
{
    int i;
    int found = -1;
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
    for (i = 0; i < npaths; i++) {
        if (strcmp(paths[i].path, path) == 0) {
            found = i;
            break;
        }
    }
    if (found == -1) {
        if (npaths < MAX_PATHS) {
            found = npaths;
            npaths++;
            strncpy(paths[found].path, path, sizeof(paths[found].path) - 1);
            paths[found].path[sizeof(paths[found].path) - 1] = '\0';
            paths[found].hits = 0;
            paths[found].errors = 0;
            paths[found].total_ms = 0;
            paths[found].max_ms = 0;
        } else {
            return;
        }
    }
    paths[found].hits++;
    if (status >= 500) {
        paths[found].errors++;
    }
    paths[found].total_ms += ms;
    if (ms > paths[found].max_ms) {
        paths[found].max_ms = ms;
    }
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
        if (parse_line(line, method, path, &status, &ms, strip, verbose)) {
            record(path, status, ms, slow_ms);
        } else {
            bad_lines++;
        }
    }
    print_report(stdout, top, show_errors);
    return 0;
}

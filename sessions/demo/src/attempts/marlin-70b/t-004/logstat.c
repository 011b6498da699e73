/* logstat: summarise an nginx access log (status codes, slow requests, top paths). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 256
#define MAX_LINE 4096
#define MAX_METHOD 16
#define MAX_PATH 256

struct path_stat {
    char path[256];
    long hits;
    long errors;
    double total_ms;
    double max_ms;
};

struct options {
    int top;
    int strip_query;
    int verbose;
    int show_errors;
    double slow_ms;
    FILE *in;
};

static struct path_stat paths[MAX_PATHS];
static int npaths = 0;
/* status_counts[0] holds codes outside 100-599; [1]..[5] count 1xx..5xx. */
static long status_counts[6];
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
    const char *after_method = copy_word(request + 1, method, MAX_METHOD);
    if (after_method == NULL) {
        return reject("bad method", line, verbose);
    }
    const char *after_path = copy_word(after_method + 1, path, MAX_PATH - 1);
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

static struct path_stat *find_or_add_path(const char *path)
{
    int i;
    for (i = 0; i < npaths; i++) {
        if (strcmp(paths[i].path, path) == 0) {
            return &paths[i];
        }
    }
    if (npaths == MAX_PATHS) {
        return NULL;
    }
    struct path_stat *added = &paths[npaths++];
    memset(added, 0, sizeof(*added));
    strncpy(added->path, path, sizeof(added->path) - 1);
    return added;
}

void record(const char *path, int status, double ms, double slow_ms)
{
    int status_class = status / 100;
    status_counts[status_class >= 2 && status_class <= 5 ? status_class : 0]++;
    if (ms > slow_ms) {
        slow++;
    }
    struct path_stat *stat = find_or_add_path(path);
    if (stat == NULL) {
        return;
    }
    stat->hits++;
    stat->errors += status >= 500;
    stat->total_ms += ms;
    if (ms > stat->max_ms) {
        stat->max_ms = ms;
    }
}

static int by_hits(const void *a, const void *b)
{
    const struct path_stat *x = a;
    const struct path_stat *y = b;
    if (x->hits != y->hits) {
        return x->hits < y->hits ? 1 : -1;
    }
    return strcmp(x->path, y->path);
}

static void print_path(FILE *out, const struct path_stat *stat, int show_errors)
{
    fprintf(out, "%6ld ", stat->hits);
    if (show_errors) {
        fprintf(out, "%6ld ", stat->errors);
    }
    fprintf(out, "%8.1f %8.1f  %s\n", stat->total_ms / stat->hits, stat->max_ms, stat->path);
}

void print_report(FILE *out, int top, int show_errors)
{
    int i;
    long total = 0;
    for (i = 0; i < 6; i++) {
        total += status_counts[i];
    }
    fprintf(out, "requests: %ld (bad lines: %ld)\n", total, bad_lines);
    fprintf(out, "2xx: %ld  3xx: %ld  4xx: %ld  5xx: %ld  other: %ld\n", status_counts[2], status_counts[3],
            status_counts[4], status_counts[5], status_counts[0]);
    fprintf(out, "slow requests: %ld\n", slow);
    qsort(paths, npaths, sizeof(paths[0]), by_hits);
    for (i = 0; i < npaths && i < top; i++) {
        print_path(out, &paths[i], show_errors);
    }
}

/* Fills opts from the command line; returns 0, or 1 when an input file cannot be opened. */
static int parse_options(int argc, char **argv, struct options *opts)
{
    int i;
    for (i = 1; i < argc; i++) {
        int has_value = i + 1 < argc;
        if (strcmp(argv[i], "-n") == 0 && has_value) {
            opts->top = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-s") == 0 && has_value) {
            opts->slow_ms = atof(argv[++i]);
        } else if (strcmp(argv[i], "-q") == 0) {
            opts->strip_query = 0;
        } else if (strcmp(argv[i], "-v") == 0) {
            opts->verbose = 1;
        } else if (strcmp(argv[i], "-e") == 0) {
            opts->show_errors = 1;
        } else if ((opts->in = fopen(argv[i], "r")) == NULL) {
            perror(argv[i]);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options opts = {10, 1, 0, 0, 1000.0, stdin};
    char line[MAX_LINE];
    char method[MAX_METHOD], path[MAX_PATH];
    int status;
    double ms;
    if (parse_options(argc, argv, &opts) != 0) {
        return 1;
    }
    while (fgets(line, sizeof(line), opts.in) != NULL) {
        if (parse_line(line, method, path, &status, &ms, opts.strip_query, opts.verbose)) {
            record(path, status, ms, opts.slow_ms);
        } else {
            bad_lines++;
        }
    }
    print_report(stdout, opts.top, opts.show_errors);
    return 0;
}

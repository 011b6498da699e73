/* A fixed-capacity ring buffer of bytes with overwrite and peek support. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING_MIN_CAPACITY 16

struct ring {
    unsigned char *data;
    size_t capacity;
    size_t head;
    size_t length;
};

typedef struct ring_stats {
    size_t writes;
    size_t overwritten;
} ring_stats_t;

static ring_stats_t global_stats;

static size_t round_up_power_of_two(size_t n)
{
    size_t result = RING_MIN_CAPACITY;
    while (result < n) {
        result <<= 1;
    }
    return result;
}

struct ring *ring_create(size_t capacity)
{
    struct ring *r = malloc(sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    r->capacity = round_up_power_of_two(capacity);
    r->data = calloc(r->capacity, 1);
    if (r->data == NULL) {
        free(r);
        return NULL;
    }
    r->head = 0;
    r->length = 0;
    return r;
}

void ring_destroy(struct ring *r)
{
    if (r != NULL) {
        free(r->data);
        free(r);
    }
}

size_t ring_write(struct ring *r, const unsigned char *bytes, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        size_t tail = (r->head + r->length) & (r->capacity - 1);
        r->data[tail] = bytes[i];
        if (r->length == r->capacity) {
            r->head = (r->head + 1) & (r->capacity - 1);
            global_stats.overwritten++;
        } else {
            r->length++;
        }
    }
    global_stats.writes += count;
    return count;
}

size_t ring_read(struct ring *r, unsigned char *out, size_t count)
{
    size_t n = count < r->length ? count : r->length;
    size_t i;
    for (i = 0; i < n; i++) {
        out[i] = r->data[(r->head + i) & (r->capacity - 1)];
    }
    r->head = (r->head + n) & (r->capacity - 1);
    r->length -= n;
    return n;
}

int ring_peek(const struct ring *r, size_t offset, unsigned char *out)
{
    if (offset >= r->length) {
        return -1;
    }
    *out = r->data[(r->head + offset) & (r->capacity - 1)];
    return 0;
}

void ring_print_stats(FILE *stream)
{
    fprintf(stream, "writes=%zu overwritten=%zu\n", global_stats.writes, global_stats.overwritten);
}

int main(int argc, char **argv)
{
    struct ring *r = ring_create(argc > 1 ? (size_t)atoi(argv[1]) : 32);
    unsigned char buffer[64];
    const char *message = "the quick brown fox jumps over the lazy dog";
    size_t got;

    if (r == NULL) {
        fputs("out of memory\n", stderr);
        return 1;
    }
    ring_write(r, (const unsigned char *)message, strlen(message));
    got = ring_read(r, buffer, sizeof(buffer) - 1);
    buffer[got] = '\0';
    printf("%s\n", (char *)buffer);
    ring_print_stats(stdout);
    ring_destroy(r);
    return 0;
}

/* Count word frequencies from standard input with a chained hash table. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_SIZE 1024
#define MAX_WORD 64

typedef struct entry {
    char word[MAX_WORD];
    unsigned count;
    struct entry *next;
} entry_t;

typedef int (*compare_fn)(const void *, const void *);

static entry_t *table[TABLE_SIZE];
static size_t distinct_words;

static unsigned long hash_word(const char *word)
{
    unsigned long h = 5381;
    int c;
    while ((c = (unsigned char)*word++) != 0) {
        h = ((h << 5) + h) + (unsigned long)c;
    }
    return h % TABLE_SIZE;
}

static entry_t *find_or_insert(const char *word)
{
    unsigned long slot = hash_word(word);
    entry_t *e;
    for (e = table[slot]; e != NULL; e = e->next) {
        if (strcmp(e->word, word) == 0) {
            return e;
        }
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    strncpy(e->word, word, MAX_WORD - 1);
    e->next = table[slot];
    table[slot] = e;
    distinct_words++;
    return e;
}

static int read_word(FILE *in, char *word, size_t size)
{
    int c;
    size_t n = 0;
    while ((c = fgetc(in)) != EOF && !isalpha(c)) {
    }
    if (c == EOF) {
        return 0;
    }
    do {
        if (n + 1 < size) {
            word[n++] = (char)tolower(c);
        }
    } while ((c = fgetc(in)) != EOF && isalpha(c));
    word[n] = '\0';
    return 1;
}

static int by_count_desc(const void *a, const void *b)
{
    const entry_t *x = *(const entry_t *const *)a;
    const entry_t *y = *(const entry_t *const *)b;
    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return strcmp(x->word, y->word);
}

static entry_t **collect_entries(size_t *out_count)
{
    entry_t **all = malloc(distinct_words * sizeof(*all));
    size_t i, n = 0;
    if (all == NULL) {
        return NULL;
    }
    for (i = 0; i < TABLE_SIZE; i++) {
        entry_t *e;
        for (e = table[i]; e != NULL; e = e->next) {
            all[n++] = e;
        }
    }
    *out_count = n;
    return all;
}

static void sort_entries(entry_t **entries, size_t count, compare_fn compare)
{
    qsort(entries, count, sizeof(*entries), compare);
}

int main(void)
{
    char word[MAX_WORD];
    entry_t **entries;
    size_t count, i;

    while (read_word(stdin, word, sizeof(word))) {
        entry_t *e = find_or_insert(word);
        if (e == NULL) {
            return 1;
        }
        e->count++;
    }
    entries = collect_entries(&count);
    if (entries == NULL && distinct_words > 0) {
        return 1;
    }
    sort_entries(entries, count, by_count_desc);
    for (i = 0; i < count && i < 20; i++) {
        printf("%7u %s\n", entries[i]->count, entries[i]->word);
    }
    free(entries);
    return 0;
}

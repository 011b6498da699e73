/* A levelled logger with printf-style macros, a ring of recent messages and pluggable sinks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LOG_RING_SIZE 32
#define LOG_LINE_MAX 256
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LOG_DEBUG(...) log_write(LOG_LEVEL_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_INFO(...) log_write(LOG_LEVEL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_ERROR(...) log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define UNUSED(x) (void)(x)

typedef enum {
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_ERROR
} log_level;

typedef void (*log_sink)(log_level level, const char *line, void *context);

struct sink_entry {
    log_sink sink;
    void *context;
};

static struct {
    log_level threshold;
    struct sink_entry sinks[4];
    size_t sink_count;
    char ring[LOG_RING_SIZE][LOG_LINE_MAX];
    size_t ring_next;
} logger = {LOG_LEVEL_INFO, {{0}}, 0, {{0}}, 0};

static const char *const level_names[] = {"debug", "info", "error"};

static inline const char *level_name(log_level level)
{
    return (size_t)level < ARRAY_LEN(level_names) ? level_names[level] : "?";
}

int log_add_sink(log_sink sink, void *context)
{
    if (logger.sink_count == ARRAY_LEN(logger.sinks)) {
        return -1;
    }
    logger.sinks[logger.sink_count].sink = sink;
    logger.sinks[logger.sink_count].context = context;
    logger.sink_count++;
    return 0;
}

void log_set_threshold(log_level level)
{
    logger.threshold = level;
}

static void remember(const char *line)
{
    strncpy(logger.ring[logger.ring_next], line, LOG_LINE_MAX - 1);
    logger.ring[logger.ring_next][LOG_LINE_MAX - 1] = '\0';
    logger.ring_next = (logger.ring_next + 1) % LOG_RING_SIZE;
}

void log_write(log_level level, const char *file, int line, const char *format, ...)
{
    char message[LOG_LINE_MAX];
    char full[LOG_LINE_MAX];
    va_list args;
    size_t i;

    if (level < logger.threshold) {
        return;
    }
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    snprintf(full, sizeof(full), "%s %s:%d %s", level_name(level), file, line, message);
    remember(full);
    for (i = 0; i < logger.sink_count; i++) {
        logger.sinks[i].sink(level, full, logger.sinks[i].context);
    }
}

size_t log_recent(const char **out, size_t max)
{
    size_t count = 0;
    size_t i;
    for (i = 0; i < LOG_RING_SIZE && count < max; i++) {
        const char *entry = logger.ring[(logger.ring_next + i) % LOG_RING_SIZE];
        if (entry[0] != '\0') {
            out[count++] = entry;
        }
    }
    return count;
}

static void stream_sink(log_level level, const char *line, void *context)
{
    FILE *stream = context;
    UNUSED(level);
    fprintf(stream, "%s\n", line);
}

int main(void)
{
    const char *recent[8];
    size_t n, i;

    log_add_sink(stream_sink, stderr);
    log_set_threshold(LOG_LEVEL_DEBUG);
    LOG_DEBUG("starting at %ld", (long)time(NULL));
    LOG_INFO("%d sinks", (int)logger.sink_count);
    LOG_ERROR("something failed: %s", "disk full");
    n = log_recent(recent, ARRAY_LEN(recent));
    for (i = 0; i < n; i++) {
        printf("%zu: %s\n", i, recent[i]);
    }
    return 0;
}

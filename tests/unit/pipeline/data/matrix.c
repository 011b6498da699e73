/* Dense matrices of doubles: creation, multiplication, transposition and printing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    size_t rows;
    size_t cols;
    double *cells;
} matrix;

enum matrix_error {
    MATRIX_OK = 0,
    MATRIX_NO_MEMORY,
    MATRIX_SHAPE
};

static const char *error_names[] = {"ok", "out of memory", "shape mismatch"};

matrix *matrix_new(size_t rows, size_t cols)
{
    matrix *m = malloc(sizeof(matrix));
    if (!m) {
        return NULL;
    }
    m->rows = rows;
    m->cols = cols;
    m->cells = calloc(rows * cols, sizeof(double));
    if (!m->cells) {
        free(m);
        return NULL;
    }
    return m;
}

void matrix_free(matrix *m)
{
    if (m) {
        free(m->cells);
        free(m);
    }
}

static inline double *cell(const matrix *m, size_t r, size_t c)
{
    return &m->cells[r * m->cols + c];
}

matrix *matrix_identity(size_t n)
{
    matrix *m = matrix_new(n, n);
    size_t i;
    if (!m) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        *cell(m, i, i) = 1.0;
    }
    return m;
}

enum matrix_error matrix_multiply(const matrix *a, const matrix *b, matrix **out)
{
    size_t i, j, k;
    matrix *result;
    if (a->cols != b->rows) {
        return MATRIX_SHAPE;
    }
    result = matrix_new(a->rows, b->cols);
    if (!result) {
        return MATRIX_NO_MEMORY;
    }
    for (i = 0; i < a->rows; i++) {
        for (k = 0; k < a->cols; k++) {
            double left = *cell(a, i, k);
            for (j = 0; j < b->cols; j++) {
                *cell(result, i, j) += left * *cell(b, k, j);
            }
        }
    }
    *out = result;
    return MATRIX_OK;
}

matrix *matrix_transpose(const matrix *m)
{
    matrix *t = matrix_new(m->cols, m->rows);
    size_t i, j;
    if (!t) {
        return NULL;
    }
    for (i = 0; i < m->rows; i++) {
        for (j = 0; j < m->cols; j++) {
            *cell(t, j, i) = *cell(m, i, j);
        }
    }
    return t;
}

double matrix_frobenius_norm(const matrix *m)
{
    double sum = 0.0;
    size_t i;
    for (i = 0; i < m->rows * m->cols; i++) {
        sum += m->cells[i] * m->cells[i];
    }
    return sqrt(sum);
}

void matrix_print(const matrix *m, FILE *out, int precision)
{
    size_t i, j;
    for (i = 0; i < m->rows; i++) {
        for (j = 0; j < m->cols; j++) {
            fprintf(out, "%s%.*f", j ? " " : "", precision, *cell(m, i, j));
        }
        fputc('\n', out);
    }
}

const char *matrix_error_name(enum matrix_error e)
{
    return (size_t)e < sizeof(error_names) / sizeof(error_names[0]) ? error_names[e] : "unknown";
}

int main(void)
{
    matrix *a = matrix_identity(3);
    matrix *t, *p = NULL;
    enum matrix_error err;
    *cell(a, 0, 2) = 2.5;
    t = matrix_transpose(a);
    err = matrix_multiply(a, t, &p);
    if (err != MATRIX_OK) {
        fprintf(stderr, "error: %s\n", matrix_error_name(err));
        return 1;
    }
    matrix_print(p, stdout, 2);
    printf("norm %.3f\n", matrix_frobenius_norm(p));
    matrix_free(a);
    matrix_free(t);
    matrix_free(p);
    return 0;
}

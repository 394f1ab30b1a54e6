/* Scalar libm throughput, the baseline of the math-function table in docs/BENCHMARKS.md:
 * one libm call per element in a plain loop (compiled without vectorization by
 * benches/compare.sh), on the inputs of benches/functions.py (same functions, domains, N).
 *
 *     libm_throughput [REPS]
 *
 * prints one line per timed call, after a warm-up call per function:  fn NAME DTYPE SECONDS
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 1000000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double atan2_(double x, double y) { return atan2(x, y); }
static float atan2f_(float x, float y) { return atan2f(x, y); }

struct function {
    const char *name;
    double lo, hi;
    double (*f64)(double);
    float (*f32)(float);
    double (*f64_2)(double, double);
    float (*f32_2)(float, float);
};

static const struct function FUNCTIONS[] = {
    {"exp", -10, 10, exp, expf, 0, 0},       {"exp2", -10, 10, exp2, exp2f, 0, 0},
    {"expm1", -10, 10, expm1, expm1f, 0, 0}, {"log", 0.01, 100, log, logf, 0, 0},
    {"log2", 0.01, 100, log2, log2f, 0, 0},  {"log10", 0.01, 100, log10, log10f, 0, 0},
    {"log1p", -0.5, 100, log1p, log1pf, 0, 0}, {"sin", -10, 10, sin, sinf, 0, 0},
    {"cos", -10, 10, cos, cosf, 0, 0},       {"tan", -1.5, 1.5, tan, tanf, 0, 0},
    {"asin", -1, 1, asin, asinf, 0, 0},      {"acos", -1, 1, acos, acosf, 0, 0},
    {"atan", -10, 10, atan, atanf, 0, 0},    {"sinh", -10, 10, sinh, sinhf, 0, 0},
    {"cosh", -10, 10, cosh, coshf, 0, 0},    {"tanh", -10, 10, tanh, tanhf, 0, 0},
    {"cbrt", -100, 100, cbrt, cbrtf, 0, 0},  {"atan2", -10, 10, 0, 0, atan2_, atan2f_},
    {"hypot", -10, 10, 0, 0, hypot, hypotf}, {"pow", 0.01, 10, 0, 0, pow, powf},
};

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *r = malloc(N * sizeof *r);
    float *xf = malloc(N * sizeof *xf), *yf = malloc(N * sizeof *yf), *rf = malloc(N * sizeof *rf);
    double sink = 0;
    for (size_t k = 0; k < sizeof FUNCTIONS / sizeof FUNCTIONS[0]; k++) {
        const struct function *f = &FUNCTIONS[k];
        for (int i = 0; i < N; i++) {
            x[i] = f->lo + (f->hi - f->lo) * i / (N - 1);
            y[i] = 2.0 - 1.5 * i / (N - 1);
            xf[i] = (float)x[i];
            yf[i] = (float)y[i];
        }
        for (int rep = 0; rep <= reps; rep++) {
            double t0 = now();
            for (int i = 0; i < N; i++)
                r[i] = f->f64 ? f->f64(x[i]) : f->f64_2(x[i], y[i]);
            double t1 = now();
            sink += r[N / 2];
            if (rep > 0) printf("fn %s f64 %.9f\n", f->name, t1 - t0);
        }
        for (int rep = 0; rep <= reps; rep++) {
            double t0 = now();
            for (int i = 0; i < N; i++)
                rf[i] = f->f32 ? f->f32(xf[i]) : f->f32_2(xf[i], yf[i]);
            double t1 = now();
            sink += rf[N / 2];
            if (rep > 0) printf("fn %s f32 %.9f\n", f->name, t1 - t0);
        }
    }
    /* Keeps the results alive, so no loop is optimized away. */
    fprintf(stderr, "checksum %g\n", sink);
    return 0;
}

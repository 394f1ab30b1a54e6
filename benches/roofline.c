/* STREAM-style memory-bandwidth reference for the nx side-by-side benchmarks.
 *
 * Build: gcc -O3 -march=native -fopenmp benches/roofline.c -o roofline
 * Run:   OMP_NUM_THREADS=T ./roofline N REPS
 *
 * Kernels over f64 arrays of N elements (bytes counted as STREAM does, without
 * write-allocate traffic):
 *   copy   c[i] = a[i]                 16 B/element (1 read, 1 write)
 *   scale  c[i] = 3.0*a[i]             16 B/element
 *   triad  c[i] = a[i] + 3.0*b[i]      24 B/element (2 reads, 1 write)
 *   sum    s += a[i]                    8 B/element (1 read)
 *   dot    s += a[i]*b[i]              16 B/element (2 reads)
 * Each kernel runs once as a warm-up, then REPS timed times; one line per kernel:
 *   <name> <bytes_per_element> <median_seconds> <median_GB/s> <best_GB/s> <checksum>
 * The output arrays are allocated and first-touched once (in parallel), so these are
 * the bandwidths of a loop that reuses its buffers: the ceiling for any system.
 * The reductions use `omp simd` so that they are vectorised with several partial sums
 * (bandwidth-bound, not bound by the latency of one chain of additions).
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double now(void) { return omp_get_wtime(); }

static int cmp(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *t, int n) {
    qsort(t, n, sizeof(double), cmp);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000L;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    if (reps < 1) reps = 1;
    double *a = aligned_alloc(64, n * sizeof(double));
    double *b = aligned_alloc(64, n * sizeof(double));
    double *c = aligned_alloc(64, n * sizeof(double));
    double *t = malloc(reps * sizeof(double));
    if (!a || !b || !c || !t) { fprintf(stderr, "out of memory\n"); return 1; }
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
        a[i] = (double)((i * 7919) % 10007) / 10007.0;
        b[i] = (double)((i * 104729) % 10009) / 10009.0;
        c[i] = 0.0;
    }
    printf("threads %d\n", omp_get_max_threads());
    printf("n %ld\n", n);

    const char *names[] = {"copy", "scale", "triad", "sum", "dot"};
    const double bpe[] = {16, 16, 24, 8, 16};
    for (int k = 0; k < 5; k++) {
        double check = 0.0;
        for (int r = -1; r < reps; r++) {
            double s = 0.0;
            double t0 = now();
            switch (k) {
            case 0:
#pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) c[i] = a[i];
                break;
            case 1:
#pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) c[i] = 3.0 * a[i];
                break;
            case 2:
#pragma omp parallel for schedule(static)
                for (long i = 0; i < n; i++) c[i] = a[i] + 3.0 * b[i];
                break;
            case 3:
#pragma omp parallel for simd schedule(static) reduction(+ : s)
                for (long i = 0; i < n; i++) s += a[i];
                break;
            case 4:
#pragma omp parallel for simd schedule(static) reduction(+ : s)
                for (long i = 0; i < n; i++) s += a[i] * b[i];
                break;
            }
            double t1 = now();
            if (r >= 0) t[r] = t1 - t0;
            check = k < 3 ? c[n / 2] : s;
        }
        double best = t[0];
        for (int r = 1; r < reps; r++) if (t[r] < best) best = t[r];
        double med = median(t, reps);
        double bytes = bpe[k] * (double)n;
        printf("%s %.0f %.6e %.3f %.3f %.17g\n", names[k], bpe[k], med, bytes / med / 1e9,
               bytes / best / 1e9, check);
    }
    free(a); free(b); free(c); free(t);
    return 0;
}

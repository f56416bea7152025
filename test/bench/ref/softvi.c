/*
 * softvi.c: the C reference `npm run bench` compares the engine against (test/bench/run.ts builds
 * it with `cc -O3 -march=native` into a temporary directory). Single-threaded, no dependencies.
 *
 * The job: infinite-horizon message passing, Jacobi sweeps from V = 0, on the open N x N
 * FrozenLake, slippery, in Gymnasium's layout: actions 0 left, 1 down, 2 right, 3 up; three entries
 * per (s, a) with probability 1/3 for the directions (a - 1) mod 4, a, (a + 1) mod 4; a move off the
 * grid stays; reward 1 and done on entering the goal (the last state); the goal holds one entry
 * (1, goal, 0, done) per action. nnz = 12 (N^2 - 1) + 4. Prior pi0 = 1/4 (KL to uniform).
 *
 *   mode=variational (the soft Bellman backup, src/inference/rules/dynamics-variational.ts):
 *     Q(s,a) = sum_k p_k (r_k + gamma (1 - done_k) V(s'_k))
 *     V(s)   = m + alpha log1p(sum_a pi0 expm1((Q(s,a) - m)/alpha)),  m = max_a Q   (form=log1p)
 *            = m + alpha log(sum_a pi0 exp((Q(s,a) - m)/alpha))                      (form=exp)
 *   mode=exact (sum-product, rules/dynamics-exact.ts), linear in z = exp(V/alpha):
 *     z_Q(s,a) = sum_k w_k [done_k ? 1 : gamma z(s'_k) + 1 - gamma],  w_k = p_k exp(r_k/alpha)
 *     z(s)     = sum_a pi0 z_Q(s,a)
 *   kept as y = exp((V - sigma)/alpha) with a shift sigma that follows max V sweep by sweep
 *   (sigma' = sigma + alpha log max y), so that nothing overflows while V grows; the constant
 *   part is scaled by exp(-sigma'/alpha) and the linear part by 1 / max y, once per sweep.
 *
 * init=FILE starts from the V in FILE instead of V = 0: N^2 raw little-endian float64 values (as
 * dump= writes them; the exact mode takes y = exp((V - max V)/alpha), sigma = max V), so that a
 * run can time sweeps on converged values, the real workload, rather than the first sweeps from 0.
 *
 * Stops when max |V_k - V_k-1| < tol or after `sweeps` sweeps. Only the sweeps are timed
 * (CLOCK_MONOTONIC). Output: `key value` lines: impl, mode, form, N, states, nnz, sweeps,
 * converged, final_delta, ns_per_sweep, ns_per_nnz, V0, sumV, bytes_per_sweep, GBps.
 *
 *   cc -O3 -march=native -o softvi softvi.c -lm
 *   ./softvi N=300 [sweeps=2000] [tol=1e-10] [alpha=0.1] [gamma=0.99] [mode=variational|exact]
 *            [form=log1p|exp] [init=V0.f64] [dump=V.f64]
 *   (init: the starting V, dump: the final V, both N^2 raw little-endian float64)
 */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CSR over (s, a) rows, row = 4 s + a. */
typedef struct {
    int n;
    int64_t nnz;
    int32_t *row_start, *next;
    double *prob, *reward;
    uint8_t *done;
} Table;

static void *alloc_or_die(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes > 0 ? bytes : 64) != 0) {
        fprintf(stderr, "softvi: out of memory\n");
        exit(1);
    }
    return p;
}

/* The cell reached from s by direction d; off the grid: s itself. */
static int move(int N, int s, int d) {
    int row = s / N, col = s % N;
    if (d == 0 && col > 0) col--;
    else if (d == 1 && row < N - 1) row++;
    else if (d == 2 && col < N - 1) col++;
    else if (d == 3 && row > 0) row--;
    return row * N + col;
}

static void open_lake(Table *t, int N) {
    const int n = N * N, goal = n - 1;
    const int64_t nnz = (int64_t)12 * (n - 1) + 4;
    if (nnz > INT32_MAX) {
        fprintf(stderr, "softvi: N too large\n");
        exit(2);
    }
    t->n = n;
    t->nnz = nnz;
    t->row_start = alloc_or_die(sizeof(int32_t) * ((size_t)4 * n + 1));
    t->next = alloc_or_die(sizeof(int32_t) * (size_t)nnz);
    t->prob = alloc_or_die(sizeof(double) * (size_t)nnz);
    t->reward = alloc_or_die(sizeof(double) * (size_t)nnz);
    t->done = alloc_or_die((size_t)nnz);
    int32_t k = 0;
    for (int s = 0; s < n; s++) {
        for (int a = 0; a < 4; a++) {
            t->row_start[4 * s + a] = k;
            if (s == goal) {
                t->next[k] = goal; t->prob[k] = 1.0; t->reward[k] = 0.0; t->done[k] = 1;
                k++;
                continue;
            }
            for (int j = -1; j <= 1; j++) {
                const int to = move(N, s, (a + 4 + j) % 4);
                t->next[k] = to;
                t->prob[k] = 1.0 / 3.0;
                t->reward[k] = to == goal ? 1.0 : 0.0;
                t->done[k] = to == goal;
                k++;
            }
        }
    }
    t->row_start[4 * n] = k;
}

/* One variational sweep V -> W; returns max |W - V|. */
static double sweep_variational(const Table *t, const double *restrict V, double *restrict W,
                                double alpha, double gamma, int log1p_form) {
    const int32_t *restrict rs = t->row_start, *restrict nx = t->next;
    const double *restrict p = t->prob, *restrict r = t->reward;
    const uint8_t *restrict dn = t->done;
    const double inv = 1.0 / alpha, pi0 = 0.25;
    double worst = 0.0;
    int32_t k = rs[0];
    for (int s = 0; s < t->n; s++) {
        double q[4];
        for (int a = 0; a < 4; a++) {
            const int32_t end = rs[4 * s + a + 1];
            double acc = 0.0;
            for (; k < end; k++) acc += p[k] * (r[k] + gamma * (double)(1 - dn[k]) * V[nx[k]]);
            q[a] = acc;
        }
        double m = q[0];
        if (q[1] > m) m = q[1];
        if (q[2] > m) m = q[2];
        if (q[3] > m) m = q[3];
        double v;
        if (log1p_form) {
            double s1 = 0.0;
            for (int a = 0; a < 4; a++) s1 += pi0 * expm1((q[a] - m) * inv);
            v = m + alpha * log1p(s1);
        } else {
            double s1 = 0.0;
            for (int a = 0; a < 4; a++) s1 += pi0 * exp((q[a] - m) * inv);
            v = m + alpha * log(s1);
        }
        W[s] = v;
        const double d = fabs(v - V[s]);
        if (d > worst) worst = d;
    }
    return worst;
}

/* The exact backup's numbers in z-space: per row b = sum_k w_k (done ? 1 : 1 - gamma), per entry
 * c_k = gamma w_k (0 when done). */
typedef struct {
    double *b, *c;
} Linear;

static void linear_of(const Table *t, Linear *L, double alpha, double gamma) {
    L->b = alloc_or_die(sizeof(double) * (size_t)4 * t->n);
    L->c = alloc_or_die(sizeof(double) * (size_t)t->nnz);
    for (int row = 0; row < 4 * t->n; row++) {
        double b = 0.0;
        for (int32_t k = t->row_start[row]; k < t->row_start[row + 1]; k++) {
            const double w = t->prob[k] * exp(t->reward[k] / alpha);
            b += w * (t->done[k] ? 1.0 : 1.0 - gamma);
            L->c[k] = t->done[k] ? 0.0 : gamma * w;
        }
        L->b[row] = b;
    }
}

/* One exact sweep in shifted z-space: y holds exp((V - sigma)/alpha) with max y = ymax; writes
 * exp((V' - sigma')/alpha) to yn with sigma' = sigma + alpha log ymax; returns max |V' - V| and
 * sets *sigma and *ymax for the next sweep. */
static double sweep_exact(const Table *t, const Linear *L, const double *restrict y, double *restrict yn,
                          double alpha, double *sigma, double *ymax) {
    const int32_t *restrict rs = t->row_start, *restrict nx = t->next;
    const double *restrict b = L->b, *restrict c = L->c;
    const double sigma1 = *sigma + alpha * log(*ymax);
    const double bs = exp(-sigma1 / alpha), cs = 1.0 / *ymax, pi0 = 0.25;
    double worst = 0.0, top = 0.0;
    int32_t k = rs[0];
    for (int s = 0; s < t->n; s++) {
        double z = 0.0;
        for (int a = 0; a < 4; a++) {
            const int row = 4 * s + a;
            const int32_t end = rs[row + 1];
            double acc = 0.0;
            for (; k < end; k++) acc += c[k] * y[nx[k]];
            z += pi0 * (b[row] * bs + cs * acc);
        }
        yn[s] = z;
        if (z > top) top = z;
        /* V' - V = sigma' + alpha log z - sigma - alpha log y = alpha log(ymax z / y) */
        const double d = fabs(alpha * log(*ymax * z / y[s]));
        if (d > worst) worst = d;
    }
    *sigma = sigma1;
    *ymax = top;
    return worst;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static const char *arg(int argc, char **argv, const char *key, const char *fallback) {
    const size_t len = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, len) == 0 && argv[i][len] == '=') return argv[i] + len + 1;
    return fallback;
}

int main(int argc, char **argv) {
    const int N = atoi(arg(argc, argv, "N", "100"));
    const int max_sweeps = atoi(arg(argc, argv, "sweeps", "2000"));
    const double tol = atof(arg(argc, argv, "tol", "1e-10"));
    const double alpha = atof(arg(argc, argv, "alpha", "0.1"));
    const double gamma = atof(arg(argc, argv, "gamma", "0.99"));
    const char *mode = arg(argc, argv, "mode", "variational");
    const char *form = arg(argc, argv, "form", "log1p");
    const char *dump = arg(argc, argv, "dump", NULL);
    const char *init = arg(argc, argv, "init", NULL);
    const int exact = strcmp(mode, "exact") == 0;
    if (!exact && strcmp(mode, "variational") != 0) { fprintf(stderr, "softvi: mode must be variational or exact\n"); return 2; }
    if (strcmp(form, "log1p") != 0 && strcmp(form, "exp") != 0) { fprintf(stderr, "softvi: form must be log1p or exp\n"); return 2; }
    if (N < 2 || !(alpha > 0) || !(gamma > 0 && gamma < 1)) { fprintf(stderr, "softvi: need N >= 2, alpha > 0, 0 < gamma < 1\n"); return 2; }
    const int log1p_form = strcmp(form, "log1p") == 0;

    Table t;
    open_lake(&t, N);
    Linear L = {NULL, NULL};
    if (exact) linear_of(&t, &L, alpha, gamma);
    double *V = alloc_or_die(sizeof(double) * t.n), *W = alloc_or_die(sizeof(double) * t.n);
    /* V = 0: for the exact mode y = exp((0 - 0)/alpha) = 1, sigma = 0, max y = 1. */
    for (int s = 0; s < t.n; s++) V[s] = exact ? 1.0 : 0.0;
    memset(W, 0, sizeof(double) * t.n);
    double sigma = 0.0, ymax = 1.0;
    if (init) {
        FILE *f = fopen(init, "rb");
        if (!f) { perror("softvi: init"); return 2; }
        const size_t got = fread(V, sizeof(double), (size_t)t.n, f);
        const int extra = fgetc(f) != EOF;
        fclose(f);
        if (got != (size_t)t.n || extra) { fprintf(stderr, "softvi: init: %s must hold exactly %d float64 values\n", init, t.n); return 2; }
        for (int s = 0; s < t.n; s++)
            if (!isfinite(V[s])) { fprintf(stderr, "softvi: init: value %d is not finite\n", s); return 2; }
        if (exact) {
            sigma = V[0];
            for (int s = 1; s < t.n; s++) if (V[s] > sigma) sigma = V[s];
            for (int s = 0; s < t.n; s++) V[s] = exp((V[s] - sigma) / alpha);
        }
    }

    int sweeps = 0, converged = 0;
    double delta = INFINITY;
    const double t0 = now_ns();
    while (sweeps < max_sweeps) {
        delta = exact ? sweep_exact(&t, &L, V, W, alpha, &sigma, &ymax) : sweep_variational(&t, V, W, alpha, gamma, log1p_form);
        double *swap = V; V = W; W = swap;
        sweeps++;
        if (delta < tol) { converged = 1; break; }
    }
    const double t1 = now_ns();
    if (exact)
        for (int s = 0; s < t.n; s++) V[s] = sigma + alpha * log(V[s]);

    double sumV = 0.0;
    for (int s = 0; s < t.n; s++) sumV += V[s];
    const double per_sweep = sweeps > 0 ? (t1 - t0) / sweeps : 0.0;
    /* Memory streamed per sweep: row starts, the entries (variational: next, prob, reward, done;
     * exact: next and c, plus b per row), V read and W written once. */
    const double bytes = exact ? 4.0 * (4.0 * t.n + 1) + 12.0 * (double)t.nnz + 32.0 * t.n + 16.0 * t.n
                               : 4.0 * (4.0 * t.n + 1) + 21.0 * (double)t.nnz + 16.0 * t.n;
    printf("impl c\n");
    printf("mode %s\n", mode);
    printf("form %s\n", exact ? "z" : form);
    printf("N %d\n", N);
    printf("states %d\n", t.n);
    printf("nnz %lld\n", (long long)t.nnz);
    printf("sweeps %d\n", sweeps);
    printf("converged %d\n", converged);
    printf("final_delta %.3e\n", delta);
    printf("ns_per_sweep %.1f\n", per_sweep);
    printf("ns_per_nnz %.4f\n", per_sweep / (double)t.nnz);
    printf("V0 %.15e\n", V[0]);
    printf("sumV %.15e\n", sumV);
    printf("bytes_per_sweep %.0f\n", bytes);
    printf("GBps %.2f\n", per_sweep > 0 ? bytes / per_sweep : 0.0);
    if (dump) {
        FILE *f = fopen(dump, "wb");
        if (!f || fwrite(V, sizeof(double), (size_t)t.n, f) != (size_t)t.n) { perror("softvi: dump"); return 1; }
        fclose(f);
    }
    return 0;
}

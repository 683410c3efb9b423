/* The AW workload's hand-written C tape: the bench's reference for compiled C.

   The graph is a list of ops, each reading one or two earlier slots and writing the next
   one (slots 0..n_in-1 are the inputs). aw_run walks it forward for the values, then back
   for the gradient of the last slot with respect to each input: the textbook partials,
   added into a gradient per slot. The ops are the primitives chainrule's graph of the same
   workload has (softplus, add, mul, maximum, sub, exp, div), so both do the same
   arithmetic; this one does it with no masking rule and no IEEE care. bench/aw.py
   compiles it with cc -O2 and calls it through ctypes. */
#include <math.h>
#include <stdlib.h>

enum { SOFTPLUS, ADD, MUL, MAX, SUB, EXP, DIV };

typedef struct {
    int op, a, b;
} Op;

/* x: n_in inputs; value: the last slot's; grad: n_in gradients. 0, or 1 out of memory. */
int aw_run(const Op *ops, int n_ops, int n_in, const double *x, double *value, double *grad)
{
    int n = n_in + n_ops;
    double *v = malloc(n * sizeof(double)), *g = calloc(n, sizeof(double));
    if (!v || !g) {
        free(v);
        free(g);
        return 1;
    }
    for (int i = 0; i < n_in; i++)
        v[i] = x[i];
    for (int i = 0; i < n_ops; i++) {
        double a = v[ops[i].a], b = v[ops[i].b], r;
        switch (ops[i].op) {
        case SOFTPLUS: r = a > 0.0 ? a + log1p(exp(-a)) : log1p(exp(a)); break;
        case ADD: r = a + b; break;
        case MUL: r = a * b; break;
        case MAX: r = a >= b ? a : b; break;
        case SUB: r = a - b; break;
        case EXP: r = exp(a); break;
        default: r = a / b; break; /* DIV */
        }
        v[n_in + i] = r;
    }
    g[n - 1] = 1.0;
    for (int i = n_ops - 1; i >= 0; i--) {
        int ia = ops[i].a, ib = ops[i].b;
        double gi = g[n_in + i], a = v[ia], b = v[ib];
        switch (ops[i].op) {
        case SOFTPLUS: g[ia] += gi / (1.0 + exp(-a)); break;
        case ADD: g[ia] += gi; g[ib] += gi; break;
        case MUL: g[ia] += gi * b; g[ib] += gi * a; break;
        case MAX: if (a >= b) g[ia] += gi; else g[ib] += gi; break;
        case SUB: g[ia] += gi; g[ib] -= gi; break;
        case EXP: g[ia] += gi * v[n_in + i]; break;
        default: g[ia] += gi / b; g[ib] -= gi * v[n_in + i] / b; break; /* DIV */
        }
    }
    *value = v[n - 1];
    for (int i = 0; i < n_in; i++)
        grad[i] = g[i];
    free(v);
    free(g);
    return 0;
}

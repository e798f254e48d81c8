// Serial N_Vector operations, written for the compiler to optimise (see
// fast_serial_vector.hpp for why). Every loop runs element by element with
// all reads of an element before its write, so in-place calls (z aliasing an
// input, as CVODE does) are correct.
#include "cable/cvode/fast_serial_vector.hpp"

#include <nvector/nvector_serial.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace ranvier::cable {
namespace {

inline double* data(N_Vector v) { return NV_DATA_S(v); }
inline std::size_t length(N_Vector v) { return static_cast<std::size_t>(NV_LENGTH_S(v)); }

void linear_sum(realtype a, N_Vector x, realtype b, N_Vector y, N_Vector z) {
    const double* xd = data(x);
    const double* yd = data(y);
    double* zd = data(z);
    const std::size_t n = length(z);
    for (std::size_t i = 0; i < n; ++i) zd[i] = a * xd[i] + b * yd[i];
}

void constant(realtype c, N_Vector z) {
    std::fill_n(data(z), length(z), c);
}

void product(N_Vector x, N_Vector y, N_Vector z) {
    const double* xd = data(x);
    const double* yd = data(y);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = xd[i] * yd[i];
}

void divide(N_Vector x, N_Vector y, N_Vector z) {
    const double* xd = data(x);
    const double* yd = data(y);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = xd[i] / yd[i];
}

void scale(realtype c, N_Vector x, N_Vector z) {
    const double* xd = data(x);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = c * xd[i];
}

void absolute(N_Vector x, N_Vector z) {
    const double* xd = data(x);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = std::fabs(xd[i]);
}

void inverse(N_Vector x, N_Vector z) {
    const double* xd = data(x);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = 1.0 / xd[i];
}

void add_constant(N_Vector x, realtype b, N_Vector z) {
    const double* xd = data(x);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = xd[i] + b;
}

// Σ (x w)², in four interleaved partial sums (a fixed order: deterministic).
realtype weighted_square_sum(N_Vector x, N_Vector w) {
    const double* xd = data(x);
    const double* wd = data(w);
    const std::size_t n = length(x);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const double p0 = xd[i] * wd[i], p1 = xd[i + 1] * wd[i + 1];
        const double p2 = xd[i + 2] * wd[i + 2], p3 = xd[i + 3] * wd[i + 3];
        s0 += p0 * p0;
        s1 += p1 * p1;
        s2 += p2 * p2;
        s3 += p3 * p3;
    }
    for (; i < n; ++i) {
        const double p = xd[i] * wd[i];
        s0 += p * p;
    }
    return (s0 + s1) + (s2 + s3);
}

realtype weighted_square_sum_masked(N_Vector x, N_Vector w, N_Vector id) {
    const double* xd = data(x);
    const double* wd = data(w);
    const double* idd = data(id);
    double s = 0;
    for (std::size_t i = 0, n = length(x); i < n; ++i)
        if (idd[i] > 0) {
            const double p = xd[i] * wd[i];
            s += p * p;
        }
    return s;
}

realtype wrms_norm(N_Vector x, N_Vector w) {
    return std::sqrt(weighted_square_sum(x, w) / static_cast<double>(length(x)));
}

realtype wrms_norm_masked(N_Vector x, N_Vector w, N_Vector id) {
    return std::sqrt(weighted_square_sum_masked(x, w, id) / static_cast<double>(length(x)));
}

realtype max_norm(N_Vector x) {
    const double* xd = data(x);
    double m = 0;
    for (std::size_t i = 0, n = length(x); i < n; ++i) m = std::max(m, std::fabs(xd[i]));
    return m;
}

realtype minimum(N_Vector x) {
    const double* xd = data(x);
    const std::size_t n = length(x);
    double m = n ? xd[0] : 0.0;
    for (std::size_t i = 1; i < n; ++i) m = std::min(m, xd[i]);
    return m;
}

void compare(realtype c, N_Vector x, N_Vector z) {
    const double* xd = data(x);
    double* zd = data(z);
    for (std::size_t i = 0, n = length(z); i < n; ++i) zd[i] = std::fabs(xd[i]) >= c ? 1.0 : 0.0;
}

booleantype inverse_test(N_Vector x, N_Vector z) {
    const double* xd = data(x);
    double* zd = data(z);
    booleantype ok = SUNTRUE;
    for (std::size_t i = 0, n = length(z); i < n; ++i) {
        if (xd[i] == 0.0) ok = SUNFALSE;
        else zd[i] = 1.0 / xd[i];
    }
    return ok;
}

// z = Σ c[k] X[k]; z may be X[0].
int linear_combination(int nvec, realtype* c, N_Vector* X, N_Vector z) {
    double* zd = data(z);
    const std::size_t n = length(z);
    if (nvec == 1) {
        scale(c[0], X[0], z);
        return 0;
    }
    if (nvec == 2) {
        linear_sum(c[0], X[0], c[1], X[1], z);
        return 0;
    }
    // Element by element, so z may alias any X[k].
    constexpr int max_terms = 16;
    const double* x[max_terms];
    const int terms = std::min(nvec, max_terms);
    for (int k = 0; k < terms; ++k) x[k] = data(X[k]);
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (int k = 0; k < terms; ++k) sum += c[k] * x[k][i];
        if (nvec > max_terms)
            for (int k = max_terms; k < nvec; ++k) sum += c[k] * data(X[k])[i];
        zd[i] = sum;
    }
    return 0;
}

// Z[k] = a[k] x + Y[k].
int scale_add_multi(int nvec, realtype* a, N_Vector x, N_Vector* Y, N_Vector* Z) {
    const double* xd = data(x);
    const std::size_t n = length(x);
    for (int k = 0; k < nvec; ++k) {
        const double* yd = data(Y[k]);
        double* zd = data(Z[k]);
        const double ak = a[k];
        for (std::size_t i = 0; i < n; ++i) zd[i] = ak * xd[i] + yd[i];
    }
    return 0;
}

int scale_vector_array(int nvec, realtype* c, N_Vector* X, N_Vector* Z) {
    for (int k = 0; k < nvec; ++k) scale(c[k], X[k], Z[k]);
    return 0;
}

int const_vector_array(int nvec, realtype c, N_Vector* Z) {
    for (int k = 0; k < nvec; ++k) constant(c, Z[k]);
    return 0;
}

int linear_sum_vector_array(int nvec, realtype a, N_Vector* X, realtype b, N_Vector* Y, N_Vector* Z) {
    for (int k = 0; k < nvec; ++k) linear_sum(a, X[k], b, Y[k], Z[k]);
    return 0;
}

int wrms_norm_vector_array(int nvec, N_Vector* X, N_Vector* W, realtype* norms) {
    for (int k = 0; k < nvec; ++k) norms[k] = wrms_norm(X[k], W[k]);
    return 0;
}

} // namespace

void use_fast_serial_operations(N_Vector v) {
    N_Vector_Ops ops = v->ops;
    ops->nvlinearsum = linear_sum;
    ops->nvconst = constant;
    ops->nvprod = product;
    ops->nvdiv = divide;
    ops->nvscale = scale;
    ops->nvabs = absolute;
    ops->nvinv = inverse;
    ops->nvaddconst = add_constant;
    ops->nvwrmsnorm = wrms_norm;
    ops->nvwrmsnormmask = wrms_norm_masked;
    ops->nvmaxnorm = max_norm;
    ops->nvmin = minimum;
    ops->nvcompare = compare;
    ops->nvinvtest = inverse_test;
    ops->nvwsqrsumlocal = weighted_square_sum;
    ops->nvwsqrsummasklocal = weighted_square_sum_masked;
    ops->nvmaxnormlocal = max_norm;
    ops->nvminlocal = minimum;
    ops->nvinvtestlocal = inverse_test;
    ops->nvlinearcombination = linear_combination;
    ops->nvscaleaddmulti = scale_add_multi;
    ops->nvscalevectorarray = scale_vector_array;
    ops->nvconstvectorarray = const_vector_array;
    ops->nvlinearsumvectorarray = linear_sum_vector_array;
    ops->nvwrmsnormvectorarray = wrms_norm_vector_array;
}

} // namespace ranvier::cable

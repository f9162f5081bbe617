package io.github.selfsup4j.testing;

/**
 * Brute-force reference implementations in plain Java doubles, written from the papers' formulas
 * and the authors' code, with no shared code with the library.
 */
public final class Reference {

    private Reference() {}

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] normalize(double[] a) {
        double n = Math.max(Math.sqrt(dot(a, a)), 1e-12);
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / n;
        }
        return r;
    }

    static double[][] normalizeRows(double[][] m) {
        double[][] r = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = normalize(m[i]);
        }
        return r;
    }

    static double[][] stack(double[][] a, double[][] b) {
        double[][] r = new double[a.length + b.length][];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static double logSumExp(double[] v, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, v[i]);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(v[i] - m);
        }
        return m + Math.log(s);
    }

    public static double ntXent(double[][] zi, double[][] zj, double tau, int p) {
        int m = zi.length;
        double[][] z = normalizeRows(stack(zi, zj));
        double total = 0;
        for (int r = 0; r < 2 * m; r++) {
            int partner = (r + m) % (2 * m);
            double pos = dot(z[r], z[partner]) / tau;
            double[] logits = new double[2 * m];
            int k = 0;
            logits[k++] = pos;
            for (int c = 0; c < 2 * m; c++) {
                if ((c % m) / p != (r % m) / p) {
                    logits[k++] = dot(z[r], z[c]) / tau;
                }
            }
            total += logSumExp(logits, k) - pos;
        }
        return total / (2 * m);
    }

    public static double infoNce(double[][] q, double[][] k, double[][] queue, double tau,
            boolean normalize) {
        if (normalize) {
            q = normalizeRows(q);
            k = normalizeRows(k);
            if (queue != null) {
                queue = normalizeRows(queue);
            }
        }
        int n = q.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double pos = dot(q[i], k[i]) / tau;
            double[] negs = queue != null ? new double[queue.length + 1] : new double[n];
            int c = 0;
            if (queue != null) {
                negs[c++] = pos;
                for (double[] u : queue) {
                    negs[c++] = dot(q[i], u) / tau;
                }
            } else {
                for (double[] kj : k) {
                    negs[c++] = dot(q[i], kj) / tau;
                }
            }
            total += logSumExp(negs, c) - pos;
        }
        return total / n;
    }

    /** HCL following the authors' code line by line (exp without stabilisation). */
    public static double hcl(double[][] o1, double[][] o2, double tau, double tauPlus,
            double beta, boolean hard, boolean normalize) {
        if (normalize) {
            o1 = normalizeRows(o1);
            o2 = normalizeRows(o2);
        }
        int b = o1.length;
        double[][] out = stack(o1, o2);
        double total = 0;
        for (int r = 0; r < 2 * b; r++) {
            int partner = (r + b) % (2 * b);
            double pos = Math.exp(dot(out[r], out[partner]) / tau);
            double[] neg = new double[2 * b - 2];
            int k = 0;
            for (int c = 0; c < 2 * b; c++) {
                if (c != r && c != partner) {
                    neg[k++] = Math.exp(dot(out[r], out[c]) / tau);
                }
            }
            double ng;
            if (hard) {
                double n = 2 * b - 2;
                double impNeg = 0;
                double impMean = 0;
                for (double v : neg) {
                    double imp = Math.exp(beta * Math.log(v));
                    impNeg += imp * v;
                    impMean += imp / n;
                }
                double reweight = impNeg / impMean;
                ng = (-tauPlus * n * pos + reweight) / (1 - tauPlus);
                ng = Math.max(ng, n * Math.exp(-1 / tau));
            } else {
                ng = 0;
                for (double v : neg) {
                    ng += v;
                }
            }
            total += -Math.log(pos / (pos + ng));
        }
        return total / (2 * b);
    }

    /** VICReg: {loss, invariance, variance, covariance}. */
    public static double[] vicreg(double[][] x, double[][] y, double sim, double std, double cov,
            double eps) {
        int n = x.length;
        int d = x[0].length;
        double inv = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                inv += (x[i][j] - y[i][j]) * (x[i][j] - y[i][j]);
            }
        }
        inv /= (double) n * d;
        double var = (stdTerm(x, eps) + stdTerm(y, eps)) / 2;
        double c = covTerm(x) + covTerm(y);
        return new double[] {sim * inv + std * var + cov * c, inv, var, c};
    }

    static double[][] centre(double[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[][] r = new double[n][d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] row : x) {
                mean += row[j] / n;
            }
            for (int i = 0; i < n; i++) {
                r[i][j] = x[i][j] - mean;
            }
        }
        return r;
    }

    static double stdTerm(double[][] x, double eps) {
        double[][] c = centre(x);
        int n = x.length;
        int d = x[0].length;
        double s = 0;
        for (int j = 0; j < d; j++) {
            double v = 0;
            for (double[] row : c) {
                v += row[j] * row[j];
            }
            s += Math.max(0, 1 - Math.sqrt(v / (n - 1) + eps));
        }
        return s / d;
    }

    static double covTerm(double[][] x) {
        double[][] c = centre(x);
        int n = x.length;
        int d = x[0].length;
        double s = 0;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                if (a != b) {
                    double v = 0;
                    for (double[] row : c) {
                        v += row[a] * row[b];
                    }
                    v /= n - 1;
                    s += v * v;
                }
            }
        }
        return s / d;
    }

    /** Barlow Twins: {loss, on_diagonal, off_diagonal}. */
    public static double[] barlowTwins(double[][] z1, double[][] z2, double lambda) {
        int n = z1.length;
        int d = z1[0].length;
        double[][] a = batchNorm(z1);
        double[][] b = batchNorm(z2);
        double on = 0;
        double off = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double c = 0;
                for (int k = 0; k < n; k++) {
                    c += a[k][i] * b[k][j];
                }
                c /= n;
                if (i == j) {
                    on += (1 - c) * (1 - c);
                } else {
                    off += c * c;
                }
            }
        }
        return new double[] {on + lambda * off, on, off};
    }

    static double[][] batchNorm(double[][] z) {
        double[][] c = centre(z);
        int n = z.length;
        int d = z[0].length;
        for (int j = 0; j < d; j++) {
            double v = 0;
            for (double[] row : c) {
                v += row[j] * row[j] / n;
            }
            double s = Math.sqrt(v + 1e-5);
            for (double[] row : c) {
                row[j] /= s;
            }
        }
        return c;
    }

    public static double contrastive(double[][] x1, double[][] x2, long[] y, double margin) {
        double total = 0;
        for (int i = 0; i < x1.length; i++) {
            double d2 = 0;
            for (int j = 0; j < x1[i].length; j++) {
                d2 += (x1[i][j] - x2[i][j]) * (x1[i][j] - x2[i][j]);
            }
            double h = Math.max(0, margin - Math.sqrt(d2));
            total += y[i] == 1 ? d2 : h * h;
        }
        return total / x1.length;
    }

    static double pdist(double[] x, double[] y, double p) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.pow(Math.abs(x[i] - y[i] + 1e-6), p);
        }
        return Math.pow(s, 1 / p);
    }

    public static double triplet(double[][] a, double[][] pos, double[][] neg, double margin,
            double p, boolean swap) {
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            double dap = pdist(a[i], pos[i], p);
            double dan = pdist(a[i], neg[i], p);
            if (swap) {
                dan = Math.min(dan, pdist(pos[i], neg[i], p));
            }
            total += Math.max(0, dap - dan + margin);
        }
        return total / a.length;
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double bce(double[] x, double target, boolean logits) {
        double s = 0;
        for (double v : x) {
            double p = logits ? sigmoid(v) : v;
            double lp = Math.max(Math.log(p), -100);
            double lq = Math.max(Math.log(1 - p), -100);
            if (logits) {
                // exact in log space, as PyTorch's BCEWithLogits
                lp = -softplus(-v);
                lq = -softplus(v);
            }
            s += -(target * lp + (1 - target) * lq);
        }
        return s / x.length;
    }

    public static double ganBceDiscriminator(double[] real, double[] fake, boolean logits) {
        return bce(real, 1, logits) + bce(fake, 0, logits);
    }

    public static double ganBceGenerator(double[] fake, boolean logits, boolean nonSaturating) {
        return nonSaturating ? bce(fake, 1, logits) : -bce(fake, 0, logits);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    public static double wganCritic(double[] real, double[] fake) {
        return mean(fake) - mean(real);
    }

    public static double hingeGanDiscriminator(double[] real, double[] fake) {
        double r = 0;
        for (double v : real) {
            r += Math.max(0, 1 - v);
        }
        double f = 0;
        for (double v : fake) {
            f += Math.max(0, 1 + v);
        }
        return r / real.length + f / fake.length;
    }

    public static double mse(double[] x, double[] t) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - t[i]) * (x[i] - t[i]);
        }
        return s / x.length;
    }

    public static double crossEntropy(double[][] logits, long[] target, double smoothing) {
        double total = 0;
        int c = logits[0].length;
        for (int i = 0; i < logits.length; i++) {
            double lse = logSumExp(logits[i], c);
            double nll = lse - logits[i][(int) target[i]];
            double uni = 0;
            for (double v : logits[i]) {
                uni += (lse - v) / c;
            }
            total += (1 - smoothing) * nll + smoothing * uni;
        }
        return total / logits.length;
    }

    public static double nll(double[][] logProbs, long[] target) {
        double total = 0;
        for (int i = 0; i < logProbs.length; i++) {
            total -= logProbs[i][(int) target[i]];
        }
        return total / logProbs.length;
    }

    public static double hinge(double[] s, long[] y, double margin) {
        double total = 0;
        for (int i = 0; i < s.length; i++) {
            total += Math.max(0, margin - y[i] * s[i]);
        }
        return total / s.length;
    }
}

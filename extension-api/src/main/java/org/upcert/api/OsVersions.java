package org.upcert.api;

/** Compares OS versions ({@code "26.4"}, {@code "27"}, {@code "27.0"}) numerically, part by part. */
final class OsVersions {
    private OsVersions() {
    }

    static int compare(String a, String b) {
        String[] x = a.trim().split("\\.");
        String[] y = b.trim().split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0;
            int q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }
}

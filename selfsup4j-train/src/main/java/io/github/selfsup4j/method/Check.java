package io.github.selfsup4j.method;

/** Option checks whose messages name the option and the value ({@code --lr must be > 0, got -1}). */
public final class Check {

    private Check() {}

    /** Fails with "OPTION VALUE: WHY" unless {@code ok}. */
    public static void require(boolean ok, String option, Object value, String why) {
        if (!ok) {
            throw new IllegalArgumentException(option + " " + value + ": " + why);
        }
    }

    /** An integer at least {@code min}. */
    public static void atLeast(String option, long value, long min) {
        require(value >= min, option, value, "must be >= " + min);
    }

    /** A finite number > 0. */
    public static void positive(String option, double value) {
        require(value > 0 && Double.isFinite(value), option, value, "must be a finite number > 0");
    }

    /** A finite number >= 0. */
    public static void nonNegative(String option, double value) {
        require(value >= 0 && Double.isFinite(value), option, value,
                "must be a finite number >= 0");
    }

    /** A number in [lo, hi] (or [lo, hi) when {@code closed} is false). */
    public static void inRange(String option, double value, double lo, double hi,
            boolean closed) {
        boolean ok = value >= lo && (closed ? value <= hi : value < hi);
        require(ok, option, value, "must be in [" + lo + ", " + hi + (closed ? "]" : ")"));
    }
}

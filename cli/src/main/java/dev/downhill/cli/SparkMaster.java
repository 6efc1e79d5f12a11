package dev.downhill.cli;

import dev.downhill.InputException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark master as {@code --spark} names it: {@code local[N]} (N ranks in this process), a
 * cluster's URL, or {@link #SUBMITTED} for the one spark-submit configured. No Spark class is
 * touched here, so that train and bench can refuse {@code --spark} in one line where Spark is missing.
 */
record SparkMaster(String url) {
    /** --spark's value for the master spark-submit configured. */
    static final String SUBMITTED = "submitted";
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+)(,\\d+)?]");

    /** Whether spark-submit made the session, which is then its to stop. */
    boolean submitted() {
        return url.equals(SUBMITTED);
    }

    /** The ranks to run: {@code asked} (--ranks), else the N of local[N]; a cluster needs --ranks. */
    int ranks(Integer asked) {
        if (asked != null) {
            if (asked < 1) throw new InputException("--ranks must be at least 1, got " + asked);
            return asked;
        }
        Matcher local = LOCAL.matcher(url);
        if (local.matches()) return Integer.parseInt(local.group(1));
        throw new InputException("--ranks: how many ranks to run on " + url + " (local[N] runs N)");
    }

    /** Spark's classes, which downhill.jar leaves out, or a one-line error saying how to get them. */
    static void requireSpark() {
        try {
            Class.forName("org.apache.spark.sql.SparkSession");
        } catch (ClassNotFoundException e) {
            throw new InputException("--spark needs Apache Spark on the class path: run bin/downhill (which adds "
                    + "engine-spark/target/spark-lib for --spark), or spark-submit");
        }
    }
}

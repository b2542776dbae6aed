package io.retinue.analytics.internal;

/**
 * Working times kept as counts per log-spaced bucket, each 10 % wider than the one before: bucket 0 holds times under
 * 1 ms, bucket {@code b} those from 1.1<sup>b-1</sup> up to 1.1<sup>b</sup> ms (a day is bucket 192). Counts of any
 * set of runs add up bucket by bucket, and a percentile read from them is within 5 % of the true one.
 */
final class LatencyBuckets {

    private static final double GROWTH = 1.1;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    /** Enough for a week; longer times share the last bucket. */
    static final int COUNT = 1 + (int) Math.ceil(Math.log(7 * 24 * 3_600_000.0) / LOG_GROWTH);

    private LatencyBuckets() {
    }

    static int of(long millis) {
        if (millis < 1) {
            return 0;
        }
        // The smallest b with millis < 1.1^b; the loop corrects the logarithm's rounding at bucket edges.
        int bucket = Math.max(1, (int) Math.floor(Math.log(millis) / LOG_GROWTH) + 1);
        while (bucket > 1 && millis < Math.pow(GROWTH, bucket - 1)) {
            bucket--;
        }
        while (millis >= Math.pow(GROWTH, bucket)) {
            bucket++;
        }
        return Math.min(bucket, COUNT - 1);
    }

    /**
     * The {@code quantile} (0..1) of the times counted, read as the geometric middle of the bucket holding it (the
     * nearest rank); null when nothing was counted.
     */
    static Long quantile(long[] counts, double quantile) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int bucket = 0; bucket < counts.length; bucket++) {
            seen += counts[bucket];
            if (seen >= rank) {
                return bucket == 0 ? 0 : Math.round(Math.sqrt(Math.pow(GROWTH, bucket - 1) * Math.pow(GROWTH, bucket)));
            }
        }
        throw new IllegalStateException("unreachable");
    }
}

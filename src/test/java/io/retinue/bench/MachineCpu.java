package io.retinue.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between two readings of Linux's {@code /proc/stat}: the platform, the fake
 * model server and the load generator share this machine's cores, and a series that finds them all busy measures
 * time spent waiting for a core as much as the work it times.
 */
record MachineCpu(long busy, long total) {

    private static final Path STAT = Path.of("/proc/stat");

    /** The machine's CPU time so far (in clock ticks, all cores); null where {@code /proc/stat} cannot be read. */
    static MachineCpu now() {
        try {
            // First line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice".
            String[] fields = Files.readAllLines(STAT).getFirst().trim().split("\\s+");
            long total = 0;
            // guest and guest_nice are already counted in user and nice.
            for (int i = 1; i <= Math.min(8, fields.length - 1); i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new MachineCpu(total - idle, total);
        }
        catch (IOException | RuntimeException unknown) {
            return null;
        }
    }

    /** The share (0 to 1) of all cores' time that was busy since {@code earlier}; NaN when not known. */
    double busySince(MachineCpu earlier) {
        long elapsed = total - earlier.total;
        return elapsed <= 0 ? Double.NaN : (double) (busy - earlier.busy) / elapsed;
    }

    static double busyBetween(MachineCpu from, MachineCpu to) {
        return from == null || to == null ? Double.NaN : to.busySince(from);
    }
}

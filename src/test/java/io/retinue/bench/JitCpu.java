package io.retinue.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CPU time a process's JIT compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}) have used, read
 * from Linux's {@code /proc/<pid>/task}: a run's cost once the platform is compiled is its process's CPU less this.
 * Four JVMs compile the same code side by side on two cores, and each took minutes to finish; a series measured
 * meanwhile would charge the compiler to the runs.
 */
final class JitCpu {

    /** Linux's clock ticks per second (USER_HZ), in which {@code /proc} counts CPU time. */
    private static final double TICKS_PER_MS = 100 / 1000.0;

    private JitCpu() {
    }

    /** The compiler threads' CPU time so far of all {@code processes}, in ms; NaN where it cannot be read. */
    static double millis(List<ProcessHandle> processes) {
        double sum = 0;
        for (ProcessHandle process : processes) {
            sum += millis(process.pid());
        }
        return sum;
    }

    private static double millis(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            long ticks = 0;
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
                        continue;
                    }
                    // After "(comm)": state is field 3; utime and stime are fields 14 and 15.
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                }
                catch (IOException gone) {
                    // The thread ended meanwhile: its time stays in the process's, no longer the compiler's.
                }
            }
            return ticks / TICKS_PER_MS;
        }
        catch (IOException | RuntimeException unknown) {
            return Double.NaN;
        }
    }
}

package dev.downhill.parallel;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Aborts a collective when a step takes longer than a timeout: a rank whose peer hangs (NCCL waits
 * on the device without end; the TCP ring has read timeouts of its own) fails instead of holding its
 * slot, so that the job's retry can start.
 */
final class Watchdog implements AutoCloseable {
    private final ScheduledExecutorService clock;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean fired;

    Watchdog(Collective collective, Duration timeout) {
        clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "downhill-watchdog-" + collective.rank());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, timeout.toMillis() / 4);
        clock.scheduleAtFixedRate(() -> {
            if (!fired && System.nanoTime() - lastProgress > timeout.toNanos()) {
                fired = true;
                collective.abort();
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** A step finished: the timeout starts again. */
    void progress() {
        lastProgress = System.nanoTime();
    }

    /** Whether it aborted the collective. */
    boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }
}

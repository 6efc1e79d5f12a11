package dev.downhill.backend;

/**
 * Whether a backend can run on this machine.
 *
 * @param available true when it can run
 * @param detail    the device it would use, or why it cannot run
 */
public record Availability(boolean available, String detail) {
    public static Availability available(String device) {
        return new Availability(true, device);
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}

package dev.downhill.cuda;

import dev.downhill.InputException;

/** The device has not enough free memory for what was asked: a limit of the machine, reported in one line. */
public final class DeviceMemoryException extends InputException {
    public DeviceMemoryException(String message) {
        super(message);
    }
}

package dev.downhill.cli;

import dev.downhill.InputException;

import java.util.List;

/**
 * The command line's words for the ways past a problem the library names ({@link InputException.Remedy}):
 * its flags, added to the first line of the message.
 */
final class RemedyHints {
    private RemedyHints() {}

    static String message(InputException e) {
        List<String> hints = e.remedies().stream().map(RemedyHints::hint).toList();
        String message = e.getMessage();
        if (hints.isEmpty()) return message;
        int end = message.indexOf('\n');
        String first = end < 0 ? message : message.substring(0, end), rest = end < 0 ? "" : message.substring(end);
        boolean listFollows = first.endsWith(":");
        if (listFollows) first = first.substring(0, first.length() - 1);
        return first + " (" + String.join("; ", hints) + ")" + (listFollows ? ":" : "") + rest;
    }

    private static String hint(InputException.Remedy remedy) {
        return switch (remedy) {
            case DROP_BAD_ROWS -> "--drop-bad-rows drops those rows instead";
            case DECLARE_CLASSES -> "give --classes for more";
            case INIT_WITH_NETWORK_GIVEN -> "a checkpoint from elsewhere can start training with --init and a network given on the command line";
            case HOLD_OUT_VALIDATION_ROWS -> "--validation FRACTION holds some out";
        };
    }
}

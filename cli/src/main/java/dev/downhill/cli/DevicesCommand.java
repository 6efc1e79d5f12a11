package dev.downhill.cli;

import dev.downhill.backend.Availability;
import dev.downhill.backend.BackendProvider;
import dev.downhill.backend.Backends;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code downhill devices}: what can run here, and why not. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the backends, whether each can run here, and why not.")
final class DevicesCommand implements Runnable {
    @Override
    public void run() {
        List<BackendProvider> providers = Backends.providers();
        String auto = null;
        for (BackendProvider p : providers) {
            Availability a = p.availability();
            System.out.printf("%-6s %-11s %s%n", p.name(), a.available() ? "available" : "unavailable", a.detail());
            if (auto == null && a.available()) auto = p.name();
        }
        System.out.println("auto picks: " + (auto == null ? "nothing (no backend can run)" : auto));
    }
}

package io.github.sdagent.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What the watchdog's systemd tests ({@link WatchdogSystemdIT}, {@link WatchdogLoadIT}) share: each test requires the
 * user manager (in CI a missing one fails), gets its own directory and {@link WatchdogUnits}, and its units are
 * always cleaned up.
 */
abstract class WatchdogUnitsSetUp {

    @TempDir
    Path dir;

    WatchdogUnits units;

    @BeforeEach
    void manager() throws Exception {
        UserManager.require();
        units = new WatchdogUnits(dir);
    }

    @AfterEach
    void cleanUp() {
        if (units != null) {
            units.close();
        }
    }

    static List<String> args(String... args) {
        return Arrays.asList(args);
    }
}

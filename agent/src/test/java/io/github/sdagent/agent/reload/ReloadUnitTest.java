package io.github.sdagent.agent.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReloadUnitTest {

    @Test
    void notifyReloadFromSystemd253() {
        assertEquals(List.of("Type=notify-reload"), ReloadUnit.serviceLines(253, "HUP"));
        assertEquals(List.of("Type=notify-reload", "ReloadSignal=SIGUSR1"), ReloadUnit.serviceLines(254, "USR1"));
    }

    @Test
    void execReloadKillBefore() {
        assertEquals(List.of("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID"), ReloadUnit.serviceLines(252, "HUP"));
        assertEquals(List.of("Type=notify", "ExecReload=/bin/kill -WINCH $MAINPID"), ReloadUnit.serviceLines(247, "WINCH"));
    }

    @Test
    void secondsAsInTheStatus() {
        assertEquals("0.00 s", Reloader.seconds(4_000_000L));
        assertEquals("0.25 s", Reloader.seconds(250_000_000L));
        assertEquals("61.50 s", Reloader.seconds(61_500_000_000L));
    }
}

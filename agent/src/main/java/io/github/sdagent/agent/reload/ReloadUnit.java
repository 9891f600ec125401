package io.github.sdagent.agent.reload;

import java.util.ArrayList;
import java.util.List;

/** The [Service] lines a unit needs for {@code reload=} (for the unit generator and docs/reload.md). */
public final class ReloadUnit {

    /** The first systemd with {@code Type=notify-reload} (and {@code ReloadSignal=}). */
    public static final int NOTIFY_RELOAD_SINCE = 253;

    private ReloadUnit() {
    }

    /**
     * For systemd 253+: {@code Type=notify-reload} (systemd sends the signal and waits for READY=1, so
     * {@code systemctl reload} returns when the reload is done), with {@code ReloadSignal=} unless the signal is HUP.
     * Before: {@code Type=notify} and an {@code ExecReload=} that sends the signal ({@code systemctl reload} returns as
     * soon as the signal is sent; the unit shows "reloading" from the agent's RELOADING=1 until its READY=1).
     *
     * @param signal the agent's {@code reload-signal} (HUP, USR1, WINCH)
     */
    public static List<String> serviceLines(int systemdVersion, String signal) {
        List<String> lines = new ArrayList<>();
        if (systemdVersion >= NOTIFY_RELOAD_SINCE) {
            lines.add("Type=notify-reload");
            if (!signal.equals("HUP")) {
                lines.add("ReloadSignal=SIG" + signal);
            }
        } else {
            lines.add("Type=notify");
            lines.add("ExecReload=/bin/kill -" + signal + " $MAINPID");
        }
        return lines;
    }
}

package io.github.sdagent.agent.config;

/** Every configuration key, with what it accepts (used in error messages, the CLI and the README). */
enum Option {
    READY("ready", io.github.sdagent.agent.ready.ReadySpec.ALLOWED),
    READY_WHEN("ready-when", "all or any"),
    READY_HTTP_INTERVAL("ready-http-interval", "a duration such as 1s or 500ms (between ready=http: requests)"),
    READY_HTTP_TIMEOUT("ready-http-timeout", "a duration such as 2s (each ready=http: request)"),
    WATCHDOG("watchdog", "on or off"),
    WATCHDOG_INTERVAL("watchdog-interval", "a duration such as 10s, 500ms or 2min"),
    WATCHDOG_ACTION("watchdog-action", "trigger (send WATCHDOG=trigger when unhealthy) or skip (stop pinging)"),
    DEADLOCK_CHECK("deadlock-check", "on or off"),
    GC_OVERHEAD("gc-overhead", "a percentage of wall time from 1% to 100%, or off"),
    GC_WINDOW("gc-window", "a duration such as 30s or 2min"),
    HEAP_AFTER_GC("heap-after-gc", "a percentage of the maximum heap from 1% to 100%, or off"),
    HEALTH("health", "a static no-argument method such as com.acme.Health#isHealthy, or an http:// URL"),
    HEALTH_TIMEOUT("health-timeout", "a duration such as 5s or 500ms"),
    HEALTH_GRACE("health-grace", "a duration such as 30s or 2min"),
    HEALTH_FAILURES("health-failures", "a whole number from 1 to 100"),
    START_EXTEND("start-extend", "a duration such as 10s, or off"),
    START_PROGRESS_FILE("start-progress-file", "the path of a file whose growth or change counts as start-up progress, "
            + "e.g. the application's log file"),
    STOP_EXTEND("stop-extend", "a duration such as 30s or 2min, or off"),
    STATUS_INTERVAL("status-interval", "a duration such as 30s or 5min, or off"),
    STATUS("status", "the STATUS= text shown while starting"),
    HOOK_GRACE("hook-grace", "a duration such as 60s or 2min"),
    MAINPID("mainpid", "auto, on or off"),
    LOG_LEVEL("log-level", "error, warn, info, debug or off"),
    RELOAD("reload", "one Class#method spec of a method without parameters, e.g. com.example.Config#reload"),
    RELOAD_SIGNAL("reload-signal", "HUP, USR1 or WINCH (as the unit's ReloadSignal=), with reload="),
    RELOAD_TIMEOUT("reload-timeout", "a duration from 100ms to 1h such as 60s, with reload="),
    FDSTORE("fdstore", "on or off"),
    SOCKETS("sockets", "auto, off, or name:port pairs joined with '+' (names from LISTEN_FDNAMES), e.g. web:8080+admin:9090"),
    CONFIG("config", "the path of a properties file with these keys");

    final String key;
    final String allowed;

    Option(String key, String allowed) {
        this.key = key;
        this.allowed = allowed;
    }

    static Option forKey(String key) {
        for (Option option : values()) {
            if (option.key.equals(key)) {
                return option;
            }
        }
        return null;
    }

    static String keys() {
        StringBuilder keys = new StringBuilder();
        for (Option option : values()) {
            keys.append(keys.length() == 0 ? "" : ", ").append(option.key);
        }
        return keys.toString();
    }
}

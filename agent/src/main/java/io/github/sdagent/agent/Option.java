package io.github.sdagent.agent;

/** Every configuration key, with what it accepts (used in error messages, the CLI and the README). */
enum Option {
    READY("ready", "one or more Class#method specs joined with '+', e.g. org.eclipse.jetty.server.Server#start"),
    READY_WHEN("ready-when", "all or any"),
    WATCHDOG("watchdog", "on or off"),
    WATCHDOG_INTERVAL("watchdog-interval", "a duration such as 10s, 500ms or 2min"),
    STATUS("status", "the STATUS= text shown while starting"),
    HOOK_GRACE("hook-grace", "a duration such as 60s or 2min"),
    MAINPID("mainpid", "auto, on or off"),
    LOG_LEVEL("log-level", "error, warn, info, debug or off"),
    CONFIG("config", "the path of a properties file with these keys"),
    FDSTORE("fdstore", "on or off"),
    SOCKETS("sockets", "auto, off, or name:port pairs joined with '+' (names from LISTEN_FDNAMES), e.g. web:8080+admin:9090");

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

package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.lifecycle.HookListener;
import io.github.sdagent.agent.hooks.HookSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ready=auto} with presets: composes the ready points of every preset the application runs into one "ready",
 * exactly once.
 *
 * <p>The rule: a preset's ready method is <em>in progress</em> from the moment its outermost call begins until it
 * returns (or the future it returned completes). The application is ready the first time no preset call is in
 * progress after at least one completed, and none failed. So Spring Boot on Tomcat is ready when
 * {@code SpringApplication#run} returns, not when Tomcat's service (started inside it) does; a Netty bind started from
 * inside {@code io.grpc.internal.ServerImpl#start} is waited for by gRPC. A preset that fails (throws, its future
 * fails, or its check finds a connector that did not start) makes auto never claim READY: the status says what failed.
 *
 * <p>Before claiming READY, auto waits for the main thread to settle ({@link Settle}, at most 10 s): a server
 * that the main thread starts after the first one (a broker's web console after its acceptors) begins its preset
 * call meanwhile, and READY waits for that one too. Limit: a second server started later than that, or from another
 * thread after the main thread blocked, is not waited for (name both in {@code ready=} hooks).
 */
public final class AutoReadiness implements HookListener {

    /** Where the decisions go (the Lifecycle); called on the application's threads, so it must be quick. */
    public interface Outcome {
        /** Once: everything started is serving; {@code detected} is e.g. {@code Spring Boot 3.5.16 (Tomcat 11.0.27)}. */
        void ready(String detected);

        /** While starting: a STATUS such as {@code Starting: Jetty 12.1.14 detected, waiting for it to serve}. */
        void progress(String status);

        /** A preset's start failed: auto will not claim READY. */
        void failed(String component, Throwable failure);

        void problem(String oneLine);
    }

    /** The STATUS while no preset has been seen (and, until the listener registry is wired, no listener evidence). */
    public static final String NOTHING_FOUND =
            "Starting: waiting for a server to listen (ready=auto found no framework); set ready=...";

    /** Runs a claim of READY once the application's main thread has settled; at once in unit tests. */
    public interface Settle {
        void whenSettled(Runnable claim);
    }

    private static final Settle AT_ONCE = new Settle() {
        @Override
        public void whenSettled(Runnable claim) {
            claim.run();
        }
    };

    private final List<Preset> table;
    private final Outcome outcome;
    private final Settle settle;
    private int completions; // a claim made after an earlier completion is overtaken by a later one
    private final Set<String> detected = new LinkedHashSet<>(); // "Jetty 12.1.14", in order of completion
    private final List<Preset> detectedPresets = new ArrayList<>();
    private int inProgress;
    private boolean seen;
    private boolean failed;
    private boolean ready;

    public AutoReadiness(List<Preset> table, Outcome outcome) {
        this(table, outcome, AT_ONCE);
    }

    AutoReadiness(List<Preset> table, Outcome outcome, Settle settle) {
        this.table = table;
        this.outcome = outcome;
        this.settle = settle;
    }

    /** The hooks to install: one per preset, on the preset's own (unrelocated) class. */
    public List<HookSpec> specs() {
        List<HookSpec> specs = new ArrayList<>();
        for (Preset preset : table) {
            specs.add(preset.spec(preset.className));
        }
        return specs;
    }

    /** Whether a preset has begun its start and not finished it: listener evidence must not pre-empt it. */
    public synchronized boolean presetPending() {
        return inProgress > 0;
    }

    /** Whether any preset was seen starting (then the listener fallback does not apply). */
    public synchronized boolean presetSeen() {
        return seen;
    }

    @Override
    public void hookEntered(HookSpec spec) {
        Preset preset = presetOf(spec);
        boolean first;
        synchronized (this) {
            inProgress++;
            first = !seen;
            seen = true;
        }
        if (first && preset != null) {
            outcome.progress("Starting: " + preset.name + " detected, waiting for it to serve");
        }
    }

    @Override
    public void hookReturned(HookSpec spec) {
        hookReturned(spec, null);
    }

    @Override
    public void hookReturned(HookSpec spec, Object self) {
        Preset preset = presetOf(spec);
        if (preset != null && preset.check != null && self != null) {
            String problem;
            try {
                problem = preset.check.problem(self);
            } catch (Throwable t) {
                problem = null; // a check that cannot look (another version's API) must not block readiness
                outcome.problem("ready=auto: could not check " + preset.name + " (" + t + "); trusting its return");
            }
            if (problem != null) {
                hookFailed(spec, new IllegalStateException(problem));
                return;
            }
        }
        String described = preset == null ? spec.className()
                : spec.className().equals(preset.className) ? preset.name + version(self, preset)
                : preset.name + relocatedIn(self);
        int claim = -1;
        synchronized (this) {
            inProgress = Math.max(0, inProgress - 1);
            if (preset != null && detected.add(described)) {
                detectedPresets.add(preset);
            }
            completions++;
            if (inProgress == 0 && !failed && !ready) {
                claim = completions;
            }
        }
        if (claim >= 0) {
            settle.whenSettled(new Claim(claim));
        }
    }

    /** READY, unless a preset call began (or failed) since this claim was made. */
    private final class Claim implements Runnable {
        private final int completion;

        Claim(int completion) {
            this.completion = completion;
        }

        @Override
        public void run() {
            String readyWith = null;
            synchronized (AutoReadiness.this) {
                if (completion == completions && inProgress == 0 && !failed && !ready) {
                    ready = true;
                    readyWith = describe();
                }
            }
            if (readyWith != null) {
                outcome.ready(readyWith);
            }
        }
    }

    @Override
    public void hookFailed(HookSpec spec, Throwable failure) {
        Preset preset = presetOf(spec);
        synchronized (this) {
            inProgress = Math.max(0, inProgress - 1);
            failed = true;
        }
        outcome.failed(preset == null ? spec.toString() : preset.name, failure);
    }

    @Override
    public void problem(String oneLineMessage) {
        outcome.problem(oneLineMessage);
    }

    /** Frameworks first, the servers they run in parentheses: {@code Spring Boot 3.5.16 (Tomcat 11.0.27)}. */
    private String describe() {
        StringBuilder frameworks = new StringBuilder();
        StringBuilder servers = new StringBuilder();
        int i = 0;
        for (String name : detected) {
            StringBuilder into = detectedPresets.get(i++).kind == Preset.Kind.FRAMEWORK ? frameworks : servers;
            into.append(into.length() == 0 ? "" : " + ").append(name);
        }
        if (frameworks.length() == 0) {
            return servers.toString();
        }
        return servers.length() == 0 ? frameworks.toString() : frameworks + " (" + servers + ")";
    }

    /** The preset a hook belongs to: its own class, or a relocated copy ({@code ...shaded.} + the class name). */
    private Preset presetOf(HookSpec spec) {
        String className = spec.className();
        for (Preset preset : table) {
            if (className.equals(preset.className) || className.endsWith("." + preset.className)) {
                return preset;
            }
        }
        return null;
    }

    /** {@code " 12.1.14"} from the jar's manifest or file name, or "" when neither says. */
    static String version(Object self, Preset preset) {
        if (self == null) {
            return "";
        }
        try {
            Class<?> type = self.getClass();
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().endsWith(preset.className)) {
                    type = c;
                    break;
                }
            }
            Package pkg = type.getPackage();
            String version = pkg == null ? null : pkg.getImplementationVersion();
            if (version == null && type.getProtectionDomain().getCodeSource() != null
                    && type.getProtectionDomain().getCodeSource().getLocation() != null) {
                version = fromJarName(type.getProtectionDomain().getCodeSource().getLocation().toString());
            }
            return version == null || version.isEmpty() ? "" : " " + version;
        } catch (Throwable t) {
            return "";
        }
    }

    /**
     * A relocated copy's jar is the vendor's (grpc-netty-shaded-1.85.1.jar, wiremock-standalone-3.13.2.jar): its
     * version is not the server's, so the jar is named instead: {@code " relocated in wiremock-standalone-3.13.2.jar"}
     * (no parentheses: those mark the servers under a framework).
     */
    static String relocatedIn(Object self) {
        try {
            java.security.CodeSource source =
                    self == null ? null : self.getClass().getProtectionDomain().getCodeSource();
            String location = source == null || source.getLocation() == null ? "" : source.getLocation().toString();
            while (location.endsWith("/") || location.endsWith("!")) {
                location = location.substring(0, location.length() - 1);
            }
            String file = location.substring(location.lastIndexOf('/') + 1);
            return file.endsWith(".jar") ? " relocated in " + file : " relocated";
        } catch (Throwable t) {
            return " relocated";
        }
    }

    /** {@code .../tomcat-embed-core-11.0.27.jar!/} gives 11.0.27. */
    static String fromJarName(String location) {
        String path = location;
        while (path.endsWith("/") || path.endsWith("!")) {
            path = path.substring(0, path.length() - 1);
        }
        int slash = path.lastIndexOf('/');
        String file = path.substring(slash + 1);
        if (!file.endsWith(".jar")) {
            return null;
        }
        file = file.substring(0, file.length() - 4);
        for (int i = 1; i < file.length(); i++) {
            if (file.charAt(i - 1) == '-' && Character.isDigit(file.charAt(i))) {
                return file.substring(i);
            }
        }
        return null;
    }
}

package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.OneLine;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The parsed value of {@code ready=}: terms joined with '+', each one of
 * <ul>
 *   <li>{@code auto}: the presets (the default when no {@code ready=} is given);</li>
 *   <li>{@code start}: READY as soon as the agent has started (alone only);</li>
 *   <li>{@code http:URL}: a 2xx from the URL;</li>
 *   <li>{@code log:REGEX}: a line on stdout/stderr matching; it takes the rest of the value, '+' included, so it comes
 *       last;</li>
 *   <li>a {@code Class#method} hook.</li>
 * </ul>
 * and {@code listen:PORT} / {@code listen:HOST:PORT} (several allowed): a socket of this JVM listening there.
 */
public final class ReadySpec {

    public static final String ALLOWED = "auto, start, or terms joined with '+': Class#method hooks "
            + "(e.g. org.eclipse.jetty.server.Server#start), auto, listen:PORT or listen:HOST:PORT, http:URL, and log:REGEX as the last term";

    private final boolean defaulted;
    private final boolean auto;
    private final boolean start;
    private final List<HookSpec> hooks;
    private final List<ListenCondition> listens;
    private final URL http;
    private final Pattern log;

    private ReadySpec(boolean defaulted, boolean auto, boolean start, List<HookSpec> hooks,
                      List<ListenCondition> listens, URL http, Pattern log) {
        this.defaulted = defaulted;
        this.auto = auto;
        this.start = start;
        this.hooks = Collections.unmodifiableList(hooks);
        this.listens = Collections.unmodifiableList(listens);
        this.http = http;
        this.log = log;
    }

    /** No {@code ready=}: auto. */
    public static ReadySpec defaultSpec() {
        return new ReadySpec(true, true, false, new ArrayList<HookSpec>(), new ArrayList<ListenCondition>(), null, null);
    }

    /** @throws IllegalArgumentException the detail for the one-line configuration error */
    public static ReadySpec parse(String text) {
        if (text.trim().isEmpty()) {
            throw new IllegalArgumentException("no hook given");
        }
        boolean auto = false;
        boolean start = false;
        List<HookSpec> hooks = new ArrayList<>();
        List<ListenCondition> listens = new ArrayList<>();
        URL http = null;
        Pattern log = null;
        String rest = text;
        int terms = 0;
        while (rest != null) {
            String term;
            if (rest.trim().startsWith("log:")) {
                term = rest.trim();
                rest = null;
            } else {
                int plus = rest.indexOf('+');
                term = (plus < 0 ? rest : rest.substring(0, plus)).trim();
                rest = plus < 0 ? null : rest.substring(plus + 1);
            }
            terms++;
            if (term.equals("auto")) {
                auto = true;
            } else if (term.equals("start")) {
                start = true;
            } else if (term.startsWith("log:")) {
                if (log != null) {
                    throw new IllegalArgumentException("only one log: term");
                }
                String regex = term.substring(4);
                if (regex.isEmpty()) {
                    throw new IllegalArgumentException("log: needs a regular expression");
                }
                try {
                    log = Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("log:" + OneLine.shown(regex) + " is not a regular expression ("
                            + OneLine.shown(e.getDescription()) + ")");
                }
            } else if (term.startsWith("http:") || term.startsWith("https:")) {
                if (http != null) {
                    throw new IllegalArgumentException("only one http: term");
                }
                String url = term.startsWith("http:http") ? term.substring(5) : term;
                try {
                    http = new URL(url);
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException(OneLine.shown(term) + " is not http:URL ("
                            + OneLine.shown(String.valueOf(e.getMessage())) + ")");
                }
                if (http.getHost().isEmpty()) {
                    throw new IllegalArgumentException(OneLine.shown(term) + " is not http:URL (no host; e.g. "
                            + "http:http://127.0.0.1:8080/health)");
                }
            } else if (term.startsWith("listen:")) {
                ListenCondition listen = ListenCondition.parse(term.substring(7));
                for (ListenCondition given : listens) {
                    if (given.toString().equals(listen.toString())) {
                        throw new IllegalArgumentException(listen + " is given twice");
                    }
                }
                listens.add(listen);
            } else {
                hooks.add(HookSpec.parse(term));
            }
        }
        if (start && terms > 1) {
            throw new IllegalArgumentException("start cannot be combined with other terms");
        }
        return new ReadySpec(false, auto, start, hooks, listens, http, log);
    }

    /** Whether ready= was absent (then auto). */
    public boolean defaulted() {
        return defaulted;
    }

    public boolean auto() {
        return auto;
    }

    public boolean start() {
        return start;
    }

    public List<HookSpec> hooks() {
        return hooks;
    }

    /** The listen: conditions, in the order given (possibly none). */
    public List<ListenCondition> listens() {
        return listens;
    }

    /** The http: URL, or null. */
    public URL http() {
        return http;
    }

    /** The log: pattern, or null. */
    public Pattern log() {
        return log;
    }

    /** Each condition's name, in this order: hook specs, then auto, listen:..., http:URL, log:REGEX. */
    public List<String> conditions() {
        List<String> names = new ArrayList<>();
        for (HookSpec hook : hooks) {
            names.add(hook.toString());
        }
        if (auto) {
            names.add("auto");
        }
        for (ListenCondition listen : listens) {
            names.add(listen.toString());
        }
        if (http != null) {
            names.add("http:" + http);
        }
        if (log != null) {
            names.add("log:" + log.pattern());
        }
        return names;
    }

    @Override
    public String toString() {
        if (start) {
            return "start";
        }
        StringBuilder text = new StringBuilder();
        for (String condition : conditions()) {
            text.append(text.length() == 0 ? "" : "+").append(condition);
        }
        return text.toString();
    }
}

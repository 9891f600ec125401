package io.github.sdagent.agent.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes values the way systemd's unit-file parser reads them back, and reads them as it does (systemd.service(5)
 * "Command lines", systemd.syntax(7)). In {@code ExecStart=} systemd expands {@code %} specifiers, {@code $VAR}
 * and {@code ${VAR}}, C escapes, and splits words at whitespace unless quoted; a lone {@code ;} separates commands.
 */
final class SystemdSyntax {

    private SystemdSyntax() {
    }

    /** One ExecStart= word that systemd reads back as exactly {@code word}: no variable, no specifier. */
    static String execWord(String word) {
        if (word.equals(";")) {
            return "\\;"; // the documented spelling of a literal lone semicolon
        }
        String escaped = cEscape(word).replace("%", "%%").replace("$", "$$");
        return needsQuotes(word) ? "\"" + escaped + "\"" : escaped;
    }

    /** A whole command line: {@link #execWord} for each word, joined by spaces. */
    static String execLine(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(execWord(word));
        }
        return line.toString();
    }

    /**
     * The value of an {@code Environment=} line for one assignment: always double-quoted (so spaces stay), with
     * C escapes and {@code %%}. {@code $} is literal in Environment= (systemd expands no variables there).
     */
    static String environmentAssignment(String name, String value) {
        return "\"" + cEscape(name + "=" + value).replace("%", "%%") + "\"";
    }

    /** A value of a setting that expands specifiers but is not split into words (Description=, User=, paths). */
    static String plainValue(String value) {
        return value.replace("\\", "\\\\").replace("\n", " ").replace("%", "%%");
    }

    private static boolean needsQuotes(String word) {
        if (word.isEmpty()) {
            return true;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\'') {
                return true;
            }
        }
        return false;
    }

    static String cEscape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\': out.append("\\\\"); break;
                case '"': out.append("\\\""); break;
                case '\n': out.append("\\n"); break;
                case '\t': out.append("\\t"); break;
                case '\r': out.append("\\r"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Splits a setting's value into words as systemd does (quotes, C escapes), without expanding {@code $} or
     * {@code %}: {@code "A=b c" D=e} gives {@code [A=b c, D=e]}.
     */
    static List<String> words(String value) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(++i);
                switch (next) {
                    case 'n': word.append('\n'); break;
                    case 't': word.append('\t'); break;
                    case 'r': word.append('\r'); break;
                    default: word.append(next);
                }
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}

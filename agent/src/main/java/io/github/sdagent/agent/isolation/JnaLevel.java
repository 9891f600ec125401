package io.github.sdagent.agent.isolation;

/**
 * Stands in for java.util.logging.Level in the agent's copy of JNA (see the package comment): the same constants,
 * none of the LogManager.
 */
public final class JnaLevel {

    public static final JnaLevel OFF = new JnaLevel("OFF", Integer.MAX_VALUE);
    public static final JnaLevel SEVERE = new JnaLevel("SEVERE", 1000);
    public static final JnaLevel WARNING = new JnaLevel("WARNING", 900);
    public static final JnaLevel INFO = new JnaLevel("INFO", 800);
    public static final JnaLevel CONFIG = new JnaLevel("CONFIG", 700);
    public static final JnaLevel FINE = new JnaLevel("FINE", 500);
    public static final JnaLevel FINER = new JnaLevel("FINER", 400);
    public static final JnaLevel FINEST = new JnaLevel("FINEST", 300);
    public static final JnaLevel ALL = new JnaLevel("ALL", Integer.MIN_VALUE);

    private final String name;
    final int value;

    private JnaLevel(String name, int value) {
        this.name = name;
        this.value = value;
    }

    @Override
    public String toString() {
        return name;
    }
}

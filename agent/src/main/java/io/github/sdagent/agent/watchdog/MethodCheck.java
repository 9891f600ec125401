package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.config.Durations;
import io.github.sdagent.agent.OneLine;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code health=com.acme.Health#isHealthy}: the application's static, no-argument method, returning boolean (false
 * is unhealthy) or void, where an exception is unhealthy. Called on a thread of the agent's own
 * ("sd-agent-health-call", created at the first call) with {@code health-timeout}: a call that does not return in
 * time counts as unhealthy, and while it still hangs no second call is started. The method is looked up at the first
 * call (after READY): in the system class loader, else among the loaded classes. A method that cannot be found or
 * called is reported once and the check is off: a typo in an option must not restart the service forever.
 */
final class MethodCheck implements HealthCheck {

    private final String spec;
    private final String className;
    private final String methodName;
    private final Instrumentation inst;
    private final Duration timeout;
    private final AgentLog log;
    private Method method;
    private boolean disabled;
    private ScheduledThreadPoolExecutor caller;
    private Future<Object> running;
    private long runningSinceNanos;

    MethodCheck(String spec, Instrumentation inst, Duration timeout, AgentLog log) {
        this.spec = spec;
        int hash = spec.indexOf('#');
        this.className = spec.substring(0, hash);
        this.methodName = spec.substring(hash + 1);
        this.inst = inst;
        this.timeout = timeout;
        this.log = log;
    }

    @Override
    public String problem() {
        if (disabled) {
            return null;
        }
        if (method == null) {
            try {
                method = resolve();
            } catch (Exception | LinkageError e) {
                disabled = true;
                log.error("health=" + spec + " cannot be called (" + OneLine.summary(e) + "); expected a static method with no "
                        + "parameters returning boolean or void; this health check is off");
                return null;
            }
            caller = AgentThreads.single("sd-agent-health-call");
        }
        if (running != null && !running.isDone()) {
            return "health check " + spec + " hangs (called " + Durations.format(Duration.ofSeconds(
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - runningSinceNanos))) + " ago, has not returned)";
        }
        runningSinceNanos = System.nanoTime();
        running = caller.submit(new Callable<Object>() { // no lambda: see AgentMain#DAEMON
            @Override
            public Object call() throws Exception {
                Thread.currentThread().setContextClassLoader(method.getDeclaringClass().getClassLoader());
                return method.invoke(null);
            }
        });
        try {
            Object result = running.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return Boolean.FALSE.equals(result) ? "health check " + spec + " returned false" : null;
        } catch (TimeoutException e) {
            return "health check " + spec + " did not return within " + Durations.format(timeout) + " (health-timeout)";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof InvocationTargetException ? e.getCause().getCause() : e.getCause();
            return "health check " + spec + " threw " + OneLine.summary(cause == null ? e : cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Method resolve() throws Exception {
        Class<?> type = load();
        Method found = type.getDeclaredMethod(methodName);
        if (!Modifier.isStatic(found.getModifiers())) {
            throw new NoSuchMethodException(spec + " is not static");
        }
        Class<?> returns = found.getReturnType();
        if (returns != boolean.class && returns != Boolean.class && returns != void.class) {
            throw new NoSuchMethodException(spec + " returns " + returns.getName());
        }
        found.setAccessible(true);
        return found;
    }

    private Class<?> load() throws ClassNotFoundException {
        try {
            return Class.forName(className, true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException notOnTheClassPath) { // e.g. a Spring Boot jar's nested class loader
            if (inst != null) {
                for (Class<?> loaded : inst.getAllLoadedClasses()) {
                    if (loaded.getName().equals(className)) {
                        return loaded;
                    }
                }
            }
            throw notOnTheClassPath;
        }
    }

    @Override
    public String toString() {
        return spec;
    }
}

package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.Durations;
import io.github.sdagent.agent.OneLine;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.time.Duration;

/**
 * {@code health=http://127.0.0.1:8080/actuator/health}: a GET on the health thread, never through a proxy; a 2xx
 * answer is healthy. {@code health-timeout} bounds the connect and, separately, the wait for the answer.
 */
final class HttpCheck implements HealthCheck {

    private final String url;
    private final Duration timeout;

    HttpCheck(String url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
    }

    @Override
    public String problem() {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            int code = connection.getResponseCode();
            drain(code >= 400 ? connection.getErrorStream() : connection.getInputStream());
            return code >= 200 && code < 300 ? null : "HTTP probe " + url + " answered " + code;
        } catch (SocketTimeoutException e) {
            return "HTTP probe " + url + " did not answer within " + Durations.format(timeout) + " (health-timeout)";
        } catch (IOException | RuntimeException e) {
            return "HTTP probe " + url + " failed: " + OneLine.summary(e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static void drain(InputStream body) throws IOException {
        if (body == null) {
            return;
        }
        try (InputStream in = body) {
            byte[] buffer = new byte[4096];
            int total = 0;
            int read;
            while (total < 65536 && (read = in.read(buffer)) >= 0) {
                total += read;
            }
        }
    }

    @Override
    public String toString() {
        return url;
    }
}

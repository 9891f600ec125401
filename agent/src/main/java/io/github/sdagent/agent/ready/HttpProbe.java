package io.github.sdagent.agent.ready;

import java.net.HttpURLConnection;
import java.net.URL;

/**
 * {@code ready=http:URL}: a daemon thread requests the URL (GET, no redirects followed) every interval, each request
 * bounded by the timeout, until one answers 2xx; then calls back once and ends. Started only when configured.
 */
public final class HttpProbe implements Runnable {

    public interface Result {
        void answered(String url, int status);

        void stillWaiting(String url, String lastOutcome);
    }

    private final URL url;
    private final long intervalMillis;
    private final int timeoutMillis;
    private final Result result;
    private volatile boolean stopped;

    public HttpProbe(URL url, long intervalMillis, long timeoutMillis, Result result) {
        this.url = url;
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        this.result = result;
    }

    public void start() {
        Thread thread = new Thread(this, "sd-agent-ready-http");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        try {
            String last = null;
            int attempts = 0;
            while (!stopped) {
                String outcome = attempt();
                if (outcome == null) {
                    return;
                }
                if (!outcome.equals(last) || ++attempts % 10 == 0) {
                    result.stillWaiting(url.toString(), outcome);
                    last = outcome;
                }
                Thread.sleep(intervalMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            result.stillWaiting(url.toString(), "probe ended: " + t); // the listener logs it
        }
    }

    /** null once a 2xx came (reported), else what happened ("503", "connection refused"). */
    private String attempt() {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) url.openConnection();
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            if (status >= 200 && status < 300) {
                result.answered(url.toString(), status);
                return null;
            }
            return "HTTP " + status;
        } catch (Exception e) {
            String message = e.getMessage();
            return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}

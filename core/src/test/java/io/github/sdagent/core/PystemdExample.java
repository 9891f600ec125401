package io.github.sdagent.core;

/**
 * The pystemd.daemon README example, translated to Java (the README shows this code; SystemdManagerTest
 * runs it as a Type=notify unit). Shorter sleeps than the original so the test stays quick.
 */
public class PystemdExample {
    public static void main(String[] args) throws Exception {
        Thread.sleep(1000); // preparation work
        Daemon.notify(false, java.util.Map.of("ready", 1, "status", "starting to do some work"));
        for (int i = 0; i < 5; i++) {
            Thread.sleep(200); // some hard work
            Daemon.notify(false, "STATUS=Complete: " + (i + 1) * 20 + "% of work...");
        }
        Daemon.notify(false, "STOPPING=1");
        // this line can also be Notification.stopping().send(false)
        System.exit(0);
    }
}

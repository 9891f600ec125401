package io.github.sdagent.it.sample.tomcat;

import io.github.sdagent.it.sample.Sample;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/** Tomcat 11 embedded with one servlet. */
public final class TomcatApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-sample").toString());
        Connector connector = new Connector();
        connector.setProperty("address", Sample.HOST);
        connector.setPort(Sample.port());
        tomcat.getService().addConnector(connector);
        Context context = tomcat.addContext("", new File(".").getAbsolutePath());
        Tomcat.addServlet(context, "hello", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().write(Sample.greeting("tomcat"));
            }
        });
        context.addServletMappingDecoded("/", "hello");
        tomcat.start();
        tomcat.getServer().await();
    }
}

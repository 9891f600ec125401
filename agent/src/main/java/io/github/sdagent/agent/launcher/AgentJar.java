package io.github.sdagent.agent.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/** The agent jar this launcher was loaded from, and how entries are read from it. */
final class AgentJar {

    /** Internals are stored under this suffix so that no ordinary class loader can load them. */
    static final String CLASSDATA = ".classdata";
    /** ... and their resources under this one, for the same reason. */
    static final String RESDATA = ".resdata";

    private AgentJar() {
    }

    static URL url() {
        return AgentJar.class.getProtectionDomain().getCodeSource().getLocation();
    }

    static JarFile open() throws IOException {
        try {
            return new JarFile(new File(url().toURI()), false);
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the agent jar from " + url(), e);
        }
    }

    /**
     * An entry's bytes. Into an array of the entry's size when the jar says it (it does for every entry the build
     * writes): no 8 KB buffer and no copy per class. The internals are some 250 classes read on the start path, and
     * every byte allocated there is a heap page the application's process touches (its RSS, and G1's sizing).
     */
    static byte[] read(JarFile jar, ZipEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            long size = entry.getSize();
            if (size >= 0 && size < Integer.MAX_VALUE) {
                byte[] bytes = new byte[(int) size];
                for (int done = 0, n; done < bytes.length; done += n) {
                    n = in.read(bytes, done, bytes.length - done);
                    if (n < 0) {
                        throw new IOException(entry.getName() + " ends after " + done + " of " + size + " bytes");
                    }
                }
                return bytes;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}

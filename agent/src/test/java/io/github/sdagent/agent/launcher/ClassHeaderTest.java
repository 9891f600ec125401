package io.github.sdagent.agent.launcher;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassHeaderTest {

    /** Every class file of java.base's java.util and java.lang.invoke (all constant pool tags occur there). */
    @Test
    void agreesWithReflectionOnEveryClassOfTwoJdkPackages() throws Exception {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int checked = 0;
        for (String pkg : new String[] {"java/util", "java/lang/invoke", "java/util/concurrent"}) {
            List<Path> files;
            Path base = jrt.getPath("modules", "java.base");
            try (Stream<Path> list = Files.list(base.resolve(pkg))) {
                files = list.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
            }
            for (Path file : files) {
                String name = base.relativize(file).toString().replace(".class", "");
                Class<?> type = Class.forName(name.replace('/', '.'), false, null);
                byte[] bytes = Files.readAllBytes(file);
                for (Class<?> itf : type.getInterfaces()) {
                    String itfName = itf.getName().replace('.', '/');
                    assertTrue(ClassHeader.listsInterface(bytes, Set.of(itfName)), name + " lists " + itfName);
                }
                assertFalse(ClassHeader.listsInterface(bytes, Set.of("java/lang/Object", name, "x/NotAnInterface")),
                        name + ": its super class and its own name are not interfaces it lists");
                checked++;
            }
        }
        assertTrue(checked > 500, "checked only " + checked + " classes");
    }

    @Test
    void classFilesOfTheseTestsWithLambdasAndLongs() throws IOException {
        byte[] bytes;
        try (InputStream in = ClassHeaderTest.class.getResourceAsStream("ClassHeaderTest.class")) {
            bytes = in.readAllBytes();
        }
        assertFalse(ClassHeader.listsInterface(bytes, Set.of("java/lang/Runnable")));
        assertThrows(RuntimeException.class, () -> ClassHeader.listsInterface(new byte[] {1, 2, 3}, Collections.emptySet()));
    }
}

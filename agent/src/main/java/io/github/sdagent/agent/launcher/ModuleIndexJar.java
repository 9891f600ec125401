package io.github.sdagent.agent.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Writes the tiny index jar from which the JDK derives the internals' automatic module: a manifest with
 * Automatic-Module-Name and one empty {@code package-info.class} entry per package. Written by hand (stored entries,
 * fixed 1980 timestamps, a name of our own with CREATE_NEW) because JarOutputStream and Files.createTempFile pull
 * time-zone rules and SecureRandom into premain, which every application start would pay for.
 */
final class ModuleIndexJar {

    private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream central = new ByteArrayOutputStream();
    private int entries;

    private ModuleIndexJar() {
    }

    static Path write(String moduleName, Set<String> packages) throws IOException {
        ModuleIndexJar jar = new ModuleIndexJar();
        jar.entry("META-INF/MANIFEST.MF", ("Manifest-Version: 1.0\r\n" + ModuleLayers.MODULE_NAME_ATTRIBUTE + ": "
                + moduleName + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        for (String pkg : packages) {
            jar.entry(pkg.replace('.', '/') + "/package-info.class", new byte[0]);
        }
        byte[] bytes = jar.finish();
        String dir = System.getProperty("java.io.tmpdir");
        for (int attempt = 0; ; attempt++) {
            Path file = Paths.get(dir, "sd-agent-module-" + Long.toHexString(System.nanoTime()) + ".jar");
            try {
                Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return file;
            } catch (FileAlreadyExistsException taken) {
                if (attempt == 10) {
                    throw taken;
                }
            }
        }
    }

    private void entry(String name, byte[] data) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length);
        int offset = out.size();
        int32(out, 0x04034b50);
        common(out, nameBytes, data.length, (int) crc.getValue());
        out.write(nameBytes, 0, nameBytes.length);
        out.write(data, 0, data.length);

        int32(central, 0x02014b50);
        int16(central, 20); // version made by
        common(central, nameBytes, data.length, (int) crc.getValue());
        int16(central, 0); // comment length
        int16(central, 0); // disk
        int16(central, 0); // internal attributes
        int32(central, 0); // external attributes
        int32(central, offset);
        central.write(nameBytes, 0, nameBytes.length);
        entries++;
    }

    /** version needed, flags, method (stored), time, date, crc, sizes, name length, extra length. */
    private static void common(ByteArrayOutputStream to, byte[] name, int size, int crc) {
        int16(to, 10);
        int16(to, 0);
        int16(to, 0);
        int16(to, 0);
        int16(to, DOS_DATE_1980_01_01);
        int32(to, crc);
        int32(to, size);
        int32(to, size);
        int16(to, name.length);
        int16(to, 0);
    }

    private byte[] finish() {
        int centralOffset = out.size();
        byte[] directory = central.toByteArray();
        out.write(directory, 0, directory.length);
        int32(out, 0x06054b50);
        int16(out, 0);
        int16(out, 0);
        int16(out, entries);
        int16(out, entries);
        int32(out, directory.length);
        int32(out, centralOffset);
        int16(out, 0);
        return out.toByteArray();
    }

    private static void int16(ByteArrayOutputStream to, int value) {
        to.write(value & 0xff);
        to.write((value >>> 8) & 0xff);
    }

    private static void int32(ByteArrayOutputStream to, int value) {
        int16(to, value & 0xffff);
        int16(to, (value >>> 16) & 0xffff);
    }
}

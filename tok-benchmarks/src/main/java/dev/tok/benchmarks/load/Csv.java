package dev.tok.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Appends rows to a CSV file, writing the header when the file is new. Values are numbers or simple words. */
final class Csv {
    private final Path file;
    private final String[] header;

    Csv(Path file, String... header) {
        this.file = file;
        this.header = header;
    }

    synchronized void row(Object... values) {
        if (values.length != header.length) {
            throw new IllegalArgumentException("row has " + values.length + " values, header " + header.length);
        }
        List<String> cells = new ArrayList<>();
        for (Object v : values) {
            cells.add(v instanceof Double || v instanceof Float ? String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue())
                    : String.valueOf(v));
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            StringBuilder sb = new StringBuilder();
            if (!Files.exists(file)) {
                sb.append(String.join(",", header)).append('\n');
            }
            sb.append(String.join(",", cells)).append('\n');
            Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

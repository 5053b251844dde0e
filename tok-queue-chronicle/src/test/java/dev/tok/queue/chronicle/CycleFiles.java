package dev.tok.queue.chronicle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Looks at a queue directory from outside. */
final class CycleFiles {

    private CycleFiles() {
    }

    static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies a queue directory while its queue is open: what a kill -9 at this moment would leave
     * behind (Chronicle's files are shared memory maps, so the copy sees every completed write).
     * Callers make no writes meanwhile; the sweeper may still snapshot and delete, so the journal
     * files are copied first and the snapshot last (a newer snapshot over older files is a state a
     * kill can leave; the reverse is not), and files deleted during the copy are skipped.
     */
    static void copyAsIfKilled(Path from, Path to) {
        List<Path> files;
        try (Stream<Path> s = Files.list(from)) {
            files = s.filter(p -> !p.getFileName().toString().startsWith(Snapshot.FILE)).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.add(from.resolve(Snapshot.FILE));
        for (Path p : files) {
            try {
                Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.NoSuchFileException e) {
                // deleted by the sweeper meanwhile, or no snapshot yet
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Waits (an Awaitility condition) until the wall clock enters the next second: the next one-second cycle. */
    static void awaitNextSecond() {
        long second = java.time.Instant.now().getEpochSecond();
        org.awaitility.Awaitility.await().pollInterval(java.time.Duration.ofMillis(5))
                .until(() -> java.time.Instant.now().getEpochSecond() > second);
    }

    /** @return bytes of all cycle files (their length; Chronicle's files are sparse) */
    static long bytes(Path dir) {
        long sum = 0;
        for (Path p : list(dir)) {
            try {
                sum += Files.size(p);
            } catch (IOException e) {
                // deleted meanwhile
            }
        }
        return sum;
    }
}

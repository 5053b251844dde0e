package dev.tok.example.docs;

/**
 * Runs one documentation sample that blocks until the JVM is stopped ({@code server.join()} with
 * {@code closeOnShutdown()}), in a child JVM that {@link DocSamplesTest} stops with SIGTERM.
 */
final class DocSampleMain {

    private DocSampleMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "readme-join" -> new RootReadmeSamples().join();
            case "tok-server-join" -> new ApiJavadocSamples().tokServerJoin();
            default -> throw new IllegalArgumentException("no sample " + args[0]);
        }
    }
}

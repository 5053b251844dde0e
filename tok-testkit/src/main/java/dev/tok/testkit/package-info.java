/**
 * Compatibility kits: extend the abstract class for your provider kind, implement its factory
 * method, and run it with JUnit 5. Helpers for your own tests: {@link dev.tok.testkit.InMemoryConnection}
 * (a hub connection without a socket), {@link dev.tok.testkit.KitRun} (proves a kit catches a
 * broken provider) and {@link dev.tok.testkit.JdkWebSocketClient}.
 */
package dev.tok.testkit;

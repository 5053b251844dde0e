/**
 * Compatibility kits: extend the abstract class for your provider kind, implement its factory
 * method, and run it with JUnit 5.
 */
package dev.tok.testkit;

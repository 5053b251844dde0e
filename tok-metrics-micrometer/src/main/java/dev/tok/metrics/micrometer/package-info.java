/**
 * {@link dev.tok.metrics.micrometer.TokMetrics}: a hub's meters for Micrometer. See the
 * module's README for the meters, their tags and units.
 *
 * @since 0.1
 */
package dev.tok.metrics.micrometer;

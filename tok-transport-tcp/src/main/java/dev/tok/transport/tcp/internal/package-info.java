/**
 * The {@code tcp} transport's implementation: its provider, found by
 * {@link java.util.ServiceLoader}, the Netty pipeline and the settings parser. Not exported.
 */
package dev.tok.transport.tcp.internal;

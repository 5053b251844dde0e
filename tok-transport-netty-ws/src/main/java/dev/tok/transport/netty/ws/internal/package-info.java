/**
 * The {@code netty-ws} transport's implementation: its provider, found by
 * {@link java.util.ServiceLoader}, and the Netty pipeline. Not exported.
 */
package dev.tok.transport.netty.ws.internal;

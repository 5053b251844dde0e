/**
 * Code shared by the two Netty transports ({@code tcp}, {@code netty-ws}) only: the slow-consumer
 * guard. Not an API.
 */
package dev.tok.transport.support.netty;

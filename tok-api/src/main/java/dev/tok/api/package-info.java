/**
 * tok's user API: the {@link dev.tok.api.Hub}, its {@link dev.tok.api.HubConfig configuration},
 * the application's callbacks ({@link dev.tok.api.Actor}, {@link dev.tok.api.Authenticator} and
 * the hooks), the {@link dev.tok.api.Queue} contract, the errors (all
 * {@link dev.tok.api.TokException}s) and {@link dev.tok.api.TokServer}, which assembles a hub,
 * a queue and transports by name.
 *
 * <p><b>Nulls.</b> No parameter of a method or constructor in this package accepts {@code null}
 * unless its documentation says so; a null argument fails at once with a
 * {@link java.lang.NullPointerException} naming the parameter. No method returns {@code null}:
 * an absent value is {@link java.util.Optional#empty()}. Callbacks must not return {@code null}
 * either.
 *
 * <p><b>Threads.</b> Every callback's documentation says which thread calls it and whether it
 * may block. No callback and no dependent action of a returned stage runs while the hub holds a
 * lock.
 *
 * @since 0.1
 */
package dev.tok.api;

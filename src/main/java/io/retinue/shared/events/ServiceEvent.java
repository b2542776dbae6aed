package io.retinue.shared.events;

/**
 * A domain event that other services react to. In one process it is delivered like any other (the event publication
 * registry is the outbox); where modules run apart it also travels over RabbitMQ to the services of the other modules
 * ({@link EventRelay}, {@link EventIntake}). Implemented by event records in a module's root package only.
 */
public interface ServiceEvent {
}

-- Events received from other services, by message id: one received twice (RabbitMQ delivers at least once) is
-- acknowledged and not delivered again.
create table consumed_event (
    message_id  varchar(64)  primary key,
    routing_key varchar(200) not null,
    received_at timestamp with time zone not null
);

create index consumed_event_received on consumed_event (received_at);

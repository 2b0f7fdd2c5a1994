"""SLA tracking: joins dispatched cases with lifecycle events, measures first-response and
resolution times in business time, and raises at-risk / breach alerts (pure state machine in
`tracker`, Kafka loop in `consumer`)."""

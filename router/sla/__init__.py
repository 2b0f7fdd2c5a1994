"""SLA tracking: joins the router's `dispatched` records with lifecycle events on
`omniroute.events`, measures first-response and resolution times in business time, and raises
at-risk / breach alerts (pure state machine in `tracker`, one partition's step in `process`,
the exactly-once Kafka loop in `runner`)."""

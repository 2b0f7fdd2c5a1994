"""Channel connectors: verify -> parse -> normalise to `intake.MessageDraft`, then deliver
through `intake.sink.Sink`. One module (or package) per source behind `connectors.base`."""

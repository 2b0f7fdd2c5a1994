"""The `omniroute` command: composes intake, connectors and router into processes."""

"""The live status page (`/status`) and its JSON (`/status.json`): per department open cases,
oldest waiting, SLA attainment and the cases at risk right now."""

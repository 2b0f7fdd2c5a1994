"""The router: consume intake topics -> dedup/threading -> classify -> priority + SLA ->
dispatch to `omniroute.dept.<department>`, with every decision explained."""

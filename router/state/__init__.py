"""Partition-local router state (dedup keys, fingerprints, thread keys, open cases) in compact
numpy tables, mirrored to the compacted changelog `omniroute.router.state`.

Import `router.state.partition.PartitionState` directly; this package file stays empty so the
state and dedup modules can import each other's leaves without import cycles.
"""

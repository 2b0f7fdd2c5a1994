"""Topic names (DESIGN.md) under a configurable prefix, and their creation specs."""

from dataclasses import dataclass

from intake.message import Channel


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str = "omniroute"

    def intake(self, channel: Channel | str) -> str:
        return f"{self.prefix}.intake.{Channel(channel).value}"

    def all_intake(self) -> list[str]:
        return [self.intake(c) for c in Channel]

    def dept(self, department: str) -> str:
        return f"{self.prefix}.dept.{department}"

    @property
    def duplicates(self) -> str:
        return f"{self.prefix}.duplicates"

    @property
    def deadletter(self) -> str:
        return f"{self.prefix}.deadletter"

    @property
    def decisions(self) -> str:
        return f"{self.prefix}.decisions"

    @property
    def events(self) -> str:
        return f"{self.prefix}.events"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}.alerts"

    @property
    def customers(self) -> str:
        return f"{self.prefix}.customers"

    @property
    def router_state(self) -> str:
        return f"{self.prefix}.router.state"

    @property
    def sla_state(self) -> str:
        return f"{self.prefix}.sla.state"

    def specs(self, departments: list[str], partitions: int) -> list[TopicSpec]:
        """Every topic omniroute uses. Keyed topics share one partition count so that one
        customer's intake, state and department records land on the same partition number."""
        names = [*self.all_intake(), *(self.dept(d) for d in departments)]
        names += [self.duplicates, self.deadletter, self.decisions, self.events, self.alerts]
        specs = [TopicSpec(n, partitions) for n in names]
        specs += [TopicSpec(self.customers, partitions, compacted=True)]
        specs += [TopicSpec(self.router_state, partitions, compacted=True)]
        # The SLA tracker's changelog: partition p holds the cases of events partition p.
        specs += [TopicSpec(self.sla_state, partitions, compacted=True)]
        return specs

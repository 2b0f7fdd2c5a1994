"""The router partitions its own batches: it must agree with Kafka's default partitioner (the
Java client's and aiokafka's murmur2), or keyed outputs would land off their customer's
partition."""

import random

from aiokafka.partitioner import DefaultPartitioner, murmur2

from router.eos import partitioner


def test_murmur2_matches_aiokafka_for_every_length() -> None:
    rng = random.Random(3)
    keys = [rng.randbytes(n) for n in range(80) for _ in range(20)]
    keys += [b"", b"a", "客户".encode(), b"d7f1c2a0-1b2c-5d3e-8f90-0123456789ab"]
    assert [partitioner.murmur2(k) for k in keys] == [murmur2(k) for k in keys]


def test_partition_matches_the_default_partitioner() -> None:
    rng = random.Random(4)
    for _ in range(500):
        key, n = rng.randbytes(rng.randrange(1, 40)), rng.randrange(1, 64)
        assert partitioner.partition_for(key, n) == DefaultPartitioner()(key, list(range(n)), [])


def test_java_reference_values() -> None:
    # org.apache.kafka.common.utils.UtilsTest#testMurmur2 (as unsigned 32-bit values).
    cases = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536}
    for key, signed in cases.items():
        assert partitioner.murmur2(key) == signed & 0xFFFFFFFF

"""The model artifact: one numpy .npz container, loaded without pickle.

Contents: `meta` (UTF-8 JSON: feature spec, label names, calibration, provenance), `buckets`
(sorted uint32 hash buckets that occurred in training), `weights` (float16, one row per bucket:
department columns, then intent columns) and `bias` (float32). float16 halves the size at a
precision (3 significant digits) far below what the logits need.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from intake.errors import OmnirouteError
from intake.serde import dumps_obj, loads_obj

from .features import FeatureSpec

FORMAT = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "models" / "text_model.bin"


class ModelLoadError(OmnirouteError):
    """The artifact is missing, corrupt or of an unknown format."""


@dataclass(frozen=True, slots=True)
class Artifact:
    spec: FeatureSpec
    departments: tuple[str, ...]
    intents: tuple[str, ...]
    intent_departments: tuple[str, ...]  # department of each intent, same order
    temperature: float  # divides department logits: calibration fitted at training time
    buckets: npt.NDArray[np.uint32]
    weights: npt.NDArray[np.float16]
    bias: npt.NDArray[np.float32]
    provenance: dict[str, Any]


def to_bytes(artifact: Artifact) -> bytes:
    meta = {
        "format": FORMAT,
        "bits": artifact.spec.bits,
        "max_order": artifact.spec.max_order,
        "min_latin_order": artifact.spec.min_latin_order,
        "departments": list(artifact.departments),
        "intents": list(artifact.intents),
        "intent_departments": list(artifact.intent_departments),
        "temperature": artifact.temperature,
        "provenance": artifact.provenance,
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        meta=np.frombuffer(dumps_obj(meta), dtype=np.uint8),
        buckets=artifact.buckets,
        weights=artifact.weights,
        bias=artifact.bias,
    )
    return buffer.getvalue()


def write(artifact: Artifact, path: Path) -> str:
    """Write the artifact (atomically: temp file then rename); returns its version."""
    raw = to_bytes(artifact)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(raw)
    tmp.replace(path)
    return version_of(raw)


def version_of(raw: bytes) -> str:
    """Content hash, recorded with every decision so a routing can be traced to its model."""
    return hashlib.sha256(raw).hexdigest()[:16]


def from_bytes(raw: bytes) -> Artifact:
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            meta = loads_obj(npz["meta"].tobytes())
            arrays = {name: npz[name] for name in ("buckets", "weights", "bias")}
        if meta.get("format") != FORMAT:
            raise ModelLoadError(f"unknown artifact format {meta.get('format')!r}")
        return Artifact(
            spec=FeatureSpec(
                bits=int(meta["bits"]),
                max_order=int(meta["max_order"]),
                min_latin_order=int(meta["min_latin_order"]),
            ),
            departments=tuple(meta["departments"]),
            intents=tuple(meta["intents"]),
            intent_departments=tuple(meta["intent_departments"]),
            temperature=float(meta["temperature"]),
            buckets=arrays["buckets"].astype(np.uint32),
            weights=arrays["weights"].astype(np.float16),
            bias=arrays["bias"].astype(np.float32),
            provenance=dict(meta.get("provenance", {})),
        )
    except ModelLoadError:
        raise
    except Exception as exc:  # zip, npy and JSON errors alike mean "not a usable artifact"
        raise ModelLoadError(f"not a text model artifact: {exc}") from exc

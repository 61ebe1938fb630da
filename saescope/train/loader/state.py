"""The loader state: where each stream is, saved per rank and merged into one state of all the streams.

A rank's state holds its streams' positions, (epoch, batches of it consumed) each, the global batches taken and
the shards found corrupt, plus what must match to continue from them (seed, batch, window, hookpoint, dataset,
held-out shards, number of streams). `merge_loader_states` joins every rank's into one state of all S streams,
which any world size dividing S loads. The state is ours rather than torchdata's: torchdata's nests one entry per
node of one process's graph, can be neither merged across ranks nor loaded by a graph with other prefetch knobs.
"""

from __future__ import annotations

from typing import Any

STATE_FORMAT = "saescope-loader"
STATE_VERSION = 2


def check_state(state: dict[str, Any]) -> None:
    """Refuse what is not a loader state of this version."""
    if state.get("format") != STATE_FORMAT or state.get("version") != STATE_VERSION:
        raise ValueError(f"not a {STATE_FORMAT} v{STATE_VERSION} state: {state.get('format')} "
                         f"v{state.get('version')}")
    streams = state.get("num_streams")
    if not (isinstance(streams, int) and streams >= 1 and isinstance(state.get("streams"), dict)):
        raise ValueError(f"a {STATE_FORMAT} state without its streams")


def merge_loader_states(states: list[dict[str, Any]]) -> dict[str, Any]:
    """One state from every rank's `state_dict()`: their streams' positions together and every shard any of them
    found corrupt. Refuses states of different streams or global batches, or that leave a stream out."""
    if not states:
        raise ValueError("no loader states to merge")
    for state in states:
        check_state(state)
    first = states[0]
    shared = (first.keys() - {"streams", "skipped_shards"}) | {"batches"}
    for state in states[1:]:
        if state.get("batches") != first.get("batches"):
            raise ValueError(f"the loader states are at different global batches: "
                             f"{[s.get('batches') for s in states]}")
        differ = sorted(k for k in shared | (state.keys() - {"streams", "skipped_shards"})
                        if state.get(k) != first.get(k))
        if differ:
            raise ValueError(f"the loader states belong to different streams (they differ in {differ})")
    positions: dict[str, list[int]] = {}
    for state in states:
        for s, position in state["streams"].items():
            if s in positions and positions[s] != list(position):
                raise ValueError(f"stream {s} is at {positions[s]} in one loader state, {list(position)} in another")
            positions[s] = list(position)
    streams = first["num_streams"]
    missing = [s for s in range(streams) if str(s) not in positions]
    if missing or len(positions) != streams:
        raise ValueError(f"the loader states hold streams {sorted(positions, key=int)}, not all of the {streams} "
                         f"streams: merge every rank's state")
    skipped = list(dict.fromkeys(name for state in states for name in state["skipped_shards"]))
    return {**first, "streams": {str(s): positions[str(s)] for s in range(streams)}, "skipped_shards": skipped}

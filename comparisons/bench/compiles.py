"""torch.compile's graph breaks, recompiles and give-ups for one timed case, in
words for the row's `note`. Imported by the worker (nothing heavy: torch only
where a case is compiled)."""

from __future__ import annotations


def counts(case: dict) -> tuple[dict, int, int] | None:
    """torch.compile's counts so far in this process: graph breaks (reason ->
    count), frames compiled, and frames it gave up compiling (past its
    recompile limit, left to run eagerly); None for a variant that does not
    compile. (torch 2.13 leaves `counters["recompiles"]` empty.)"""
    if "compiled" not in case["variant"]:
        return None
    from torch._dynamo.utils import counters

    gave_up = sum(n for k, n in counters["unimplemented"].items() if "limit" in k)
    return dict(counters["graph_break"]), counters["frames"]["ok"], gave_up


def watched(run, case: dict):
    """`run`, wrapped where the case compiles, and the list [counts before,
    counts after its first call] that its first call completes; (run, None) where
    it does not compile."""
    seen = [counts(case)]
    if seen[0] is None:
        return run, None

    def first_then_run():
        out = run()
        if len(seen) == 1:
            seen.append(counts(case))
        return out

    return first_then_run, seen


def note(seen, case: dict) -> str:
    """The graph breaks and recompiles of one case ('' if not compiled): a frame
    compiled after the first call is a recompile."""
    if seen is None:
        return ""
    before, first, after = seen[0], seen[-1], counts(case)
    reasons = {k: n - before[0].get(k, 0) for k, n in after[0].items()}
    reasons = [k.splitlines()[0][:80] for k, n in reasons.items() if n > 0]
    breaks = f"{len(reasons)} ({'; '.join(reasons[:2])})" if reasons else "none"
    text = f"graph breaks: {breaks}; recompiles: {after[1] - first[1]}"
    if after[2] > before[2]:
        text += "; gave up past its recompile limit: partly eager"
    return text

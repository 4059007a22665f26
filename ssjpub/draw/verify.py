"""Re-execute every committed draw and compare it, field by field, with its record."""

from __future__ import annotations

from typing import Mapping

from ssjpub import parallel
from ssjpub.draw.encoding import ALGORITHMS
from ssjpub.draw.engine import DrawError, DrawFailed, PriorDraws, execute, made_at
from ssjpub.draw.record import compare, compare_mirror, json_bytes, not_canonical
from ssjpub.loader.repository import Repository
from ssjpub.problems import Pos, Problem


_FACTS = {"id", "name", "department", "active", "qualifications", "cert_expires", "conflicts"}


def _usable(roster: dict | None) -> dict | None:
    """The recorded roster when it has the shape the algorithm reads; else None, and the
    field-by-field comparison then shows what is wrong with it."""
    try:
        if isinstance(roster["file"], str) and all(isinstance(r, str) for r in roster["requirements"]):
            if all(_FACTS <= set(p) for p in roster["pool"]):
                return roster
    except (KeyError, TypeError):
        pass
    return None


def _algorithm(record: dict, file: str) -> tuple[str | None, list[Problem]]:
    """The algorithm a record says it was made by, which re-executes it (/1 records stay /1)."""
    name = record.get("algorithm")
    if name in ALGORITHMS:
        return name, []
    return None, [Pos(file).problem(
        "draw-mismatch", f"记录的算法 {name!r} 不是可以重新执行的算法（{'、'.join(ALGORITHMS)}）")]


Key = tuple[str, int, str]  # agency, year, task
# agency, consecutive records, the state before them, those of them only passed through (known)
Run = tuple[str, list[tuple[int, str]], PriorDraws, frozenset[tuple[int, str]]]


def verify_draws(repo: Repository, workers: int | None = None) -> tuple[int, list[Problem]]:
    """(number of records checked, problems), the problems in (agency, year, task) order."""
    found = verify_records(repo, workers)
    return len(found), [p for key in sorted(found) for p in found[key]]


def verify_records(repo: Repository, workers: int | None = None,
                   known: frozenset[tuple[str, int, str, str]] = frozenset(),
                   start: Mapping[str, tuple[int, PriorDraws]] | None = None) -> dict[Key, list[Problem]]:
    """Each re-executed record's problems (draw and failure records of a task together), by
    (agency, year, task); the records in `known` ((agency, year, task, "draw" | "failure"), found
    exact before: ssjpub.draw.verifycache) are not re-executed and not in the result. `start`: by
    agency, the state before its i-th record in made_at order (verifycache.States), for when the
    records before it are all in `known`: they are not added up again.

    Each agency's records are re-executed in the order they were made, carrying what earlier
    records pass on (PriorDraws) from one to the next. With `workers` > 1 (by default the usable
    CPUs, for repositories with enough records to pay for the processes) runs of consecutive
    records are verified in forked processes; the result is the same.
    """
    if workers is None:
        todo = sum(1 for code, data in repo.agencies.items() for key in data.draws if (code, *key, "draw") not in known)
        workers = parallel.usable_cpus() if todo >= _MIN_PARALLEL else 1
    runs = _runs(repo, workers, known, start or {})
    parts = parallel.map_forked(_verify_run, repo, runs, workers) if workers > 1 and len(runs) > 1 else None
    if parts is None:
        parts = [_verify_run(repo, run) for run in runs]
    found = {key: problems for part in parts for key, problems in part}
    for code, data in sorted(repo.agencies.items()):
        for key in sorted(data.failures):
            if (code, *key, "failure") not in known:
                found[(code, *key)] = found.get((code, *key), []) + verify_failure(repo, code, key)
    return found


def verify_failure(repo: Repository, code: str, key: tuple[int, str]) -> list[Problem]:
    """A failure record must be what re-executing the draw fails with: the same inputs, seed and
    reasons (docs/draw-spec.md §8.1). A draw that succeeds on re-execution was not a failure."""
    year, task = key
    failed = repo.agencies[code].failures[key]
    roster = failed.data.get("inspectors") if isinstance(failed.data.get("inspectors"), dict) else None
    algorithm, problems = _algorithm(failed.data, failed.file)
    if algorithm is None:
        return problems
    try:
        execute(repo, code, year, task, roster=_usable(roster), algorithm=algorithm)
    except DrawFailed as exc:
        expected = exc.record
    except DrawError as exc:
        return [Pos(failed.file).problem("draw-mismatch", "无法重新执行这次失败的抽取，原因见下一条"), *exc.problems]
    else:
        return [Pos(failed.file).problem(
            "draw-mismatch", "失败记录不成立：用同样的输入和公开随机数重新执行，这次抽取能够完成")]
    path = repo.root / failed.file
    if failed.data == expected:  # then the bytes `ssjpub draw` writes, as for a draw record
        return not_canonical(failed.file, path.read_bytes(), json_bytes(expected))
    return compare(failed.file, path.read_text(encoding="utf-8"), failed.data, expected)


def _runs(repo: Repository, workers: int, known: frozenset[tuple[str, int, str, str]] = frozenset(),
          start: Mapping[str, tuple[int, PriorDraws]] | None = None) -> list[Run]:
    """Every agency's records in made_at order, cut into runs, each with the state before it.

    Serially, one run per agency. In parallel, about four runs per worker in all, so that they
    share out evenly; an agency is cut only when there are fewer agencies than that, because a
    forked process copies the memory pages of every record and snapshot it reads, and each
    agency's are best read by one process. Records in `known` are left out of the runs, their
    part of the state carried over all the same.
    """
    runs: list[Run] = []
    pieces = -(-4 * workers // max(1, len(repo.agencies)))  # runs per agency
    for code, data in sorted(repo.agencies.items()):
        ordered = sorted(data.draws, key=lambda k: made_at(data, *k))
        todo = [i for i, k in enumerate(ordered) if (code, *k, "draw") not in known]
        step = max(1, len(todo)) if workers <= 1 else max(_MIN_RUN, -(-len(todo) // pieces))
        prior, done = PriorDraws(), 0
        begin, state = (start or {}).get(code, (0, None))
        if state is not None and todo and begin <= todo[0]:
            prior, done = state.copy(), begin
        for j in range(0, len(todo), step):
            first, last = todo[j], todo[min(j + step, len(todo)) - 1]
            for key in ordered[done:first]:
                prior.add(key, data.draws[key].passed_on)
            span = ordered[first: last + 1]
            runs.append((code, span, prior.copy(), frozenset(k for k in span if (code, *k, "draw") in known)))
            for key in span:
                prior.add(key, data.draws[key].passed_on)
            done = last + 1
    return runs


_MIN_RUN = 8  # records: a run costs a copy of the state, and a round trip to a process
_MIN_PARALLEL = 40  # records; fewer take well under a second serially


def _verify_run(repo: Repository, run: Run) -> list[tuple[Key, list[Problem]]]:
    code, keys, before, passed = run
    data = repo.agencies[code]
    prior = before.copy()  # the run stays as it was, should it have to be done again
    out = []
    for key in keys:
        if key not in passed:
            out.append(((code, *key), verify_one(repo, code, key, prior)))
        prior.add(key, data.draws[key].passed_on)
    return out


def verify_one(repo: Repository, code: str, key: tuple[int, str], prior: PriorDraws) -> list[Problem]:
    """Problems of one record; `prior` holds the agency's records made before it."""
    year, task = key
    draw = repo.agencies[code].draws[key]
    algorithm, problems = _algorithm(draw.data, draw.file)
    if algorithm is None:
        return problems
    try:
        roster = draw.data.get("inspectors") if isinstance(draw.data.get("inspectors"), dict) else None
        expected = execute(repo, code, year, task, roster=_usable(roster), prior=prior, algorithm=algorithm)
    except DrawError as exc:
        return [Pos(draw.file).problem("draw-mismatch", "无法重新执行该抽取，原因见下一条"), *exc.problems]
    path = repo.root / draw.file
    same = draw.data == expected  # the same verdict as compare()'s field walk, at C speed
    if not same:
        problems = compare(draw.file, path.read_text(encoding="utf-8"), draw.data, expected)
    else:  # the same content (dict equality ignores key order): then the bytes `ssjpub draw` writes
        problems = not_canonical(draw.file, path.read_bytes(), json_bytes(expected))
    if draw.yaml_file is None:
        problems.append(Pos(draw.file).problem("missing-file", "缺少抽取记录的 YAML 副本"))
    else:  # the copy of the record as drawn (key order included), or else of the record as it stands
        mirror = (repo.root / draw.yaml_file).read_bytes()
        problems += compare_mirror(draw.yaml_file, mirror, expected if same else draw.data)
    return problems

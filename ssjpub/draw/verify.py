"""Re-execute every committed draw and compare it, field by field, with its record."""

from __future__ import annotations

from ssjpub.draw.engine import DrawError, execute
from ssjpub.draw.record import compare, compare_mirror
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


def verify_draws(repo: Repository) -> tuple[int, list[Problem]]:
    """(number of records checked, problems). Records are checked in draw order."""
    problems: list[Problem] = []
    checked = 0
    for code, data in sorted(repo.agencies.items()):
        for (year, task), draw in sorted(data.draws.items()):
            checked += 1
            text = (repo.root / draw.file).read_text(encoding="utf-8")
            try:
                roster = draw.data.get("inspectors") if isinstance(draw.data.get("inspectors"), dict) else None
                expected = execute(repo, code, year, task, roster=_usable(roster))
            except DrawError as exc:
                problems.append(Pos(draw.file).problem("draw-mismatch", "无法重新执行该抽取，原因见下一条"))
                problems += exc.problems
                continue
            problems += compare(draw.file, text, draw.data, expected)
            if draw.yaml_file is None:
                problems.append(Pos(draw.file).problem("missing-file", "缺少抽取记录的 YAML 副本"))
            else:
                mirror = (repo.root / draw.yaml_file).read_text(encoding="utf-8")
                problems += compare_mirror(draw.yaml_file, mirror, draw.data)
    return checked, problems

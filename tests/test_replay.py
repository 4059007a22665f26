"""The demo replayed commit by commit (`make demo-history`): its history proves every draw's order,
and a real RFC 3161 token (the demo TSA: `openssl ts -reply` under faketime) proves each declaration
older than its draw day. Skipped, with the reason, without faketime: `.ci/run` installs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest
import yaml

from ssjpub.demo.replay import ReplayError, events, plan_text, replay
from ssjpub.timestamp.files import CHINA
from ssjpub.validate import validate

ROOT = Path(__file__).resolve().parent.parent
RANDOM_TASKS = {("baofeng", 2024, t) for t in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-07")} | {
    ("yanshi", 2023, t) for t in ("2023-01", "2023-02", "2023-03", "2023-04")}
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.invalid",
           "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.invalid"}


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Path:
    if shutil.which("faketime") is None:
        pytest.skip("没有安装 faketime：重放演示的测试跳过（演示时间戳服务的时钟需要它；Debian 上用 "
                    "apt-get install -y faketime 安装；.ci/run 会自动安装）")
    dest = tmp_path_factory.mktemp("replay") / "demo"
    replay(ROOT, dest)
    return dest


def git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env=env or GIT_ENV).stdout


def verify_history(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssjpub", "verify", "--history", "--root", str(root)],
                          capture_output=True, text=True)


def test_the_replayed_demo_passes_verify_history_with_no_finding(replayed):
    out = verify_history(replayed)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == "" and "未发现问题" in out.stderr  # no warning either: every drawn task has its token


def test_the_replay_ends_with_the_demo_exactly_plus_the_tokens(replayed):
    """The demo carries the TSA configuration; only the tokens, which name replayed commits, are
    the replay's own."""
    tracked = set(git(ROOT, "ls-files").split())
    for rel in sorted(tracked):
        if (ROOT / rel).is_file():
            assert (replayed / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert git(replayed, "status", "--porcelain") == ""
    tokens = {f"plans/{a}/{y}/timestamps/{t}.{ext}" for a, y, t in RANDOM_TASKS for ext in ("tsr", "yaml")}
    assert set(git(replayed, "ls-files").split()) - tracked == tokens


def _records(root: Path) -> dict[tuple[str, int, str], dict]:
    return {(p.parts[-4], int(p.parts[-3]), p.stem): yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in root.glob("plans/*/*/timestamps/*.yaml")}


def test_each_declaration_is_timestamped_right_after_it_lands_and_before_its_draw_day(replayed):
    records = _records(replayed)
    assert set(records) == RANDOM_TASKS
    for (agency, year, task), rec in sorted(records.items()):
        added = git(replayed, "log", "--diff-filter=A", "--format=%H %P%n%s", "--",
                    f"plans/{agency}/{year}/timestamps/{task}.tsr").splitlines()
        sha, parent = added[0].split()
        assert "可信时间戳" in added[1] and task in added[1]
        assert rec["commit"] == parent  # the declaration's own commit, stamped before anything else lands
        assert git(replayed, "log", "-1", "--format=%s", parent).startswith(f"{agency}：{year} 年度")
        plan = yaml.safe_load((replayed / f"plans/{agency}/{year}/plan.yaml").read_text(encoding="utf-8"))
        declared = next(t for t in plan["tasks"] if t["id"] == task)["randomness"]
        expected_on = min(r["expected_on"] for r in (declared if isinstance(declared, list) else [declared]))
        gen_time = datetime.fromisoformat(rec["gen_time"])
        assert gen_time < datetime.combine(expected_on, time(0), CHINA), task  # the TSA's clock, not 2026's
        declared = datetime.fromisoformat(git(replayed, "log", "-1", "--format=%cI", parent).strip())
        assert declared < gen_time < datetime.fromisoformat(git(replayed, "log", "-1", "--format=%cI", sha).strip())
        assert rec["tsa"] == "演示时间戳服务（本地 OpenSSL，非真实服务）"


def test_the_replay_follows_the_documented_order(replayed):
    log = subprocess.run(["git", "-C", str(replayed), "log", "--reverse", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert log[0].startswith("建立公示仓库")
    for task in ("2024-01", "2023-03"):
        values = next(i for i, s in enumerate(log) if f"任务 {task} 的公开随机数" in s)
        draw = next(i for i, s in enumerate(log) if f"任务 {task} 的抽取记录" in s)
        results = next(i for i, s in enumerate(log) if f"任务 {task} 的检查结果" in s)
        declared = max(i for i, s in enumerate(log[:values]) if "计划" in s)
        stamped = next(i for i, s in enumerate(log) if "可信时间戳" in s and task in s)
        assert declared + 1 == stamped < values < draw < results


def test_every_replayed_declaration_and_values_commit_validates(replayed, tmp_path):
    """A bureau following this order never has a red pull request on the way: the commits that
    add a plan's tasks or public values (where a reference could dangle) each validate."""
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(replayed), str(work)], check=True)
    log = subprocess.run(["git", "-C", str(work), "log", "--reverse", "--format=%H %s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    commits = [line.split()[0] for line in log if any(w in line for w in ("计划", "公开随机数", "可信时间戳"))]
    assert len(commits) >= 10
    for sha in commits:
        subprocess.run(["git", "-C", str(work), "checkout", "-q", sha], check=True)
        _repo, problems = validate(work)
        assert [p for p in problems if p.severity.value == "error"] == [], sha


def test_every_replayed_declaration_passes_the_pre_lottery_check(replayed, tmp_path):
    """Issue 14: at each declaration and values commit, every task still to be drawn is one that
    `ssjpub check` says can be drawn (the demo never relies on luck)."""
    from ssjpub.rules.catalogue import RuleContext, calendar_of, run_rules
    from ssjpub.rules.checks.prelottery import verdicts
    from ssjpub.rules.tasks import tasks

    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(replayed), str(work)], check=True)
    log = subprocess.run(["git", "-C", str(work), "log", "--reverse", "--format=%H %s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    judged = 0
    for sha in [line.split()[0] for line in log if any(w in line for w in ("计划", "公开随机数"))]:
        subprocess.run(["git", "-C", str(work), "checkout", "-q", sha], check=True)
        repo, _ = validate(work)
        ctx = RuleContext(repo, date(2000, 1, 1), calendar_of(repo))
        found = [p for p in run_rules(ctx) if p.code.startswith("prelottery-") or p.code == "task-ratio-below-item"]
        assert found == [], (sha, [str(p) for p in found])
        lines = verdicts(ctx, tasks(ctx))
        assert all("：可以抽取" in line for line in lines), (sha, lines)
        judged += len(lines)
    assert judged >= 10


def test_a_partial_plan_keeps_the_files_bytes():
    text = (ROOT / "plans/baofeng/2024/plan.yaml").read_text(encoding="utf-8")
    ids = [line[len("- id: "):] for line in text.splitlines() if line.startswith("- id: ")]
    assert plan_text(text, set(ids)) == text
    partial = plan_text(text, {ids[1]})
    assert f"- id: {ids[1]}" in partial and f"- id: {ids[0]}" not in partial
    assert partial.startswith(text[: text.index("\ntasks:\n")])


def test_data_whose_dates_contradict_the_order_is_refused(tmp_path):
    source = tmp_path / "source"
    for rel in ("plans", "results", "docs/schema"):
        shutil.copytree(ROOT / rel, source / rel)
    plan = source / "plans/baofeng/2024/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("published_on: 2024-01-05", "published_on: 2024-01-12"),
                    encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    subprocess.run(["git", "-C", str(source), "add", "-A"], check=True)
    with pytest.raises(ReplayError, match="2024-01"):
        events(source)
    with pytest.raises(ReplayError, match="已存在"):
        replay(source, source)


def test_without_faketime_the_replay_says_what_to_install_and_writes_nothing(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("git", "openssl"):  # everything the replay runs but faketime
        (tools / tool).symlink_to(shutil.which(tool))
    dest = tmp_path / "demo"
    out = subprocess.run([sys.executable, "-m", "ssjpub.demo.replay", str(dest)], capture_output=True, text=True,
                         env={**os.environ, "PATH": str(tools)})
    assert out.returncode == 1 and "apt-get install faketime" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and not dest.exists()


def test_every_ci_job_that_replays_the_demo_installs_faketime_first():
    def replays_after_install(commands: list[str]) -> bool:
        text = "\n".join(commands)
        return "make demo-history" not in text or "apt-get install -y faketime" in text[: text.index("make demo-history")]

    gh = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    for name, job in gh["jobs"].items():
        assert replays_after_install([s.get("run", "") for s in job.get("steps", [])]), name
    gl = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    jobs = {name: job for name, job in gl.items() if isinstance(job, dict) and "script" in job}
    assert sum("make demo-history" in "\n".join(job["script"]) for job in jobs.values()) == 1  # the history check
    for name, job in jobs.items():
        assert replays_after_install(job["script"]), name
    install = re.search(r"apt-get install -y ([^)\n]*)", (ROOT / ".ci/run").read_text(encoding="utf-8"))
    assert install and {"chromium", "faketime", "libreoffice-calc-nogui"} <= set(install.group(1).split())


def test_the_demo_tsa_keys_are_marked_and_valid_through_the_replayed_years(tmp_path):
    """The committed ones, and a new set (`python -m ssjpub.demo.tsa`): no CA key is kept."""
    from cryptography import x509

    from ssjpub.demo.tsa import CA_CERT, CERT, KEY, WARNING_HEAD, new_keys

    if shutil.which("faketime") is None:
        pytest.skip("没有安装 faketime：跳过（apt-get install -y faketime）")
    new_keys(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([KEY.name, CERT.name, CA_CERT.name])
    for folder in (KEY.parent, tmp_path):
        assert (folder / KEY.name).read_text(encoding="utf-8").startswith(WARNING_HEAD)
        [ca] = x509.load_pem_x509_certificates((folder / CA_CERT.name).read_bytes())
        tsa = x509.load_pem_x509_certificate((folder / CERT.name).read_bytes())
        for cert in (ca, tsa):
            assert cert.not_valid_before_utc.year == 2022 and cert.not_valid_after_utc.year == 2052
        assert tsa.issuer == ca.subject and "not a real" in tsa.subject.rfc4514_string()
        assert x509.ExtendedKeyUsageOID.TIME_STAMPING in tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    for agency in ("baofeng", "yanshi"):
        assert (ROOT / f"plans/{agency}/tsa/demo-ca.pem").read_bytes() == CA_CERT.read_bytes()


# --- the task pages claim what this history proves, and nothing more ----------------------------

def _claims(root: Path) -> dict[str, list]:
    from ssjpub.draw.history import read_history
    from ssjpub.site.pages import site_pages

    repo, _ = validate(root)
    pages = site_pages(repo, history=read_history(repo))
    return {p.url: p.data["claims"] for p in pages if p.template == "task.html" and p.data.get("draw")}


def test_task_pages_of_the_replay_show_the_order_proven_and_say_what_was_not(replayed):
    claims = _claims(replayed)
    assert len(claims) == 10
    for url, found in claims.items():
        status = {c.label: c.status for c in found}
        assert status["输入先于随机数（提交图）"] == "proven", url
        assert status["发布后未被修改或删除"] == "proven", url
        assert status["可信时间戳"] == "proven", url
        stamp = next(c.text for c in found if c.label == "可信时间戳")
        assert "演示时间戳服务（本地 OpenSSL，非真实服务）" in stamp and "北京时间" in stamp, url
        assert status["随机数在开奖（摇号）之后提交"] == "unchecked", url  # dates never prove
        assert "不能证明这些输入早于开奖" in found[0].text


def test_task_pages_never_claim_an_order_the_history_refutes(replayed, tmp_path):
    tampered = tmp_path / "tampered"
    subprocess.run(["git", "clone", "-q", str(replayed), str(tampered)], check=True)
    values = tampered / "plans/baofeng/2024/randomness/2024-02.yaml"
    values.write_text(values.read_text(encoding="utf-8") + "# 改过\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(tampered), "commit", "-qam", "改随机数"], check=True,
                   env={**GIT_ENV, "GIT_COMMITTER_DATE": "2023-01-01T00:00:00+08:00"})
    claims = _claims(tampered)
    bad = {c.label: c for c in claims["baofeng/2024/2024-02/"]}
    assert bad["发布后未被修改或删除"].status == "refuted"
    assert "plans/baofeng/2024/randomness/2024-02.yaml" in bad["发布后未被修改或删除"].text
    assert {c.status for c in claims["baofeng/2024/2024-01/"]} <= {"proven", "unchecked"}


def test_without_history_nothing_is_claimed(tmp_path):
    from ssjpub.site.pages import site_pages

    repo, _ = validate(ROOT)
    claims = [c for page in site_pages(repo) if page.template == "task.html" for c in page.data.get("claims", [])]
    assert len(claims) >= 20  # two claims on each of the ten drawn tasks' pages
    for claim in claims:  # no history read: every order claim is "not checked"
        assert claim.status == "unchecked" and "未核对" in claim.text


# --- the tokens cannot be moved to another task, nor survive a rewritten history ------------------

def test_a_token_copied_to_another_task_is_invalid_there(replayed, tmp_path):
    """The imprint names the task (docs/timestamps.md §1): 2024-01's token says nothing of 2024-02,
    even though both were declared in the same commit."""
    tampered = tmp_path / "tampered"
    git(tmp_path, "clone", "-q", str(replayed), str(tampered))
    stamps = tampered / "plans/baofeng/2024/timestamps"
    shutil.copyfile(stamps / "2024-01.tsr", stamps / "2024-02.tsr")
    git(tampered, "commit", "-qam", "用任务 2024-01 的令牌替换 2024-02 的")
    out = verify_history(tampered)
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if "timestamp-" in line]
    assert lines and all(line.startswith("plans/baofeng/2024/timestamps/2024-02.tsr:") for line in lines), out.stdout
    assert "timestamp-invalid" in lines[0] and "不是为这次提交和这个任务取得的" in out.stdout


def test_a_history_rewritten_after_the_draws_loses_every_timestamp(replayed, tmp_path):
    """Every commit made again (same files, new ids), as a bureau would to reorder its past: no
    token's commit is in the history any more, and every task page says so."""
    rewritten = tmp_path / "rewritten"
    git(tmp_path, "clone", "-q", str(replayed), str(rewritten))
    git(rewritten, "filter-branch", "-f", "--env-filter", "GIT_COMMITTER_NAME=改写者", "HEAD",
        env={**GIT_ENV, "FILTER_BRANCH_SQUELCH_WARNING": "1"})
    git(rewritten, "update-ref", "-d", "refs/original/refs/heads/main")
    out = verify_history(rewritten)
    assert out.returncode == 1
    records = _records(rewritten)
    errors = [line for line in out.stdout.splitlines() if " timestamp-commit " in line]
    assert len(errors) == len(RANDOM_TASKS) == len(out.stdout.splitlines()), out.stdout
    for (agency, year, task), rec in records.items():
        where = f"plans/{agency}/{year}/timestamps/{task}.yaml:"
        assert any(line.startswith(where) and rec["commit"][:10] in line and "不在本仓库的历史中" in line
                   for line in errors), (where, out.stdout)
    for url, found in _claims(rewritten).items():
        claim = next(c for c in found if c.label == "可信时间戳")
        assert claim.status == "refuted" and "不在本仓库的历史中" in claim.text, url


def test_the_replayed_demo_sites_pages_are_each_dated_by_their_own_files(replayed, tmp_path):
    """The published demo (SSJPUB_DEMO builds it from the replay): sitemap lastmod is, per page,
    the latest commit day among the files that page is built from, so the pages are dated apart."""
    import json
    import xml.etree.ElementTree as ET

    from ssjpub.site.pages import site_pages

    siteurl = "https://ssj.example.gov.cn"
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(replayed / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(out),
         "--fatal", "errors", "-e", f"SSJPUB_ROOT={json.dumps(str(replayed))}", f"SITEURL={json.dumps(siteurl)}",
         f"THEME={json.dumps(str(replayed / 'theme'))}",  # its theme: the search page is dated by its template
         "RELATIVE_URLS=false", "SSJPUB_PAGEFIND=false", "SSJPUB_DOWNLOADS=false"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stdout + done.stderr
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    mods = {u.find(f"{ns}loc").text[len(siteurl) + 1:]: getattr(u.find(f"{ns}lastmod"), "text", None)
            for u in ET.fromstring((out / "sitemap.xml").read_bytes())}
    assert None not in mods.values(), [u for u, m in mods.items() if m is None]
    assert len(set(mods.values())) >= 8, sorted(set(mods.values()))
    repo, _ = validate(replayed)
    pages = {p.url: p for p in site_pages(repo)}
    tasks = [u for u in pages if pages[u].template == "task.html"]
    assert len({mods[u] for u in tasks}) >= 5
    for url in tasks:  # each against git itself, file by file
        days = [git(replayed, "log", "-1", "--format=%cs", "--", f).strip() for f in pages[url].inputs]
        assert mods[url] == max(d for d in days if d), url

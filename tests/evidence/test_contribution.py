"""``drive-atlas check`` audits the parts a change adds or alters and refuses an unexplained contradiction."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from drive_atlas.atlas import Atlas, default_root
from drive_atlas.cli import main
from drive_atlas.evidence.contribution import audit_since

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A git copy of the atlas whose GtoPdb table gives morphine a measured pKi of 9.5 at Oprm1 (p of 50 nM is 7.3)."""
    root = tmp_path / "atlas"
    for sub in ("circuits", "neuropeptides", "data"):
        shutil.copytree(default_root() / sub, root / sub)
    table = root / "data" / "gtopdb_actions.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",pKi,,,", ",pKi,9.5,,", 1) if line.startswith("morphine,Oprm1,") else line for line in lines]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-gpg-sign", "-m", "base")
    return root


def _set_morphine(root: Path, potency: str, extra_note: str | None = None) -> None:
    path = root / "neuropeptides" / "morphine.yaml"
    text = path.read_text(encoding="utf-8").replace("potency: 50 nM", f"potency: {potency}")
    if extra_note:
        text = text.replace("    evidence:\n", f'    evidence:\n      - {{kind: model_assumption, note: "{extra_note}"}}\n', 1)
    path.write_text(text, encoding="utf-8")


def test_unchanged_parts_are_not_reported(root: Path) -> None:
    assert audit_since(Atlas.load(root, strict=False), "main") == []


def test_a_changed_potency_the_data_contradict_is_refused(root: Path) -> None:
    _set_morphine(root, "60 nM")
    findings = audit_since(Atlas.load(root, strict=False), "main")
    assert [(f.severity, f.where) for f in findings] == [("error", "morphine>Oprm1")]
    assert "9.5" in findings[0].message and "say why" in findings[0].message
    result = CliRunner().invoke(main, ["check", "--base", "main", "--root", str(root)])
    assert result.exit_code == 1


def test_a_contradiction_its_evidence_explains_is_a_notice(root: Path) -> None:
    _set_morphine(root, "60 nM", extra_note="kept below the GtoPdb affinity on purpose: a functional EC50, not a binding constant")
    findings = audit_since(Atlas.load(root, strict=False), "main")
    assert [(f.severity, f.where) for f in findings] == [("notice", "morphine>Oprm1")]


def test_a_potency_the_data_support_is_a_notice(root: Path) -> None:
    _set_morphine(root, "1 nM")  # p = 9.0, within one log unit of 9.5
    findings = audit_since(Atlas.load(root, strict=False), "main")
    assert [(f.severity, f.where) for f in findings] == [("notice", "morphine>Oprm1")]
    assert "supported" in findings[0].message


def test_a_new_receptor_annotation_is_audited(root: Path) -> None:
    path = root / "circuits" / "hunger" / "hunger.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "    receptors:\n      - receptor: Ghsr\n"
    assert anchor in text
    text = text.replace(anchor, "    receptors:\n      - receptor: Npy5r\n        gain: 10 pA\n"
                                "        evidence: [{kind: model_assumption, note: test annotation}]\n" + anchor[len("    receptors:\n"):], 1)
    path.write_text(text, encoding="utf-8")
    findings = audit_since(Atlas.load(root, strict=False), "main")
    assert [(f.severity, f.where) for f in findings] == [("notice", "hunger/agrp:Npy5r")]
    assert "not evidence of absence" in findings[0].message or "supported" in findings[0].message

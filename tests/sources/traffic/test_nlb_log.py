"""AWS NLB access logs hold TLS connections, no HTTP requests: recognised and skipped, saying so."""

from __future__ import annotations

from pathlib import Path

from riskscan.discovery import discover_files, read_inputs
from riskscan.model import InputStatus
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.traffic.nlb_log import NLB_SKIP_REASON, is_nlb_log

ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def entry(second: int, client: str) -> str:
    return (f"tls 2.0 2026-11-09T08:00:{second:02d} net/claims-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd "
            f"{client}:51341 10.0.3.17:443 5 2 98 246 - {ARN} - ECDHE-RSA-AES128-SHA tlsv12 - "
            f"api.example-insurer.com h2 h2 \"h2\",\"http/1.1\" 2026-11-09T08:00:{second:02d}\n")


def test_an_nlb_log_is_skipped_with_a_message_saying_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "nlb.log").write_text("".join(entry(second, f"198.51.100.{second}") for second in range(12)))
    (tmp_path / "notes.txt").write_text("meeting notes\n")
    outcome = read_inputs(discover_files([tmp_path]), ReadContext(root=tmp_path))
    records = {record.path: record for record in outcome.inputs}
    assert records["nlb.log"].status is InputStatus.SKIPPED
    assert records["nlb.log"].message == "an AWS NLB access log: TLS connections, no HTTP requests to count"
    assert records["notes.txt"].message == "not a kind riskscan reads (see riskscan sources)"
    assert outcome.traffic == ()


def test_no_reader_takes_an_nlb_log_and_alb_logs_are_no_nlb_logs(tmp_path: Path) -> None:
    path = tmp_path / "nlb.log"
    path.write_text(entry(1, "198.51.100.1"))
    assert detect_kind(path, read_head(path)) is None and is_nlb_log(read_head(path))
    for alb in (FIXTURES / "alb_log").glob("*.log"):
        assert not is_nlb_log(read_head(alb))


def test_the_real_nlb_log_of_the_corpus_is_skipped_saying_so(corpus_dir: Path) -> None:
    folder = corpus_dir / "traffic" / "aws-elb"
    outcome = read_inputs(discover_files([folder / "nlb_al_valid_logs.log"]), ReadContext(root=folder))
    [record] = outcome.inputs
    assert (record.status, record.message) == (InputStatus.SKIPPED, NLB_SKIP_REASON)

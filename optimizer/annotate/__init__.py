"""Human feedback: terminal and local web front ends that fill a run's feedback.jsonl."""

from optimizer.annotate.agreement import AgreementSummary, agreement, verdict
from optimizer.annotate.store import AnnotationSource, FeedbackStore, annotation_queue, annotator_id, open_source
from optimizer.annotate.terminal import TerminalResult, run_terminal
from optimizer.annotate.web import WebAnnotator, serve_web, start_web

__all__ = [
    "AgreementSummary", "AnnotationSource", "FeedbackStore", "TerminalResult", "WebAnnotator", "agreement",
    "annotation_queue", "annotator_id", "open_source", "run_terminal", "serve_web", "start_web", "verdict",
]

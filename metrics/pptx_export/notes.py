"""A session's comment threads as slide notes: the held record's discussion beside the
slides it was about (docs/threads.md). Plain text: Markdown marks dropped."""

from metrics.markdown import markdown_to_text
from metrics.models.threads import SESSION_KEY, objective_key


def thread_notes(threads) -> str:
    """The threads as notes text, each with its state and its comments in order."""
    blocks = []
    for thread in threads:
        state = f"resolved by {thread.resolved_by}" if thread.is_resolved else "open"
        lines = [f"Thread: {thread.label} ({state})"]
        for comment in thread.comments:
            prefix = "  ↳ " if comment.in_reply_to_id else "- "
            when = f"{comment.created_at:%Y-%m-%d}"
            lines.append(f"{prefix}{comment.author}, {when}: {markdown_to_text(comment.body)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def threads_by_slide(deck) -> dict[str, list]:
    """The deck's threads grouped by the slide they belong on: "session" (the overview),
    "outcome:<id>" (a metrics table, by its rows' metrics), "objective:<id>" (an objective's
    slide: the objective, its key results' cells and their metrics' cells)."""
    metric_slide = {
        row.metric_id: f"outcome:{group.outcome_id}"
        for group in deck.outcomes
        for row in group.metrics
    }
    for objective in deck.objectives:
        for kr in objective.key_results:
            if kr.metric_row is not None:
                metric_slide.setdefault(
                    kr.metric_row.metric_id, f"objective:{objective.objective_id}"
                )
    key_result_slide = {
        kr.key_result_id: f"objective:{objective.objective_id}"
        for objective in deck.objectives
        for kr in objective.key_results
    }
    objective_slide = {
        objective_key(objective.objective_id): f"objective:{objective.objective_id}"
        for objective in deck.objectives
    }
    grouped: dict[str, list] = {}
    for thread in deck.threads:
        slide = "session"
        if thread.target_key == SESSION_KEY:
            slide = "session"
        elif thread.target_key in objective_slide:
            slide = objective_slide[thread.target_key]
        elif thread.target_key.startswith("kr"):
            key_result_id = int(thread.target_key[2:].split(".", 1)[0])
            slide = key_result_slide.get(key_result_id, "session")
        elif thread.target_key.startswith("m"):
            metric_id = int(thread.target_key[1:].split(".", 1)[0])
            slide = metric_slide.get(metric_id, "session")
        grouped.setdefault(slide, []).append(thread)
    return grouped


def slide_notes_set(slide, threads) -> None:
    if threads:
        slide.notes_slide.notes_text_frame.text = thread_notes(threads)

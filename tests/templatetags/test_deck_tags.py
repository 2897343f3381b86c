def test_objective_url_is_what_reverse_gives():
    from django.urls import reverse

    from metrics.templatetags.deck import objective_url

    for session_id, slug in ((1, "armdeb"), (14, "objective-12-3"), (2, "ip_masking")):
        assert objective_url(session_id, slug) == reverse(
            "metrics:objective", kwargs={"session_id": session_id, "objective_slug": slug}
        )

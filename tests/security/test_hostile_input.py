"""Hostile input: 100+ XSS payloads (xss_payloads.txt) in every text field, through the forms,
the API, the admin and CSV import, and not one executable in a rendered page or an API
answer; SQL-looking text stored as text; Unicode (right-to-left scripts, emoji, combining
marks, zero-width joiners) unchanged through form, API, admin and CSV.

The payloads are batched to keep the module fast: a Markdown or text field takes the whole
list at once; a short field takes as many as fit, spread over the rows of its model, a new
slice each round (a field of a model with few rows, such as the priority's name, sees a
part of the list; the same template code renders it wherever it shows). The channels (form, API, admin, CSV) are each fed the whole list once."""

import csv
import io
import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models as db_models
from django.urls import reverse

from metrics import models
from metrics.services.sessions import session_hold
from metrics.services.threads import comment_edit, thread_comment_add
from tests.factories import UserFactory, WebhookEndpointFactory
from tests.security.inert import executable_parts, page_shape, payloads_load

pytestmark = pytest.mark.django_db

PAYLOADS = payloads_load()
ROUNDS = 2
# Bookkeeping, not text anyone types.
NOT_TYPED = {
    "HistoryEntry",
    "JobRun",
    "RecomputeRequest",
    "MetricFingerprint",
    "DataVersion",
    # Written by the app, never shown: answers kept for retries, sign-in counts, files.
    "IdempotentRequest",
    "SignInFailureCount",
    "StoredFile",
    # Written by the app from texts sprayed at their source (names, comments), or codes: a
    # thread's label and target key, notifications and their outbox, webhook deliveries and
    # their log, preferences, visits, a language code, mention rows.
    "Thread",
    "CommentMention",
    "Notification",
    "NotificationPreference",
    "HomeVisit",
    "WebhookDelivery",
    "WebhookAttempt",
    "AccountSettings",
}
UNICODE = [
    "مرحبا بالعالم: النمو ٨٫١٪",  # Arabic, right to left, Arabic-Indic digits
    "שלום עולם",  # Hebrew
    "👩🏽‍💻 🏳️‍🌈 👨‍👩‍👧‍👦 🇺🇦",  # emoji with skin tones, ZWJ sequences, flags
    "e\u0301 n\u0303 Z\u0324\u0354\u0367\u0311\u0313",  # combining marks
    "a\u200db\u200cc\u2060d",  # zero-width joiner, non-joiner, word joiner
    "\u202eoverride\u202c \u2067isolate\u2069",  # bidi controls
    "日本語 中文 한국어 Ελληνικά Кириллица",
]
SQLISH = [
    "'; DROP TABLE metrics_metric; --",
    '" OR 1=1 --',
    "1; SELECT pg_sleep(5); --",
    "' UNION SELECT username, password FROM auth_user --",
]


def test_the_payload_list_has_over_a_hundred_entries():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)


# --- filling every text field ---------------------------------------------------------------


def text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, db_models.CharField | db_models.TextField)
            and not isinstance(field, db_models.SlugField)
            and not field.choices
            and field.editable
        ):
            yield field


def chunks(payloads, limit: int | None) -> list[str]:
    """The payloads packed into texts of at most `limit` characters (None: one text)."""
    if limit is None:
        return ["\n\n".join(payloads)]
    packed, current = [], ""
    for payload in payloads:
        if len(payload) > limit:
            continue
        joined = f"{current} {payload}" if current else payload
        if len(joined) <= limit:
            current = joined
        else:
            packed.append(current)
            current = payload
    return [*packed, current] if current else packed


def spray(round_index: int) -> dict[str, set[str]]:
    """Every text field of every row takes payloads; returns which payloads each field took."""
    taken = {}
    for model in apps.get_app_config("metrics").get_models():
        if model.__name__ in NOT_TYPED:
            continue
        fields = list(text_fields(model))
        rows = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        updates = {pk: {} for pk in rows}
        for field in fields:
            limit = None if isinstance(field, db_models.TextField) else field.max_length
            if limit is None and round_index:
                continue  # took the whole list in the first round
            texts = chunks(PAYLOADS, limit)
            seen = taken.setdefault(f"{model.__name__}.{field.name}", set())
            for index, pk in enumerate(rows[: len(texts)]):
                text = texts[(round_index * len(rows) + index) % len(texts)]
                updates[pk][field.name] = text
                seen.update(payload for payload in PAYLOADS if payload in text)
        for index, pk in enumerate(rows):
            values = updates[pk]
            if model is models.DrilldownTable:
                values["columns"] = PAYLOADS[index * 3 : index * 3 + 3]
            if model is models.DrilldownRow and not model.objects.get(pk=pk).is_group_heading:
                start = (round_index * len(rows) + index) * 3 % len(PAYLOADS)
                values["cells"] = (PAYLOADS * 2)[start : start + 3]
            if values:
                # Through a placeholder first: two rows swapping texts of a unique field
                # (footnote markers) would collide half-way.
                placeholders = {
                    name: f"#{pk}" for name in values if name in {f.name for f in fields}
                }
                model._default_manager.filter(pk=pk).update(**placeholders)
        for pk, values in updates.items():
            if values:
                model._default_manager.filter(pk=pk).update(**values)
    return taken


# --- reading every page ---------------------------------------------------------------------


def page_urls() -> list[str]:
    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    sid = {"session_id": session.pk}
    urls = [
        reverse("metrics:session", kwargs=sid),
        reverse("metrics:session_overview", kwargs=sid),
        reverse("metrics:session_metrics", kwargs=sid),
        reverse("metrics:session_appendix", kwargs=sid),
        reverse("metrics:session_deck", kwargs=sid),
        reverse("metrics:session_compare"),
        reverse("metrics:checkin-index"),
    ]
    for slug in ("monthly-active-editors", "threats-to-safety", "survey-metrics-placeholder"):
        if models.Metric.objects.filter(slug=slug).exists():
            urls.append(reverse("metrics:metric", kwargs={**sid, "metric_slug": slug}))
    for objective in models.Objective.objects.filter(drilldowns__isnull=False).distinct()[:2]:
        urls.append(reverse("metrics:objective", kwargs={**sid, "objective_slug": objective.slug}))
        urls.append(reverse("metrics:objective-edit", kwargs={"slug": objective.slug}))
    urls.append(
        reverse("metrics:drilldown-edit", kwargs={"pk": models.Drilldown.objects.first().pk})
    )
    for department in models.Department.objects.filter(metrics__isnull=False).distinct():
        urls.append(
            reverse(
                "metrics:checkin",
                kwargs={"department": department.slug, "fiscal_year": 2020, "number": 2},
            )
        )
    status = models.QuarterlyStatus.objects.filter(segment__isnull=False).first()
    urls.append(reverse("metrics:cell_history", kwargs={"status_id": status.pk}))
    kr_status = models.KeyResultStatus.objects.first()
    urls.append(reverse("metrics:key_result_cell_history", kwargs={"status_id": kr_status.pk}))
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label != "metrics":
            continue
        urls.append(reverse(f"admin:metrics_{opts.model_name}_changelist"))
        row = model._default_manager.first()
        if row is not None and any(text_fields(model)):
            urls.append(reverse(f"admin:metrics_{opts.model_name}_change", args=[row.pk]))
    return urls


def api_urls() -> list[str]:
    from metrics.api.urls import router

    session = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    urls = [
        reverse(f"api:{basename}-list", kwargs={"version": "v1"})
        for _prefix, _viewset, basename in router.registry
    ]
    urls.append(reverse("api:session-deck", kwargs={"version": "v1", "pk": session.pk}))
    return urls


def get_page(client, url) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


def problems_in_pages(client, urls, shapes=None) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        problems = executable_parts(get_page(client, url), shape=(shapes or {}).get(url))
        if problems:
            found[url] = problems
    return found


def problems_in_api(client, urls) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = client.get(url, {"limit": 500})
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json"), url
        body = response.content.decode()
        json.loads(body)  # the payloads are data inside the document, never its structure
        if (
            "<script" in body.lower()
            and "\\u003c" not in body
            and "<script" not in json.dumps(json.loads(body))
        ):
            found[url] = ["a raw <script> outside any string"]
    # There is no browsable API: asked for HTML, the API refuses (406, in JSON) rather than
    # render the data as a page.
    for url in urls:
        response = client.get(url, HTTP_ACCEPT="text/html")
        if response.status_code != 406 or not response["Content-Type"].startswith(
            "application/json"
        ):
            found[f"{url} (HTML)"] = [
                f"answered {response.status_code} {response['Content-Type']} to text/html"
            ]
    return found


def problems_in_pptx(client) -> list[str]:
    """A PowerPoint file runs nothing unless it carries macros or links out: the exported
    deck must be a plain .pptx whose only outside links are web or mail addresses."""
    import zipfile

    from pptx import Presentation

    session = models.TuningSession.objects.get(quarter__number=2)
    response = client.get(reverse("metrics:session_deck_pptx", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    problems = []
    package = zipfile.ZipFile(io.BytesIO(response.content))
    problems += [name for name in package.namelist() if "vba" in name.lower()]
    presentation = Presentation(io.BytesIO(response.content))
    texts = " ".join(
        shape.text_frame.text
        for slide in presentation.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    # The payloads reached the file as text (the channel was exercised), inert there.
    if "alert(" not in texts:
        problems.append("no payload reached the PowerPoint file")
    for slide in presentation.slides:
        for relationship in slide.part.rels.values():
            if relationship.is_external and not relationship.target_ref.startswith(
                ("http://", "https://", "mailto:")
            ):
                problems.append(relationship.target_ref)
    return problems


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.usefixtures("seed_deck")
def test_no_payload_in_any_text_field_is_executable_in_any_page_or_api_answer(superuser_client):
    # The first round reads the live pages of a session in preparation; the second holds it,
    # so its pages render the deck as presented, stored with the payloads in it.
    models.TuningSession.objects.update(
        state=models.SessionState.DRAFT, snapshot=None, held_at=None
    )
    root = models.Department.leads.field.related_model.objects.get(username="root")
    # What an identity provider says of a person (issuer, subject, email) is typed elsewhere.
    models.ExternalIdentity.objects.create(
        user=root, issuer="https://sso.example.org", subject="root"
    )
    # A comment with an earlier text, a returned check-in's comment, a webhook endpoint.
    q2 = models.TuningSession.objects.get(quarter__number=2)
    comment = thread_comment_add(actor=root, session=q2, target_key="session", body="First")
    comment_edit(actor=root, comment=comment, body="Second", expected_version=comment.version)
    models.Submission.objects.update_or_create(
        department=models.Department.objects.order_by("pk").first(),
        quarter=q2.quarter,
        defaults={"state": "returned", "review_comment": "Check October."},
    )
    WebhookEndpointFactory()
    pages, api = page_urls(), api_urls()
    shapes = {url: page_shape(get_page(superuser_client, url)) for url in pages}
    coverage: dict[str, set[str]] = {}

    for round_index in range(ROUNDS):
        for name, taken in spray(round_index).items():
            coverage.setdefault(name, set()).update(taken)
        if round_index == 1:
            session_hold(actor=None, session=models.TuningSession.objects.get(quarter__number=2))
        if round_index:
            # The admin's change forms show each text in an escaped form field whatever it
            # holds: read once, in the first round.
            pages = [url for url in pages if not url.endswith("/change/")]
        assert problems_in_pages(superuser_client, pages, shapes) == {}
        assert problems_in_api(superuser_client, api) == {}
        assert problems_in_pptx(superuser_client) == []

    # Every text field took payloads, every Markdown/text field all of them.
    assert all(coverage.values()), [name for name, taken in coverage.items() if not taken]
    assert coverage["Objective.narrative"] == set(PAYLOADS)
    assert coverage["Metric.name"] == set(PAYLOADS)


# --- through each channel -------------------------------------------------------------------

ALL = "\n\n".join(PAYLOADS)


def short(limit: int) -> str:
    return chunks(PAYLOADS, limit)[0]


@pytest.fixture
def seeded_lead(seed_deck):
    objective = models.Objective.objects.filter(
        drilldowns__isnull=False, department__metrics__isnull=False
    ).first()
    department = objective.department
    # Sessions in preparation: a held one refuses edits of its texts, and shows its snapshot.
    models.TuningSession.objects.update(
        state=models.SessionState.DRAFT, snapshot=None, held_at=None
    )
    lead = UserFactory(username="mallory", roles=["Department lead"])
    department.leads.add(lead)
    return lead, department, objective


def form_post_all(client, department, objective):
    """A lead typing the payloads into the narrative, drill-down and check-in forms."""
    edit = reverse("metrics:objective-edit", kwargs={"slug": objective.slug})
    response = client.post(
        edit,
        {
            "version": objective.version,
            "statement": ALL,
            "narrative": ALL,
            "target_quarter_text": short(50),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    drilldown = objective.drilldowns.first()
    fields = ("situation", "impact", "recommendation", "next_steps")
    response = client.post(
        reverse("metrics:drilldown-edit", kwargs={"pk": drilldown.pk}),
        {"version": drilldown.version, "title": short(200), **dict.fromkeys(fields, ALL)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    url = reverse(
        "metrics:checkin",
        kwargs={"department": department.slug, "fiscal_year": 2020, "number": 2},
    )
    page = client.get(url)
    data = {}
    checkin = page.context["checkin"]
    for row in checkin.status_rows + checkin.key_result_rows:
        data.update(row.form.as_data())
    status_row, kr_row = checkin.status_rows[0], checkin.key_result_rows[0]
    # Comments take 5,000 characters: the list in two halves.
    first, second = chunks(PAYLOADS, 5000)
    data[f"{status_row.prefix}-comment"] = first
    data[f"{status_row.prefix}-footnote_markers"] = short(20)
    data[f"{kr_row.prefix}-text"] = ALL
    data[f"{kr_row.prefix}-comment"] = second
    response = client.post(url, data)
    assert response.status_code == 302, [
        (row.prefix, row.form.errors)
        for row in response.context["checkin"].status_rows
        + response.context["checkin"].key_result_rows
        if row.form.errors
    ]
    return url


def api_post_all(client, department):
    """The same lead pushing the payloads through the API."""
    api = {"version": "v1"}
    objective = models.Objective.objects.filter(department=department).last()
    response = client.patch(
        reverse("api:objective-detail", kwargs={**api, "pk": objective.pk}),
        {"narrative": ALL, "version": objective.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content[:500]
    assert response.json()["narrative"] == ALL
    metric = department.metrics.last()
    response = client.post(
        reverse("api:quarterly-status-list", kwargs=api),
        {"metric": metric.pk, "fiscal_year": 2020, "quarter_number": 1, "comment": ALL},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content[:500]
    assert response.json()["comment"] == ALL
    key_result = models.KeyResult.objects.filter(objective=objective).first()
    if key_result is not None:
        response = client.post(
            reverse("api:key-result-status-list", kwargs=api),
            {"key_result": key_result.pk, "fiscal_year": 2020, "quarter_number": 1, "text": ALL},
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content[:500]
        assert response.json()["text"] == ALL


def admin_post_all(client):
    """An admin pasting payloads into the admin's forms (metric, segment, footnote, acronym)."""
    from tests.admin.test_admin_catalog import page_as_posted

    metric = models.Metric.objects.get(slug="threats-to-safety")
    url = reverse("admin:metrics_metric_change", args=[metric.pk])
    data = page_as_posted(
        client,
        url,
        name=short(300),
        description=ALL,
        baseline_text=short(500),
        goal_text=chunks(PAYLOADS, 500)[1],
        chart_title=short(200),
        short_label=short(60),
    )
    data["segments-0-name"] = short(200)
    data["segments-0-goal_text"] = chunks(PAYLOADS, 500)[2]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    for model, changes in (
        (models.Footnote, {"meaning": ALL[:200]}),
        (models.Acronym, {"term": short(50), "meaning": short(300)}),
    ):
        row = model.objects.filter(session__quarter__number=2).first()
        url = reverse(f"admin:metrics_{model._meta.model_name}_change", args=[row.pk])
        valid_changes = {
            name: value[: model._meta.get_field(name).max_length] for name, value in changes.items()
        }
        response = client.post(url, page_as_posted(client, url, **valid_changes))
        assert response.status_code == 302, response.content.decode()[:3000]


def csv_import_all(client, department) -> str:
    """The payloads as every cell of an uploaded CSV: refused rows, their errors shown."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "segment", "period_start", "period_end", "value"])
    for payload in PAYLOADS:
        writer.writerow([payload, payload, payload, payload, payload])
    upload = SimpleUploadedFile("hostile.csv", out.getvalue().encode(), content_type="text/csv")
    response = client.post(
        reverse("metrics:entry-import", kwargs={"department": department.slug}),
        {"file": upload, "preview": "1"},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_payloads_typed_into_forms_api_admin_and_csv_are_stored_as_typed_and_never_run(
    client, seeded_lead
):
    lead, department, objective = seeded_lead
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    checkin_url = reverse(
        "metrics:checkin",
        kwargs={"department": department.slug, "fiscal_year": 2020, "number": 2},
    )
    pages = [url for url in page_urls() if not url.startswith("/admin/")] + [checkin_url]
    shapes = {url: page_shape(get_page(client, url)) for url in pages}
    client.force_login(lead)
    form_post_all(client, department, objective)
    api_post_all(client, department)
    csv_page = csv_import_all(client, department)
    assert executable_parts(csv_page, shape=page_shape(csv_page)) == []
    client.force_login(root)
    admin_post_all(client)

    objective.refresh_from_db()
    assert objective.narrative == ALL and objective.statement == ALL
    assert objective.drilldowns.first().next_steps == ALL
    assert models.KeyResultStatus.objects.filter(text=ALL).count() >= 1
    assert models.QuarterlyStatus.objects.filter(comment=ALL).count() == 1
    assert models.QuarterlyStatus.objects.filter(comment=chunks(PAYLOADS, 5000)[0]).exists()
    assert models.Metric.objects.get(slug="threats-to-safety").description == ALL
    # What the lead's pages and everyone's dashboards show of it runs nothing (the admin's
    # pages are read in the test above).
    assert problems_in_pages(client, pages, shapes) == {}
    assert problems_in_api(client, api_urls()) == {}


# --- SQL-looking input and Unicode -----------------------------------------------------------


def test_sql_looking_text_is_stored_as_text_and_sql_looking_filters_are_answered(
    client, seeded_lead
):
    lead, department, objective = seeded_lead
    client.force_login(lead)
    text = "\n".join(SQLISH)
    response = client.patch(
        reverse("api:objective-detail", kwargs={"version": "v1", "pk": objective.pk}),
        {"narrative": text, "version": objective.version},
        content_type="application/json",
    )

    assert response.status_code == 200
    objective.refresh_from_db()
    assert objective.narrative == text
    assert models.Metric.objects.exists()
    for sqlish in SQLISH:
        for parameter in ("metric", "department", "session", "ordering", "updated_since"):
            answer = client.get(
                reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
                {parameter: sqlish},
            )
            assert answer.status_code in (200, 400), (parameter, sqlish, answer.status_code)
    assert models.Metric.objects.count() == 13


def test_unicode_survives_form_api_admin_and_csv_round_trips(client, seeded_lead):
    lead, department, objective = seeded_lead
    text = "\n\n".join(UNICODE)
    client.force_login(lead)

    # Form.
    edit = reverse("metrics:objective-edit", kwargs={"slug": objective.slug})
    response = client.post(
        edit,
        {
            "version": objective.version,
            "statement": objective.statement,
            "narrative": text,
            "target_quarter_text": objective.target_quarter_text,
        },
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.narrative == text
    page = client.get(
        reverse(
            "metrics:objective",
            kwargs={
                "session_id": models.TuningSession.objects.get(quarter__number=2).pk,
                "objective_slug": objective.slug,
            },
        )
    ).content.decode()
    for line in UNICODE:
        assert line in page

    # API.
    metric = department.metrics.first()
    response = client.post(
        reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
        {"metric": metric.pk, "fiscal_year": 2020, "quarter_number": 1, "comment": text},
        content_type="application/json",
    )
    assert response.status_code in (200, 201)
    status_id = response.json()["id"]
    fetched = client.get(
        reverse("api:quarterly-status-detail", kwargs={"version": "v1", "pk": status_id})
    )
    assert fetched.json()["comment"] == text

    # CSV: exported...
    exported = client.get(
        reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
        {"format": "csv", "metric": metric.pk},
    )
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert text in [row["comment"] for row in rows]
    # ... and imported: a Unicode slug is refused with the text intact in the message.
    upload = SimpleUploadedFile(
        "unicode.csv",
        f"metric,period_start,value\n{UNICODE[0]},2020-10,1\n".encode(),
        content_type="text/csv",
    )
    preview = client.post(
        reverse("metrics:entry-import", kwargs={"department": department.slug}),
        {"file": upload, "preview": "1"},
    )
    assert UNICODE[0] in preview.content.decode()

    # Admin.
    from tests.admin.test_admin_catalog import page_as_posted

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:metrics_metric_change", args=[metric.pk])
    response = client.post(url, page_as_posted(client, url, name=UNICODE[2], description=text))
    assert response.status_code == 302
    metric.refresh_from_db()
    assert (metric.name, metric.description) == (UNICODE[2], text)

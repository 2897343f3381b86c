"""The review loop over the API (docs/review.md): POST /api/v1/submissions/<action>/ to
submit, withdraw, approve or return (with a comment) a department's check-in, with the
check-in page's and the review page's permissions; GET /api/v1/submissions/?session=<id>
for each department's state (a held session's: as it stood when it was held)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import status as http
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics import permissions as rules
from metrics.api.parsers import SizeLimitedJSONParser
from metrics.api.schema import ApiAutoSchema
from metrics.api.serializers.input import MAX_ID
from metrics.api.serializers.output import ErrorSerializer
from metrics.api.serializers.review import (
    CheckinsOutput,
    CheckinsQueryInput,
    SubmissionActionInput,
    SubmissionOutput,
    SubmissionReturnInput,
)
from metrics.formatting import possessive
from metrics.models import ChangeSource, Department, SessionState
from metrics.selectors.entry import department_by_slug
from metrics.selectors.errors import NotFoundError
from metrics.selectors.review import checkin_progress, checkin_states, held_checkins, held_progress
from metrics.selectors.session_cycle import catalog_row, session_for_action
from metrics.services import submissions as workflow
from metrics.services.validation import ascii_int, quarter_resolve


class CanRead(drf_permissions.BasePermission):
    """Any role may ask; each action then asks metrics.permissions for the department."""

    message = "Your account has no okrtracker role; ask an administrator for one."

    def has_permission(self, request, view) -> bool:
        return rules.can_read(request.user)


def _department(value):
    key = str(value).strip()
    number = ascii_int(key)
    found = (
        catalog_row(Department, number) if number is not None and 0 < number <= MAX_ID else None
    ) or department_by_slug(key)
    if found is None:
        raise NotFoundError(_("No such department."))
    return found


# Who may take each step: the check-in page's rules (submit, withdraw) and the review page's
# (approve, return: never a department the person leads).
ACTIONS = {
    "submit": (rules.can_submit, workflow.submission_submit, SubmissionActionInput),
    "withdraw": (rules.can_submit, workflow.submission_withdraw, SubmissionActionInput),
    "approve": (rules.can_review, workflow.submission_approve, SubmissionActionInput),
    "return": (rules.can_review, workflow.submission_return, SubmissionReturnInput),
}
DESCRIPTIONS = {
    "submit": "A lead (or an admin) sends the department's check-in for review, from draft "
    "or after a return.",
    "withdraw": "A lead (or an admin) takes a submitted or approved check-in back to draft to "
    "edit it; the reviewers are told.",
    "approve": "A facilitator or an admin approves a submitted check-in. Nobody approves a "
    "department they lead (403).",
    "return": "A facilitator or an admin sends a submitted or approved check-in back to its "
    "leads with a comment they see at the top of it. Nobody returns a department they lead "
    "(403).",
}


class SubmissionActionView(APIView):
    permission_classes = [CanRead]
    parser_classes = [SizeLimitedJSONParser]
    renderer_classes = [JSONRenderer]
    schema = ApiAutoSchema()
    action = ""

    def act(self, request):
        allowed, service, input_class = ACTIONS[self.action]
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        department = _department(data.pop("department"))
        if not allowed(request.user, department):
            rules.log_denied(request.user, f"api submission {self.action}", department)
            denied = {
                "submit": _("You may not submit %(departments)s check-in."),
                "withdraw": _("You may not withdraw %(departments)s check-in."),
                "approve": _("You may not approve %(departments)s check-in."),
                "return": _("You may not return %(departments)s check-in."),
            }[self.action]
            raise PermissionDenied(denied % {"departments": possessive(department.name)})
        quarter = quarter_resolve(data.pop("quarter"))
        try:
            submission = service(
                department=department,
                quarter=quarter,
                actor=request.user,
                source=ChangeSource.API,
                **data,
            )
        except ValidationError as error:
            if "state" not in getattr(error, "message_dict", {}):
                raise
            # A well-formed step the check-in's current state does not allow (approving a
            # draft): a conflict with the state, which the answer names.
            return Response(
                {"detail": " ".join(error.message_dict["state"])},
                status=http.HTTP_409_CONFLICT,
            )
        return Response(SubmissionOutput(submission).data)


def _action_view(name: str):
    _allowed, _service, input_class = ACTIONS[name]

    def post(self, request, *args, **kwargs):
        return self.act(request)

    post = extend_schema(
        operation_id=f"submissions_{name}",
        summary=f"{name.title()} a department's check-in",
        description=DESCRIPTIONS[name],
        request=input_class,
        responses={
            200: SubmissionOutput,
            403: OpenApiResponse(ErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
            409: OpenApiResponse(
                ErrorSerializer, description="The check-in's state does not allow this step."
            ),
            423: OpenApiResponse(ErrorSerializer, description="The quarter is locked."),
        },
        tags=["submissions"],
    )(post)
    return type(
        f"Submission{name.title()}View", (SubmissionActionView,), {"action": name, "post": post}
    )


SubmissionSubmitView = _action_view("submit")
SubmissionWithdrawView = _action_view("withdraw")
SubmissionApproveView = _action_view("approve")
SubmissionReturnView = _action_view("return")


class CheckinsView(APIView):
    permission_classes = [CanRead]
    renderer_classes = [JSONRenderer]
    schema = ApiAutoSchema()

    @extend_schema(
        operation_id="submissions_list",
        summary="Each department's check-in for a session's quarter",
        description=(
            "Live while the session is in preparation; for a held session, as it stood when "
            "the session was held (a hold locks every department: locked is not submitted)."
        ),
        parameters=[OpenApiParameter("session", int, required=True)],
        responses={200: CheckinsOutput, 404: OpenApiResponse(ErrorSerializer)},
        tags=["submissions"],
    )
    def get(self, request, *args, **kwargs):
        query = CheckinsQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        session = session_for_action(query.validated_data["session"])
        if session is None:
            raise NotFoundError(_("No such tuning session."))
        held = session.state == SessionState.HELD
        if held:
            items = held_checkins(session.pk)
            progress = held_progress(items)
            items = items or []
        else:
            items = checkin_states(session.quarter_id)
            progress = checkin_progress(items)
        return Response(
            CheckinsOutput(
                {
                    "session": session.pk,
                    "held": held,
                    "recorded": progress.recorded,
                    "summary": progress.summary,
                    "total": progress.total,
                    "submitted": progress.submitted,
                    "approved": progress.approved,
                    "departments": items,
                }
            ).data
        )

"""Comment threads over the API: list and read threads and comments, post a comment (a
reply with `in_reply_to`), edit your own (send the version you read), resolve and reopen a
thread. The same services and rules as the pages (metrics.services.threads): viewers read
only, authors edit their own, a held session's threads are read-only (423)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, viewsets
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from metrics import models
from metrics import permissions as rules
from metrics.api import filters
from metrics.api.serializers import output
from metrics.api.serializers import threads as shapes
from metrics.api.views.base import ApiViewMixin
from metrics.api.views.resources import ReadOnlyViewSet
from metrics.services import threads as services

ERRORS = {
    403: OpenApiResponse(output.ErrorSerializer, description="Your role may not do this."),
    409: OpenApiResponse(output.ConflictSerializer, description="Edited since you read it."),
    423: OpenApiResponse(output.ErrorSerializer, description="The session was held."),
}


class MayComment(permissions.BasePermission):
    """Reads need a role; writes a role that may comment (every role but viewers). Each
    service checks the rest (the author, the session's state)."""

    message = "Your account has no okrtracker role; ask an administrator for one."

    def has_permission(self, request, view) -> bool:
        if not rules.can_read(request.user):
            return False
        if request.method in permissions.SAFE_METHODS or rules.can_comment(request.user, None):
            return True
        rules.log_denied(request.user, f"api {request.method}", view.__class__.__name__)
        self.message = "Viewers read the threads; they do not post in them."
        return False


def _refused(call):
    try:
        return call()
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error


def _comments():
    return models.Comment.objects.select_related("author", "thread").prefetch_related(
        Prefetch("revisions", queryset=models.CommentRevision.objects.order_by("replaced_at", "id"))
    )


@extend_schema_view(
    list=extend_schema(summary="Comment threads (filter by session, target_key...)"),
    retrieve=extend_schema(summary="One comment thread"),
)
class ThreadViewSet(ReadOnlyViewSet):
    """Comment threads: one per discussed thing of a session (a metric's or a key result's
    cell in a quarter, an objective, the session), open ones first."""

    permission_classes = [MayComment]
    queryset = models.Thread.objects.order_by("session_id", "is_resolved", "-last_comment_at", "id")
    serializer_class = shapes.ThreadSerializer
    filterset_class = filters.ThreadFilter
    ordering_fields = ["id", "last_comment_at", "created_at"]

    def _resolution(self, request, action_service):
        thread = self.get_object()
        thread = _refused(lambda: action_service(actor=request.user, thread=thread))
        return Response(shapes.ThreadSerializer(thread).data)

    @extend_schema(
        request=None,
        responses={200: shapes.ThreadSerializer} | ERRORS,
        summary="Resolve a thread",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        return self._resolution(request, services.thread_resolve)

    @extend_schema(
        request=None,
        responses={200: shapes.ThreadSerializer} | ERRORS,
        summary="Reopen a resolved thread",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        return self._resolution(request, services.thread_reopen)


@extend_schema_view(
    list=extend_schema(summary="Comments (filter by session or thread)"),
    retrieve=extend_schema(summary="One comment, with its earlier versions"),
    create=extend_schema(
        request=shapes.CommentCreateInput,
        responses={201: shapes.CommentSerializer} | ERRORS,
        summary="Post a comment (the thread on its target starts with the first one)",
    ),
    partial_update=extend_schema(
        request=shapes.CommentUpdateInput,
        responses={200: shapes.CommentSerializer} | ERRORS,
        summary="Edit your own comment (send the version you read)",
    ),
)
class CommentViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Comments of the threads, oldest first, each with its edit history."""

    permission_classes = [MayComment]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = _comments().order_by("thread_id", "created_at", "id")
    serializer_class = shapes.CommentSerializer
    filterset_class = filters.CommentFilter
    ordering_fields = ["id", "created_at"]

    def create(self, request, *args, **kwargs):
        data = shapes.CommentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        comment = _refused(
            lambda: services.thread_comment_add(
                actor=request.user,
                session=values["session"],
                target_key=values["target_key"],
                body=values["body"],
                in_reply_to=values.get("in_reply_to"),
            )
        )
        return Response(
            shapes.CommentSerializer(_comments().get(pk=comment.pk)).data,
            status=http.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        request.data  # noqa: B018 - a body that cannot be read is a 400, found comment or not
        comment = self.get_object()
        data = shapes.CommentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        _refused(
            lambda: services.comment_edit(
                actor=request.user,
                comment=comment,
                body=data.validated_data["body"],
                expected_version=data.validated_data["version"],
            )
        )
        return Response(shapes.CommentSerializer(_comments().get(pk=comment.pk)).data)

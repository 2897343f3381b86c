"""The threads API's shapes: what a client sends (input) apart from what it reads (output)."""

from rest_framework import serializers

from metrics import models
from metrics.selectors.threads import display_name
from metrics.services.threads import MAX_COMMENT_CHARS

# A target as the pages name it (metrics.models.threads): "m12.s0.q2020-2", "kr5.q2020-2",
# "o7" or "session".
TARGET_KEY_PATTERN = r"^(session|o[0-9]{1,12}|kr[0-9]{1,12}\.q[0-9]{4}-[1-4]|m[0-9]{1,12}\.s[0-9]{1,12}\.q[0-9]{4}-[1-4])$"  # noqa: E501
NOT_BLANK = r"\S"


# --- output -----------------------------------------------------------------------------------


class CommentRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.CommentRevision
        fields = ["body", "written_at", "replaced_at"]


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    session = serializers.IntegerField(source="thread.session_id", read_only=True)
    revisions = CommentRevisionSerializer(many=True, read_only=True)

    class Meta:
        model = models.Comment
        fields = [
            "id",
            "thread",
            "session",
            "author",
            "author_name",
            "in_reply_to",
            "body",
            "created_at",
            "edited_at",
            "version",
            "revisions",
        ]

    def get_author_name(self, comment) -> str:
        return display_name(comment.author)


class ThreadSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Thread
        fields = [
            "id",
            "session",
            "target",
            "target_key",
            "label",
            "metric",
            "segment",
            "key_result",
            "objective",
            "quarter",
            "department",
            "is_resolved",
            "resolved_at",
            "resolved_by",
            "created_at",
            "created_by",
            "comment_count",
            "last_comment_at",
        ]


# --- input ------------------------------------------------------------------------------------


def _body_field(**kwargs):
    return serializers.RegexField(
        NOT_BLANK,
        max_length=MAX_COMMENT_CHARS,
        help_text="Markdown. @username mentions a person, @department-slug its leads.",
        error_messages={"invalid": "Write something first."},
        **kwargs,
    )


class CommentCreateInput(serializers.Serializer):
    session = serializers.PrimaryKeyRelatedField(queryset=models.TuningSession.objects.all())
    target_key = serializers.RegexField(
        TARGET_KEY_PATTERN,
        error_messages={"invalid": "Not a thread target."},
        help_text='What the comment is about: "session", "o<objective id>", '
        '"kr<key result id>.q<fiscal year>-<quarter>" or '
        '"m<metric id>.s<segment id or 0>.q<fiscal year>-<quarter>".',
        max_length=80,
    )
    body = _body_field()
    in_reply_to = serializers.PrimaryKeyRelatedField(
        queryset=models.Comment.objects.all(), required=False, allow_null=True
    )


class CommentUpdateInput(serializers.Serializer):
    body = _body_field()
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="As you read it."
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.services.threads import MAX_COMMENT_CHARS


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT_CHARS,
        help_text=_(
            "Markdown. Mention a person with @username, a department's leads with @department-slug."
        ),
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_COMMENT_CHARS
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

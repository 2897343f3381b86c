"""A person's notifications: the inbox (list, mark read, mark all read), the unread count the
header fetches, and their channel per kind. Everything here is the reader's own: another
person's notification id is a 404."""

from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from metrics.models import NotificationChannel, NotificationKind
from metrics.selectors.notifications import (
    inbox_of,
    notification_of,
    preferences_of,
    unread_count,
)
from metrics.services.notifications import (
    notification_preferences_set,
    notifications_mark_read,
)
from metrics.views.dashboards import ReadAccessMixin


class InboxView(ReadAccessMixin, TemplateView):
    template_name = "notifications/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["inbox"] = inbox_of(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "read_all":
            count = notifications_mark_read(user=request.user)
        else:
            ids = [
                int(pk)
                for pk in request.POST.getlist("notification")
                if pk.isascii() and pk.isdigit() and len(pk) <= 18
            ]
            if not ids:
                messages.error(request, _("Choose the notifications to mark read."))
                return redirect("metrics:inbox")
            count = notifications_mark_read(user=request.user, ids=ids)
        messages.success(request, _("%(count)d marked read.") % {"count": count})
        return redirect("metrics:inbox")


class NotificationOpenView(ReadAccessMixin, View):
    """POST: mark the notification read and go where it points."""

    def post(self, request, notification_id: int):
        notification = notification_of(request.user, notification_id)
        if notification is None:
            raise Http404(_("No such notification."))
        notifications_mark_read(user=request.user, ids=[notification.pk])
        link = notification.link
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
            return redirect(link)
        return redirect("metrics:inbox")


class UnreadCountView(ReadAccessMixin, View):
    """The header's count, fetched by static/js/notifications.js: pages are cached whole per
    reader and data version (a notice does not move the data version), so the count is never
    part of a cached page; this answer is never stored (no-store, by the security
    middleware for signed-in users)."""

    def get(self, request):
        return JsonResponse({"unread": unread_count(request.user)})


class PreferencesForm(forms.Form):
    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label, channel in preferences:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=NotificationChannel.choices,
                initial=channel,
                widget=forms.RadioSelect,
            )


class PreferencesView(ReadAccessMixin, TemplateView):
    template_name = "notifications/preferences.html"
    extra_context = {"title": gettext_lazy("Notifications you get")}

    def form(self, data=None):
        return PreferencesForm(data, preferences=preferences_of(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        notification_preferences_set(
            user=request.user,
            channels={kind: form.cleaned_data[kind] for kind in NotificationKind.values},
        )
        messages.success(request, _("Your notification choices are saved."))
        return redirect("metrics:notification_preferences")

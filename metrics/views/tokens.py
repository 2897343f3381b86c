"""The page where a signed-in user creates, replaces and revokes their API token."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics.selectors.api_tokens import api_token_of
from metrics.services.api_tokens import api_token_replace, api_token_revoke


class ApiTokenView(LoginRequiredMixin, TemplateView):
    template_name = "tokens/token.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = api_token_of(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "create":
            api_token_replace(user=request.user)
            messages.success(
                request, _("Your new API token is ready; any earlier one stops working.")
            )
        elif action == "revoke":
            if api_token_revoke(user=request.user):
                messages.success(
                    request, _("Your API token is revoked; tools using it are refused.")
                )
        else:
            messages.error(request, _("Choose to create or to revoke your token."))
        return redirect("api:token")

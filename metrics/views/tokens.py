"""The page where a signed-in user creates, replaces and revokes their API token."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token


class ApiTokenView(LoginRequiredMixin, TemplateView):
    template_name = "tokens/token.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = Token.objects.filter(user=self.request.user).first()
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "create":
            # One token per user: a new one replaces (and so revokes) the old.
            Token.objects.filter(user=request.user).delete()
            Token.objects.create(user=request.user)
            messages.success(request, "Your new API token is ready; any earlier one stops working.")
        elif action == "revoke":
            deleted, _ = Token.objects.filter(user=request.user).delete()
            if deleted:
                messages.success(request, "Your API token is revoked; tools using it are refused.")
        else:
            messages.error(request, "Choose to create or to revoke your token.")
        return redirect("api:token")

from django.urls import path

from metrics.sso.views import ProviderCallbackView, ProviderSignInView

urlpatterns = [
    path("sign-in/", ProviderSignInView.as_view(), name="oidc-sign-in"),
    path("callback/", ProviderCallbackView.as_view(), name="oidc-callback"),
]

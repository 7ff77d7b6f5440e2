"""
The GraphQL door: authenticated (API token or admin session), read-only, depth-limited, GraphiQL served offline.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView
from rest_framework.exceptions import AuthenticationFailed

from core import roles
from core.api.authentication import TokenOrBearerAuthentication

__all__ = ("CustodianGraphQLView",)


def _csrf_failure(request):
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


@method_decorator(csrf_exempt, name="dispatch")
class CustodianGraphQLView(GraphQLView):
    """
    Read-only GraphQL for auditors (and every other role). Token-authenticated requests need no CSRF token;
    session-authenticated POSTs (GraphiQL in the browser) do.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("validation_rules", (depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH),))
        kwargs.setdefault("graphiql", True)
        super().__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            token_auth = TokenOrBearerAuthentication().authenticate(request)
        except AuthenticationFailed as exc:
            return JsonResponse({"errors": [{"message": str(exc.detail)}]}, status=401)
        if token_auth is not None:
            request.user = token_auth[0]
        elif request.method == "POST" and request.user.is_authenticated:
            failure = _csrf_failure(request)
            if failure is not None:
                return failure
        user = request.user
        if not user.is_authenticated:
            if request.method == "GET" and self.request_wants_html(request):
                return redirect_to_login(request.get_full_path())
            return JsonResponse(
                {"errors": [{"message": "Authentication required: send Authorization: Token <key>."}]}, status=401
            )
        if not roles.can_read(user):
            return JsonResponse({"errors": [{"message": "Your account has no Custodian role."}]}, status=403)
        return super().dispatch(request, *args, **kwargs)

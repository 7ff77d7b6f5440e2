from rest_framework.authentication import TokenAuthentication

__all__ = ("TokenOrBearerAuthentication",)


class TokenOrBearerAuthentication(TokenAuthentication):
    """Accepts ``Authorization: Token <key>`` and ``Authorization: Bearer <key>`` with the same API token."""

    keywords = ("Token", "Bearer")

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme = header.split(" ", 1)[0] if header else ""
        for keyword in self.keywords:
            if scheme.lower() == keyword.lower():
                self.keyword = keyword
                return super().authenticate(request)
        return None

    def authenticate_header(self, request):
        return "Bearer"

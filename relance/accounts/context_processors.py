from relance.accounts.permissions import capabilities


def relance(request):
    """Expose the signed-in user's capabilities to templates as `caps`
    (templates only use them to hide what services would refuse anyway)."""
    return {"caps": {c.value for c in capabilities(getattr(request, "user", None))}}

from .selectors import communities_for_user


def navigation(request):
    """The communities for the header's switcher, read lazily so pages that skip the header pay
    nothing."""
    if not hasattr(request, "user"):
        return {}

    def switcher():
        if not hasattr(request, "_hf_switcher"):
            request._hf_switcher = communities_for_user(request.user)
        return request._hf_switcher

    return {"switcher_communities": switcher}

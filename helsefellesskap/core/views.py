from django.shortcuts import render

from helsefellesskap.organisation.selectors import communities_for_user, my_seats


def home(request):
    communities = communities_for_user(request.user)
    request._hf_switcher = communities
    return render(
        request,
        "core/home.html",
        {"communities": communities, "seats": my_seats(request.user)},
    )

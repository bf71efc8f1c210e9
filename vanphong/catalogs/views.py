from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalogs/index.html", {})


@login_required
def workdays(request: HttpRequest) -> HttpResponse:
    return render(request, "catalogs/index.html", {})

"""The two floors benchmarks/web.py measures every page against, on the same server in the
same run: a bare template view with a 50-row loop, and a bare `.values()` JSON view of 100
quarterly statuses. Routed only when BENCHMARK_FLOORS is set (okrtracker/urls.py), never in
a deployment."""

from django.http import JsonResponse
from django.shortcuts import render

from metrics.models import QuarterlyStatus

ROWS = [{"n": n, "label": f"Row {n}", "value": n * 1.5} for n in range(50)]


def template_floor(request):
    return render(request, "bench/floor.html", {"rows": ROWS})


def values_floor(request):
    rows = list(
        QuarterlyStatus.objects.order_by("id").values("id", "metric_id", "value", "state")[:100]
    )
    return JsonResponse({"results": rows})

"""Views of the expenses app: submit an expense (starts a run in the sidecar), show its status,
and receive the manager's decision (approves or rejects the run's `manager` approval)."""
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tessera_client import TesseraApiError, TesseraClient

WORKFLOW_ID = "expense-approval"
APPROVAL_ID = "manager"


def client() -> TesseraClient:
    return TesseraClient(settings.TESSERA_URL, api_key=settings.TESSERA_API_KEY)


@require_http_methods(["GET", "POST"])
def expense_list(request: HttpRequest) -> HttpResponse:
    """GET: the latest expenses; POST (employee, amount, description): submits one."""
    errors = []
    if request.method == "POST":
        try:
            amount = float(request.POST.get("amount", ""))
        except ValueError:
            amount = None
        if amount is None:
            errors.append({"path": "amount", "message": "must be a number"})
        else:
            expense = {
                "employee": request.POST.get("employee", ""),
                "amount": amount,
                "description": request.POST.get("description", ""),
            }
            try:
                run = client().start_run(WORKFLOW_ID, expense)
                return redirect("expenses:status", run_id=run["id"])
            except TesseraApiError as error:
                if error.status not in (400, 422):
                    raise
                # The sidecar names each invalid field (path, message): show them on the form.
                errors = error.errors or [{"path": "", "message": error.detail or error.title}]
    page = client().list_runs(workflow_id=WORKFLOW_ID, limit=20)
    return render(
        request,
        "expenses/list.html",
        {"runs": page["runs"], "errors": errors},
        status=400 if errors else 200,
    )


def expense_status(request: HttpRequest, run_id: str) -> HttpResponse:
    """The run's status, its output once ended, and the decision form while it waits."""
    try:
        view = client().get_run(run_id)
    except TesseraApiError as error:
        if error.status == 404:
            raise Http404(f"No expense {run_id}") from error
        raise
    run = view["run"]
    waiting = [w for w in view.get("waiting", []) if w.get("kind") == "approval"]
    return render(
        request,
        "expenses/status.html",
        {"run": run, "steps": view.get("steps", []), "awaiting_decision": bool(waiting)},
    )


@require_POST
def expense_decision(request: HttpRequest, run_id: str) -> HttpResponse:
    """decision=approve (note) or decision=reject (reason): passes it to the run's approval."""
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            note = request.POST.get("note") or None
            client().approve(run_id, APPROVAL_ID, {"note": note} if note else {})
        elif decision == "reject":
            client().reject(run_id, APPROVAL_ID, request.POST.get("reason") or None)
        else:
            return HttpResponse('decision must be "approve" or "reject"', status=400)
    except TesseraApiError as error:
        if error.status == 404:
            raise Http404(f"No expense {run_id}") from error
        if error.status == 409:
            # Not waiting (decided already, or ended): say so on the status page.
            return HttpResponse(f"Cannot decide: {error.detail}", status=409)
        raise
    return redirect("expenses:status", run_id=run_id)

"""Django's test client against a live sidecar (scripts/with-sidecar.mjs starts `tessera serve`
and sets TESSERA_URL and TESSERA_API_KEY). Nothing here is mocked: every call reaches the
sidecar's HTTP API, which runs the expense-approval workflow."""
import time
import uuid

from django.conf import settings
from django.test import SimpleTestCase

from tessera_client import TesseraApiError, TesseraClient, TesseraConnectionError


def wait_for(read, accept, timeout=10.0):
    """Calls read() until accept(value) holds; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s; last value: {value!r}")
        time.sleep(0.05)


def awaiting_manager(view):
    return any(w.get("kind") == "approval" for w in view.get("waiting", []))


class ClientTests(SimpleTestCase):
    def setUp(self):
        self.assertTrue(settings.TESSERA_API_KEY, "TESSERA_API_KEY is not set: run npm start")
        self.client_api = TesseraClient(settings.TESSERA_URL, api_key=settings.TESSERA_API_KEY)

    def test_start_get_approve(self):
        run = self.client_api.start_run(
            "expense-approval", {"employee": "ada", "amount": 420, "description": "GPU"}
        )
        self.assertEqual(run["workflowId"], "expense-approval")
        view = wait_for(lambda: self.client_api.get_run(run["id"]), awaiting_manager)
        self.assertEqual(view["run"]["status"], "suspended")
        self.client_api.approve(run["id"], "manager", {"note": "fine"})
        view = wait_for(
            lambda: self.client_api.get_run(run["id"]), lambda v: v["run"]["status"] == "succeeded"
        )
        self.assertEqual(view["run"]["output"], {"outcome": "paid", "by": "Django expenses app", "note": "fine"})

    def test_idempotency_key_returns_the_same_run(self):
        key = str(uuid.uuid4())
        first = self.client_api.start_run(
            "expense-approval", {"employee": "bob", "amount": 5}, idempotency_key=key
        )
        second = self.client_api.start_run(
            "expense-approval", {"employee": "bob", "amount": 5}, idempotency_key=key
        )
        self.assertEqual(first["id"], second["id"])

    def test_list_runs_pages_by_workflow(self):
        ids = {
            self.client_api.start_run("expense-approval", {"employee": f"e{n}", "amount": n + 1})["id"]
            for n in range(3)
        }
        seen = set()
        cursor = None
        while True:
            page = self.client_api.list_runs(workflow_id="expense-approval", limit=2, cursor=cursor)
            self.assertLessEqual(len(page["runs"]), 2)
            seen.update(run["id"] for run in page["runs"])
            cursor = page.get("nextCursor")
            if not cursor:
                break
        self.assertTrue(ids <= seen)

    def test_invalid_input_raises_problem_details_naming_the_field(self):
        # The workflow's input schema refuses it: 422, with the field.
        with self.assertRaises(TesseraApiError) as caught:
            self.client_api.start_run("expense-approval", {"employee": "ada", "amount": -3})
        error = caught.exception
        self.assertEqual((error.status, error.code), (422, "validation_failed"))
        self.assertTrue(any("amount" in str(e.get("path")) for e in error.errors), error.problem)

    def test_a_malformed_request_raises_400_naming_the_field(self):
        # The request itself is wrong (workflowId must be a string): 400, with the field.
        with self.assertRaises(TesseraApiError) as caught:
            self.client_api.start_run(42, {})  # type: ignore[arg-type]
        error = caught.exception
        self.assertEqual(error.status, 400)
        self.assertTrue(any("workflowId" in str(e.get("path")) for e in error.errors), error.problem)

    def test_unknown_run_raises_404_problem(self):
        with self.assertRaises(TesseraApiError) as caught:
            self.client_api.get_run("no-such-run")
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(caught.exception.code, "not_found")
        self.assertEqual(caught.exception.problem["status"], 404)

    def test_a_wrong_key_is_refused_with_401(self):
        bad = TesseraClient(settings.TESSERA_URL, api_key="tsk_0000000000000000_" + "A" * 43)
        with self.assertRaises(TesseraApiError) as caught:
            bad.list_runs()
        self.assertEqual(caught.exception.status, 401)

    def test_no_sidecar_raises_a_connection_error(self):
        with self.assertRaises(TesseraConnectionError):
            TesseraClient("http://127.0.0.1:9", timeout=2).list_runs()


class ViewTests(SimpleTestCase):
    def test_submit_show_and_approve_through_the_views(self):
        response = self.client.post(
            "/expenses/", {"employee": "grace", "amount": "250", "description": "Conference"}
        )
        self.assertEqual(response.status_code, 302)
        status_url = response["Location"]
        run_id = status_url.rstrip("/").split("/")[-1]

        page = wait_for(
            lambda: self.client.get(status_url), lambda r: b'name="decision"' in r.content
        )
        self.assertContains(page, '<strong id="status">suspended</strong>', html=False)

        response = self.client.post(f"/expenses/{run_id}/decision", {"decision": "approve", "note": "ok"})
        self.assertEqual(response.status_code, 302)
        page = wait_for(
            lambda: self.client.get(status_url), lambda r: b'id="outcome"' in r.content
        )
        self.assertContains(page, '<strong id="outcome">paid</strong>', html=False)
        self.assertNotContains(page, 'name="decision"')

        # Decided already: the sidecar answers 409, the view says so.
        response = self.client.post(f"/expenses/{run_id}/decision", {"decision": "approve"})
        self.assertEqual(response.status_code, 409)

    def test_reject_through_the_views(self):
        response = self.client.post("/expenses/", {"employee": "linus", "amount": "9000"})
        status_url = response["Location"]
        run_id = status_url.rstrip("/").split("/")[-1]
        wait_for(lambda: self.client.get(status_url), lambda r: b'name="decision"' in r.content)
        self.client.post(f"/expenses/{run_id}/decision", {"decision": "reject", "reason": "too much"})
        page = wait_for(lambda: self.client.get(status_url), lambda r: b'id="outcome"' in r.content)
        self.assertContains(page, '<strong id="outcome">refused</strong>', html=False)

    def test_the_list_shows_submitted_expenses(self):
        self.client.post("/expenses/", {"employee": "margaret", "amount": "12"})
        response = self.client.get("/expenses/")
        self.assertContains(response, "margaret: 12")

    def test_invalid_amount_is_shown_on_the_form(self):
        response = self.client.post("/expenses/", {"employee": "ada", "amount": "-5"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "<li>amount: ", status_code=400)

    def test_unknown_expense_is_404(self):
        self.assertEqual(self.client.get("/expenses/no-such-run/").status_code, 404)

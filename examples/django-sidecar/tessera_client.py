"""A dependency-free client for the Tessera HTTP API (the `tessera serve` sidecar).

Standard library only (urllib): copy this one file into any Python project.

    client = TesseraClient("http://127.0.0.1:8787", api_key=os.environ["TESSERA_API_KEY"])
    run = client.start_run("expense-approval", {"employee": "ada", "amount": 420})
    client.approve(run["id"], "manager", {"note": "ok"})
    print(client.get_run(run["id"])["run"]["status"])

Every non-2xx answer raises TesseraApiError, which carries the RFC 9457 problem details
(status, code, title, detail, errors) the API sent.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional

__all__ = ["TesseraClient", "TesseraApiError", "TesseraConnectionError"]


class TesseraApiError(Exception):
    """The API answered with an error (4xx/5xx): the problem details it sent.

    Attributes:
        status: the HTTP status (400, 401, 403, 404, 409, 413, 429, 500…).
        code: Tessera's stable error code (`not_found`, `validation`, `forbidden`…), if any.
        title: the problem's title (`Not Found`).
        detail: the human-readable explanation.
        errors: for 400s, one entry per invalid field: {"path", "message", "expected"?}.
        problem: the whole problem-details object.
        request_id: the `x-request-id` of the call, for the sidecar's logs.
    """

    def __init__(self, status: int, problem: Mapping[str, Any], request_id: Optional[str] = None):
        self.status = status
        self.problem: Dict[str, Any] = dict(problem)
        self.code: Optional[str] = problem.get("code")
        self.title: str = str(problem.get("title") or f"HTTP {status}")
        self.detail: Optional[str] = problem.get("detail")
        self.errors: List[Dict[str, Any]] = list(problem.get("errors") or [])
        self.request_id = request_id
        message = f"{status} {self.title}"
        if self.detail:
            message += f": {self.detail}"
        super().__init__(message)


class TesseraConnectionError(Exception):
    """The sidecar could not be reached (refused, timed out, DNS)."""


class TesseraClient:
    """Calls a Tessera HTTP API with an API key (`Authorization: Bearer tsk_…`)."""

    def __init__(self, base_url: str, api_key: Optional[str] = None, timeout: float = 10.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, received {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # Runs -----------------------------------------------------------------------------------

    def start_run(
        self,
        workflow_id: str,
        input: Any = None,
        *,
        run_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Starts a run of `workflow_id` and returns it (`{"id", "status", …}`).

        Starting again with the same `idempotency_key` returns the existing run.
        """
        body: Dict[str, Any] = {"workflowId": workflow_id, "input": input}
        if run_id is not None:
            body["runId"] = run_id
        if idempotency_key is not None:
            body["idempotencyKey"] = idempotency_key
        return self._request("POST", "/runs", body)["run"]

    def get_run(self, run_id: str) -> Dict[str, Any]:
        """The run with its steps and what it waits for: `{"run", "steps", "waiting"}`."""
        return self._request("GET", f"/runs/{_segment(run_id)}")

    def list_runs(
        self,
        *,
        workflow_id: Optional[str] = None,
        status: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Dict[str, Any]:
        """One page of runs, newest first: `{"runs": [...], "nextCursor"?: "..."}`."""
        query = {
            "workflowId": workflow_id,
            "status": status,
            "limit": None if limit is None else str(limit),
            "cursor": cursor,
        }
        return self._request("GET", "/runs", query=query)

    def approve(
        self, run_id: str, approval_id: str, data: Any = None, *, key: Optional[str] = None
    ) -> Dict[str, Any]:
        """Approves the run's pending approval `approval_id` with `data`."""
        body: Dict[str, Any] = {}
        if data is not None:
            body["data"] = data
        if key is not None:
            body["key"] = key
        path = f"/runs/{_segment(run_id)}/approvals/{_segment(approval_id)}/approve"
        return self._request("POST", path, body)

    def reject(
        self, run_id: str, approval_id: str, reason: Optional[str] = None, *, key: Optional[str] = None
    ) -> Dict[str, Any]:
        """Rejects the run's pending approval `approval_id`, with an optional reason."""
        body: Dict[str, Any] = {}
        if reason is not None:
            body["reason"] = reason
        if key is not None:
            body["key"] = key
        path = f"/runs/{_segment(run_id)}/approvals/{_segment(approval_id)}/reject"
        return self._request("POST", path, body)

    # Transport ------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Optional[Mapping[str, Optional[str]]] = None,
    ) -> Dict[str, Any]:
        url = self.base_url + path
        if query:
            pairs = [(name, value) for name, value in query.items() if value is not None]
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        headers = {"accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
                return json.loads(payload) if payload else {}
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                problem = json.loads(payload) if payload else {}
            except ValueError:
                problem = {"detail": payload.decode("utf-8", "replace")[:500]}
            if not isinstance(problem, dict):
                problem = {"detail": str(problem)}
            raise TesseraApiError(error.code, problem, error.headers.get("x-request-id")) from None
        except urllib.error.URLError as error:
            raise TesseraConnectionError(f"{method} {url} failed: {error.reason}") from error


def _segment(value: str) -> str:
    if not isinstance(value, str) or value == "":
        raise ValueError(f"an id must be a non-empty string, received {value!r}")
    return urllib.parse.quote(value, safe="")

"""Schemathesis checks for Steward's contract (../shared/contract/API.md, "Errors"), loaded through SCHEMATHESIS_HOOKS.

Every 4xx must be the contract's error body: { "statusCode": n, "error": "<reason>", "message": "...", "details": [...] }.
"""

import json

import schemathesis

# The reason phrases the API uses (NestJS's), by status.
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}


def error_body_problems(status, content_type, text):
    """Why a 4xx body is not the contract's error shape: a list of reasons, empty when it is."""
    if "json" not in (content_type or ""):
        return [f"Content-Type is {content_type!r}, not JSON"]
    try:
        body = json.loads(text)
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(body, dict):
        return [f"the body is a {type(body).__name__}, not an object"]
    problems = []
    if body.get("statusCode") != status:
        problems.append(f"statusCode is {body.get('statusCode')!r}, not {status}")
    expected = REASONS.get(status)
    error = body.get("error")
    if not isinstance(error, str) or not error or (expected is not None and error != expected):
        problems.append(f"error is {error!r}, not {expected or 'a reason phrase'!r}")
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        problems.append(f"message is {message!r}, not a non-empty string")
    details = body.get("details")
    if not isinstance(details, list):
        problems.append(f"details is {details!r}, not an array")
    else:
        for i, detail in enumerate(details):
            if not isinstance(detail, dict):
                problems.append(f"details[{i}] is {detail!r}, not an object")
            elif "field" in detail and not isinstance(detail["field"], str):
                problems.append(f"details[{i}].field is {detail['field']!r}, not a string")
    if status == 400 and isinstance(details, list) and not any(isinstance(d, dict) for d in details) and "JSON" not in str(message):
        # A 400 for invalid input names the bad fields; only a body that is not JSON at all has none to name.
        problems.append("a 400 whose details name no field")
    return problems


@schemathesis.check
def contract_error_shape(ctx, response, case):
    """A 4xx is the contract's error body."""
    status = response.status_code
    if not 400 <= status < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]  # lower-case keys, lists of values
    problems = error_body_problems(status, content_type, response.text)
    if problems:
        raise AssertionError(f"{status} is not in the contract's error shape: " + "; ".join(problems) + f"\nBody: {response.text[:500]}")
    return None

"""schemathesis hooks of scripts/api-fuzz.sh: keep the run from signing its own caller out.

A password reset of a user ends that user's sessions and tokens (by design), so a generated
request that resets, changes or locks out the caller itself would turn the rest of the run
into 401s. Such requests are pointed at an id or username that does not exist instead; every
other user, and every route, is still fuzzed.
"""

import os

import schemathesis

SELF_ID = int(os.environ.get("API_FUZZ_SELF_ID", "0"))
SELF_LOGIN = os.environ.get("API_FUZZ_SELF_LOGIN", "").casefold()
ELSEWHERE_ID = 987654321


def _is_self_id(value):
    try:
        return int(str(value).strip()) == SELF_ID
    except ValueError:
        return False


@schemathesis.hook
def map_case(context, case):
    params = case.path_parameters or {}
    if "/users/" in case.operation.path and "id" in params and _is_self_id(params["id"]):
        params["id"] = ELSEWHERE_ID
    body = case.body
    if isinstance(body, dict) and SELF_LOGIN:
        username = body.get("username")
        if isinstance(username, str) and username.strip().casefold() == SELF_LOGIN:
            body["username"] = "nobody-" + username
    return case

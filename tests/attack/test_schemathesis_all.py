"""Every operation of the OpenAPI document, public and organisation API alike, fuzzed by schemathesis.

The organisation API is called with valid bearer tokens of the organisation (editor and approver), and
half the generated cases get a real organisation code or public id in the path, so the generated bodies
reach the services instead of stopping at a 404. No case may answer 5xx, and every response must keep
to the document (the default checks, as in tests/api/test_openapi.py).
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from register.accounts import tokens
from register.organisations.service import get_by_code
from register.registrations import service
from tests.factories import payload

PREFIX = "/api/v1"
ORG = "gm0772"
CASES_PER_OPERATION = 40
MINIMUM_CASES = 1000


def _secret(db, actors, role: str, made_by: str) -> str:
    with db.unit_of_work() as s:
        _, secret = tokens.create_token(session=s, actor=actors[made_by], organisation=get_by_code(session=s, code=ORG),
                                        role=role, name=f"schemathesis {role}")
    return secret


def _draft(db, actors) -> str:
    with db.unit_of_work() as s:
        return service.create(session=s, actor=actors["editor_a"], data=payload("algorithm")).registration.public_id


def test_every_operation_survives_generated_requests(app, db, actors, publish):
    real_ids = [publish("sensor"), publish("algorithm"), _draft(db, actors),
                publish("agreement", openness="restricted", restriction_reason="Lopend onderzoek",
                    oversight_body="Autoriteit Persoonsgegevens")]
    bearer = {"editor": _secret(db, actors, "editor", "admin_a"), "approver": _secret(db, actors, "approver", "site_admin")}
    api_schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)
    document = app.test_client().get(f"{PREFIX}/openapi.json").json
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    # Taken from the document itself: get_all_operations() leaves out the document's own path.
    operations = [api_schema[path][method] for method, path in sorted(documented)]
    ran: dict[tuple[str, str], int] = {}
    statuses: dict[tuple[str, str], set[int]] = {}

    for operation in operations:
        _fuzz(operation, real_ids, bearer, ran, statuses)

    total = sum(ran.values())
    print(f"schemathesis: {total} generated cases over {len(ran)} operations")
    assert total >= MINIMUM_CASES, f"only {total} generated cases ran"
    assert set(ran) == documented, f"operations never exercised: {sorted(documented - set(ran))}"
    secured = {(m.upper(), p) for p, item in document["paths"].items() for m, op in item.items() if op.get("security")}
    assert secured, "the document names no operation of the organisation API"
    refused = sorted(key for key in secured if statuses[key] <= {401})
    assert not refused, f"the bearer token never got past authentication on {refused}"
    succeeded = {key for key, seen in statuses.items() if any(200 <= code < 300 for code in seen)}
    assert len(succeeded) >= len(documented) // 2, f"too few operations ever answered 2xx: {sorted(succeeded)}"
    assert all(code < 500 for seen in statuses.values() for code in seen)


def _fuzz(operation, real_ids: list[str], bearer: dict[str, str], ran: dict, statuses: dict) -> None:
    """Run one operation's generated cases, counting them and the statuses they got."""
    secured = bool(operation.definition.raw.get("security"))

    @given(case=operation.as_strategy(), real_path=st.booleans(), pick=st.integers(0, len(real_ids) - 1),
           role=st.sampled_from(sorted(bearer)))
    @settings(max_examples=CASES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case, real_path, pick, role):
        if real_path:  # a real organisation or registration, so the case gets past the 404
            if "code" in (case.path_parameters or {}):
                case.path_parameters["code"] = ORG
            if "publicId" in (case.path_parameters or {}):
                case.path_parameters["publicId"] = real_ids[pick]
        headers = {"Authorization": f"Bearer {bearer[role]}"} if secured else {}
        response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance],
                                          additional_checks=[not_a_server_error])
        key = (operation.method.upper(), operation.path)
        ran[key] = ran.get(key, 0) + 1
        statuses.setdefault(key, set()).add(response.status_code)

    run()


def test_version_numbers_beyond_the_database_integer_are_not_found(client, publish):
    # Found by the run above: a number past 64 bits overflowed SQLite (PostgreSQL: past 32 bits) as a 500.
    public_id = publish("sensor")
    huge = 2**70
    for path in (f"/versions/{huge}", f"/versions/{2**31}", f"/diff?from={huge}&to=1", f"/diff?from=1&to={2**31}"):
        response = client.get(f"{PREFIX}/registrations/{public_id}{path}")
        assert response.status_code in (400, 404), (path, response.status_code)
        assert response.mimetype == "application/problem+json"
    assert client.get(f"{PREFIX}/registrations/{public_id}/versions/1").status_code == 200

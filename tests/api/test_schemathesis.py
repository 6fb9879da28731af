"""Schemathesis over /api/v1/openapi.json: generated requests (valid and invalid: huge ids, NUL
bytes, non-ASCII tokens, wrong types, missing bodies) never get a server error.

Bounded: a fixed seed, a fixed number of examples per operation, derandomized, so the run takes
about a minute and fails the same way twice. The data behind it is a small real world (a live
meeting with items and a slip), so that generated ids such as 1 and 2 reach real rows and the
checks behind them run, not only the 404 path.
"""
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from facilitation.extensions import db

EXAMPLES_PER_OPERATION = 40
SEED = 20261201


def _world(make_user, make_meeting, token_for, client):
    """An admin token and data for the generated requests to reach: a live meeting, items, a slip."""
    from facilitation.live.services import submit_item, transfer_item
    from facilitation.people.services import create_department
    from facilitation.timeutil import local_today
    from datetime import timedelta
    admin = make_user("admin")
    meeting = make_meeting()
    department = create_department("后勤管理部")
    db.session.commit()
    items = [submit_item(meeting, client_id=f"schemathesis-{n:04d}", kind="demand", text=f"第{n}条诉求",
                         staff=admin)[0] for n in range(1, 4)]
    transfer_item(admin, items[0], department.id, local_today() + timedelta(days=5))
    db.session.commit()
    return token_for(admin)


def _operations(app, token):
    config = SchemathesisConfig.from_dict({"headers": {"Authorization": f"Bearer {token}"}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    return [result.ok() for result in schema.get_all_operations()]


def test_no_input_gets_a_server_error(app, make_user, make_meeting, token_for, client):
    """Every operation × (valid, invalid) inputs: no 5xx; the figures are printed for the record."""
    token = _world(make_user, make_meeting, token_for, client)
    failures, counts = [], {"cases": 0, "server_errors": 0}

    for operation in _operations(app, token):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.generate])
            @seed(SEED)
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
                response = case.call()
                counts["cases"] += 1
                if response.status_code >= 500:
                    counts["server_errors"] += 1
                    failures.append(f"{response.status_code} {case.as_curl_command()}")
                db.session.rollback()

            try:
                run()
            except Unsatisfiable:
                continue  # nothing to make invalid (e.g. a GET without parameters)
    print(f"schemathesis: {counts['cases']} cases, {counts['server_errors']} server errors")
    assert not failures, "server errors:\n" + "\n".join(failures[:20])

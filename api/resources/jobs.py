"""Jobs: what was queued, and what became of it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.schemas import JOB_EXAMPLE, JobSchema
from core.domain.jobs import Job
from core.services.jobs import get_job

blp = Blueprint(
    "jobs", __name__, url_prefix="/v1/jobs", description="Queued work and what became of it"
)
blp.before_request(require_api_key)


def job_body(job: Job, target_external_id: str) -> dict[str, Any]:
    """A job as the API shows it, naming its record by the firm's own id."""
    return {
        **vars(job),
        "target": {"type": job.target_type, "external_id": target_external_id},
    }


@blp.route("/<string(maxlength=36):job_id>")
class JobResource(MethodView):
    @blp.response(200, JobSchema, example=JOB_EXAMPLE)
    def get(self, job_id: str) -> Any:
        """Show a job: kind, target, state, attempts, last error, times"""
        view = get_job(app_context().services.uow(), current_firm_id(), job_id)
        return job_body(view.job, view.target_external_id)

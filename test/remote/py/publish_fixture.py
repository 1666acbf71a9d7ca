"""A detached producer, driven by the test: prints one JSON line per step it took."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))

from agentwire_worker import Publisher, PublishError, RunPublisher  # noqa: E402

base_url, secret, user_id, other_run_id = sys.argv[1:5]


def report(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


run = Publisher(base_url, secret).start_run(user_id=user_id, input="nightly report", agent="detached")
report("started", {"runId": run.run_id, "threadId": run.thread_id})
report("first", run.append([{"type": "progress_update", "data": {"message": "reading rows", "progress": 0.5}}]))
# The answer to batch 2 is "lost": the producer sends it again with the same producerSeq.
batch = [{"type": "agent_message_delta", "data": {"delta": "3 rows "}}]
report("second", run.append(batch))
report("second-retry", run.append(batch, producer_seq=2))
# The same token on another user's run.
try:
    RunPublisher(base_url, other_run_id, run.run_token).append([{"type": "agent_message_delta", "data": {"delta": "hijack"}}])
    report("hijack", "accepted")
except PublishError as error:
    report("hijack", {"status": error.status, "code": error.code})
report("say", run.say("imported."))
report("complete", run.complete({"rows": 3}))

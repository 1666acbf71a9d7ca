"""The test worker: the example agent, plus behaviours the tests need (slow, garbage)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))

from agentwire_worker import make_server  # noqa: E402
import example_agent  # noqa: E402


def agent(run):
    if run.input == "slow":
        for i in range(200):
            run.say("tick %d " % i)
            run.sleep(0.1)
        return "slow done"
    if run.input == "garbage":
        run.say("fine so far")
        run._writer.raw("this is not an event\n")
        run.say("never shown")
        return "unreachable"
    return example_agent.agent(run)


if __name__ == "__main__":
    server = make_server(agent, "127.0.0.1", 0, sys.argv[1] if len(sys.argv) > 1 else "ndjson")
    print("agentwire worker listening on http://%s:%d" % server.server_address[:2], flush=True)
    server.serve_forever()

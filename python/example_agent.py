"""An example remote agent: counts the words of the user's message with a tool and streams the
answer. Run it, then point agentwire at it (docs/remote-agents.md):

    python3 python/example_agent.py --port 8700
    echo '[{"name": "words", "url": "http://127.0.0.1:8700/"}]' > agents.json
    AGENTWIRE_REMOTE_AGENTS=./agents.json npm start
"""

import argparse

from agentwire_worker import serve


def word_count(args):
    return len(args["text"].split())


def agent(run):
    run.thinking("The user wants to know how long their message is; counting its words.")
    words = run.tool("word_count", {"text": run.input}, word_count)
    earlier = sum(1 for turn in run.history if turn["role"] == "user")
    run.say("Your message has %d word%s" % (words, "" if words == 1 else "s"))
    run.say(" (and this thread has %d earlier message%s)." % (earlier, "" if earlier == 1 else "s") if earlier else ".")
    return {"words": words}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--format", choices=["ndjson", "sse"], default="ndjson")
    options = parser.parse_args()
    serve(agent, options.host, options.port, options.format)

"""agentwire_worker: serve an agentwire remote agent, or publish to a run, with the standard
library only (python3, no pip packages). Copy this file into your project.

Serve (agentwire POSTs a run request, this streams the run's events back; docs/remote-agents.md):

    from agentwire_worker import serve

    def agent(run):
        run.thinking("looking it up")
        result = run.tool("word_count", {"text": run.input}, lambda args: len(args["text"].split()))
        run.say(f"{result} words.")
        return {"words": result}          # -> agent_completed {result}

    serve(agent, port=8700)               # NDJSON; serve(agent, fmt="sse") for SSE

Publish (a queue worker or cron job appends to a run it started for a user):

    from agentwire_worker import Publisher
    pub = Publisher("http://localhost:3000", service_secret)
    run = pub.start_run(user_id="alice", input="nightly report", agent="detached")
    run.append([{"type": "agent_message_delta", "data": {"delta": "Done."}}])
    run.complete({"rows": 3})

Both sides carry the W3C `traceparent`: a run request's trace id is kept for the run (run.trace_id)
and a publisher sends one trace id with every append.

Tracing: when AGENTWIRE_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, the traces URL) or
OTEL_EXPORTER_OTLP_ENDPOINT (the collector's base URL) is set, each served run exports its spans
over OTLP/HTTP JSON when it ends: an `invoke_agent` span whose parent is agentwire's run span (from
the traceparent), and an `execute_tool` span per run.tool() call below it. OTEL_SERVICE_NAME names
the service (default "agentwire-python-worker").
"""

import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["serve", "make_server", "AgentError", "Cancelled", "Run", "Publisher", "RunPublisher", "PublishError"]

MAX_REQUEST_BYTES = 4 * 1024 * 1024
KEEPALIVE_SECONDS = 10.0


class AgentError(Exception):
    """Raise from an agent to end its run with agent_error carrying `code` (snake_case)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Cancelled(Exception):
    """agentwire closed the run's request (cancel, timeout, shutdown): stop working."""


def _traceparent(trace_id=None):
    return "00-%s-%s-01" % (trace_id or secrets.token_hex(16), secrets.token_hex(8))


def _parse_traceparent(value):
    parts = (value or "").split("-")
    if len(parts) == 4 and len(parts[1]) == 32 and len(parts[2]) == 16:
        return parts[1], parts[2]
    return None, None


def _otlp_url():
    direct = os.environ.get("AGENTWIRE_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return direct or (base.rstrip("/") + "/v1/traces" if base else None)


def _span(trace_id, span_id, parent_id, name, kind, start_ns, attributes, error=None):
    """One span in the OTLP JSON mapping (hex ids, times as decimal strings)."""
    span = {
        "traceId": trace_id, "spanId": span_id, "name": name, "kind": kind,
        "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(time.time_ns()),
        "attributes": [{"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": str(v)}} for k, v in attributes.items()],
        "status": {"code": 2, "message": error} if error else {"code": 1},
    }
    if parent_id:
        span["parentSpanId"] = parent_id
    return span


def _export_spans(url, spans, log, timeout=5):
    """POSTs spans to the collector; a failure is logged, never raised (traces are best-effort)."""
    service = os.environ.get("OTEL_SERVICE_NAME") or "agentwire-python-worker"
    body = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeSpans": [{"scope": {"name": "agentwire_worker"}, "spans": spans}],
    }]}
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST", headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        log("could not export %d spans to %s: %s" % (len(spans), url, error))


class Run:
    """One run, as an agent sees it: the request's fields and the calls that stream events."""

    def __init__(self, request, writer, traceparent=None):
        self.run_id = request.get("runId")
        self.thread_id = request.get("threadId")
        self.user_id = request.get("userId")
        self.input = request.get("input", "")
        self.history = request.get("history", [])
        self.deadline = request.get("deadline")
        self.trace_id, self.parent_span_id = _parse_traceparent(traceparent)
        # This run's own span: a child of agentwire's run span when a traceparent came with the request.
        self.trace_id = self.trace_id or secrets.token_hex(16)
        self.span_id = secrets.token_hex(8)
        self._started_ns = time.time_ns()
        self._spans = []
        self._writer = writer
        self._tools = 0

    @property
    def cancelled(self):
        return self._writer.closed

    def emit(self, type_, data):
        """Sends one event; raises Cancelled once agentwire has gone away."""
        self._writer.event(type_, data)

    def thinking(self, reasoning, step=None):
        self.emit("agent_thinking", {"reasoning": reasoning, **({} if step is None else {"step": step})})

    def say(self, delta):
        self.emit("agent_message_delta", {"delta": delta})

    def progress(self, message, progress=None):
        self.emit("progress_update", {"message": message, **({} if progress is None else {"progress": progress})})

    def heartbeat(self):
        self._writer.keepalive()

    def sleep(self, seconds):
        """Waits, raising Cancelled as soon as agentwire goes away (a keep-alive tells)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))
            if self._writer.closed:
                raise Cancelled()

    def tool(self, name, args, fn):
        """Runs fn(args) as a tool call: tool_executing, then tool_completed with its outcome."""
        self._tools += 1
        call_id = "%s.tool.%d" % (self.run_id, self._tools)
        self.emit("tool_executing", {"toolName": name, "toolCallId": call_id, "args": args})
        started = time.monotonic()
        started_ns = time.time_ns()
        attributes = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name, "gen_ai.tool.call.id": call_id, "gen_ai.tool.type": "function"}
        try:
            result = fn(args)
        except Cancelled:
            raise
        except Exception as error:  # a failing tool is reported, and the agent decides
            self._spans.append(_span(self.trace_id, secrets.token_hex(8), self.span_id, "execute_tool " + name, 1, started_ns, dict(attributes, **{"error.type": "tool_error"}), str(error)))
            self.emit("tool_completed", {"toolName": name, "toolCallId": call_id, "status": "error", "error": str(error), "durationMs": _ms(started)})
            raise
        self._spans.append(_span(self.trace_id, secrets.token_hex(8), self.span_id, "execute_tool " + name, 1, started_ns, attributes))
        self.emit("tool_completed", {"toolName": name, "toolCallId": call_id, "status": "success", "result": result, "durationMs": _ms(started)})
        return result

    def _finished_spans(self, error_type=None):
        """The run's span (SERVER: the worker's side of agentwire's run request) and its tool spans."""
        service = os.environ.get("OTEL_SERVICE_NAME") or "agentwire-python-worker"
        attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": service, "agentwire.run.id": self.run_id or ""}
        if error_type:
            attributes["error.type"] = error_type
        run_span = _span(self.trace_id, self.span_id, self.parent_span_id, "invoke_agent " + service, 2, self._started_ns, attributes, error_type)
        return [run_span] + self._spans


def _ms(started):
    return int((time.monotonic() - started) * 1000)


class _Writer:
    """Writes events to the response, one at a time (the keep-alive thread shares it)."""

    def __init__(self, wfile, fmt):
        self._wfile = wfile
        self._fmt = fmt
        self._lock = threading.Lock()
        self.closed = False

    def event(self, type_, data):
        if self._fmt == "sse":
            self.raw("event: %s\ndata: %s\n\n" % (type_, json.dumps(data)))
        else:
            self.raw(json.dumps({"type": type_, "data": data}) + "\n")

    def keepalive(self):
        self.raw(": keep-alive\n\n" if self._fmt == "sse" else "\n")

    def raw(self, text):
        with self._lock:
            if self.closed:
                raise Cancelled()
            try:
                self._wfile.write(text.encode("utf-8"))
                self._wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.closed = True
                raise Cancelled()


def make_server(agent, host="127.0.0.1", port=0, fmt="ndjson", log=None):
    """An HTTP server that runs `agent(run)` for every run request; call serve_forever() on it."""
    if fmt not in ("ndjson", "sse"):
        raise ValueError("fmt must be 'ndjson' or 'sse'")
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))

    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: the response ends when the connection closes, so no chunked framing is needed,
        # and agentwire reads a close before the terminal event as the worker lost.
        protocol_version = "HTTP/1.0"

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            if length <= 0 or length > MAX_REQUEST_BYTES:
                self.send_error(413 if length > 0 else 400)
                return
            try:
                request = json.loads(self.rfile.read(length))
            except ValueError:
                self.send_error(400, "run request is not JSON")
                return
            self.send_response(200)
            self.send_header("content-type", "text/event-stream" if fmt == "sse" else "application/x-ndjson")
            self.send_header("cache-control", "no-cache")
            self.end_headers()
            writer = _Writer(self.wfile, fmt)
            run = Run(request, writer, self.headers.get("traceparent"))
            log("run %s started (trace %s)" % (run.run_id, run.trace_id))
            _run_agent(agent, run, writer, log)

    return ThreadingHTTPServer((host, port), Handler)


def _run_agent(agent, run, writer, log):
    stop = threading.Event()

    def keep_alive():
        # Long silent work (a slow model call) must not look like a dead worker.
        while not stop.wait(KEEPALIVE_SECONDS):
            try:
                writer.keepalive()
            except Cancelled:
                return

    threading.Thread(target=keep_alive, daemon=True).start()
    outcome = None
    try:
        result = agent(run)
        writer.event("agent_completed", {"result": result})
        log("run %s completed" % run.run_id)
    except Cancelled:
        outcome = "cancelled"
        log("run %s cancelled: agentwire closed the request" % run.run_id)
    except AgentError as error:
        outcome = error.code
        _try(writer, "agent_error", {"code": error.code, "message": error.message})
        log("run %s failed: %s" % (run.run_id, error.code))
    except Exception as error:
        outcome = "agent_exception"
        _try(writer, "agent_error", {"code": "agent_exception", "message": "%s: %s" % (type(error).__name__, error)})
        log("run %s raised %r" % (run.run_id, error))
    finally:
        stop.set()
    url = _otlp_url()
    if url:
        # After the terminal event: exporting never delays what the user sees.
        _export_spans(url, run._finished_spans(outcome), log)


def _try(writer, type_, data):
    try:
        writer.event(type_, data)
    except Cancelled:
        pass


def serve(agent, host="127.0.0.1", port=8700, fmt="ndjson"):
    """Serves `agent` until interrupted; prints the address it listens on."""
    server = make_server(agent, host, port, fmt)
    print("agentwire worker listening on http://%s:%d" % server.server_address[:2], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class PublishError(Exception):
    """A refusal of the publish API: `code` (PRODUCER_SEQ_GAP, RUN_ENDED, …), `status`, `body`."""

    def __init__(self, status, body):
        error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
        super().__init__("%s %s: %s" % (status, error.get("code"), error.get("message")))
        self.status = status
        self.code = error.get("code")
        self.body = body


def _post(url, token, body, headers=None, timeout=30):
    data = json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={"authorization": "Bearer " + token, "content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            payload = json.loads(error.read() or b"{}")
        except ValueError:
            payload = {}
        raise PublishError(error.code, payload) from None


class Publisher:
    """Starts runs for users with the service credential (AGENTWIRE_SERVICE_SECRET)."""

    def __init__(self, base_url, service_secret):
        self.base_url = base_url.rstrip("/")
        self._secret = service_secret

    def start_run(self, user_id, input, agent=None, thread_id=None, client_message_id=None, producer_id=None):
        body = {"userId": user_id, "input": input}
        for key, value in (("agent", agent), ("threadId", thread_id), ("clientMessageId", client_message_id)):
            if value is not None:
                body[key] = value
        answer = _post(self.base_url + "/api/runs", self._secret, body)
        return RunPublisher(self.base_url, answer["runId"], answer["runToken"], producer_id=producer_id, thread_id=answer["threadId"])


class RunPublisher:
    """Appends batches to one run with its run token. Each batch gets the next producerSeq; a
    batch whose answer was lost is retried with the same producerSeq, so it is applied once."""

    def __init__(self, base_url, run_id, run_token, producer_id=None, thread_id=None, retries=5):
        self.base_url = base_url.rstrip("/")
        self.run_id = run_id
        self.thread_id = thread_id
        self.run_token = run_token
        self.producer_id = producer_id or "py-%s-%s" % (os.getpid(), secrets.token_hex(4))
        self.producer_seq = 0
        self.retries = retries
        self.trace_id = secrets.token_hex(16)

    def append(self, events, producer_seq=None):
        """Sends one batch; returns the server's answer ({accepted, producerSeq, duplicate})."""
        seq = producer_seq if producer_seq is not None else self.producer_seq + 1
        body = {"producerId": self.producer_id, "producerSeq": seq, "events": list(events)}
        url = "%s/api/runs/%s/events" % (self.base_url, urllib.request.quote(self.run_id, safe=""))
        for attempt in range(self.retries + 1):
            try:
                answer = _post(url, self.run_token, body, {"traceparent": _traceparent(self.trace_id)})
                self.producer_seq = max(self.producer_seq, seq)
                return answer
            except PublishError as error:
                if error.status == 429 and attempt < self.retries:
                    time.sleep(error.body.get("error", {}).get("retryAfterMs", 100) / 1000.0)
                    continue
                if error.status < 500 or attempt == self.retries:
                    raise
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt == self.retries:
                    raise
            time.sleep(min(2.0, 0.1 * 2 ** attempt))
        raise AssertionError("unreachable")

    def say(self, delta):
        return self.append([{"type": "agent_message_delta", "data": {"delta": delta}}])

    def heartbeat(self):
        return self.append([{"type": "heartbeat"}])

    def complete(self, result=None):
        return self.append([{"type": "agent_completed", "data": {"result": result}}])

    def fail(self, code, message):
        return self.append([{"type": "agent_error", "data": {"code": code, "message": message}}])

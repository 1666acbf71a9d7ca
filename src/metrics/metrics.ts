/**
 * Prometheus metrics of one server instance (its own registry, so several servers can share a
 * process in tests). "Delivered" means written to a socket; "acked" means the client said so.
 * Nothing here counts an event as confirmed before its ack.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeliveryLedger } from './delivery-ledger.js';

export class Metrics {
  readonly registry = new Registry();
  readonly ledger = new DeliveryLedger();

  readonly connections = new Gauge({ name: 'agentwire_connections', help: 'Open WebSocket connections', registers: [this.registry] });
  readonly connectionsOpened = new Counter({
    name: 'agentwire_connections_opened_total',
    help: 'Authenticated connections accepted',
    registers: [this.registry],
  });
  readonly connectionsClosed = new Counter({
    name: 'agentwire_connections_closed_total',
    help: 'Connections closed, by close code (codes outside the protocol\'s table are "other")',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'agentwire_auth_failures_total',
    help: 'Connection attempts refused with 4401',
    registers: [this.registry],
  });
  readonly handshakesRateLimited = new Counter({
    name: 'agentwire_handshakes_rate_limited_total',
    help: 'WebSocket upgrades refused with HTTP 429: their address was past its allowance of failed or unauthenticated handshakes',
    registers: [this.registry],
  });
  readonly httpRateLimited = new Counter({
    name: 'agentwire_http_rate_limited_total',
    help: 'HTTP API requests refused with 429, by what the limit keyed on (user or address)',
    labelNames: ['key'] as const,
    registers: [this.registry],
  });
  readonly runsActive = new Gauge({ name: 'agentwire_runs_active', help: 'Runs executing now', registers: [this.registry] });
  readonly runsQueued = new Gauge({ name: 'agentwire_runs_queued', help: 'Runs waiting for a slot', registers: [this.registry] });
  readonly spansDropped = new Counter({
    name: 'agentwire_spans_dropped_total',
    help: 'Trace spans not exported: queue_full (the collector is slower than the spans) or export_failed',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly runsFinished = new Counter({
    name: 'agentwire_runs_finished_total',
    help: 'Runs ended, by terminal event type',
    labelNames: ['terminal'] as const,
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'agentwire_events_published_total',
    help: 'Agent events appended to the store',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly eventsDelivered = new Counter({
    name: 'agentwire_events_delivered_total',
    help: 'Agent event frames written to a socket (live and replayed), per connection',
    registers: [this.registry],
  });
  readonly eventsReplayed = new Counter({
    name: 'agentwire_events_replayed_total',
    help: 'Agent event frames sent from the store to catch a connection up',
    registers: [this.registry],
  });
  readonly eventsAcked = new Counter({
    name: 'agentwire_events_acked_total',
    help: 'Agent event frames the client acknowledged, per connection',
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'agentwire_delivery_latency_seconds',
    help: 'From the event being accepted by the bridge to its frame being written to a socket (live path)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly isolationViolations = new Counter({
    name: 'agentwire_isolation_violations_total',
    help: 'Events refused because they named another user, thread or run (always 0 in a correct deployment)',
    registers: [this.registry],
  });
  readonly invalidEvents = new Counter({
    name: 'agentwire_invalid_events_total',
    help: 'Events refused because their payload did not match the schema',
    registers: [this.registry],
  });
  readonly catchUpPages = new Counter({
    name: 'agentwire_catch_up_pages_total',
    help: 'Pages a connection read from the store instead of taking live events, by reason (start, resume, gap, bound, resync, backfill)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  #outboundPeakBytes = 0;
  readonly outboundBufferPeak = new Gauge({
    name: 'agentwire_outbound_buffer_peak_bytes',
    help: 'Largest outbound buffer any connection had right after an agent event was written to it, since the process started (bounded by the outbound buffer setting plus one frame)',
    registers: [this.registry],
    collect: () => {
      this.outboundBufferPeak.set(this.#outboundPeakBytes);
    },
  });
  readonly slowConsumerCloses = new Counter({
    name: 'agentwire_slow_consumer_closes_total',
    help: 'Connections closed with 4408 because their outbound buffer stayed past its bound without draining',
    registers: [this.registry],
  });
  readonly inboundErrors = new Counter({
    name: 'agentwire_inbound_errors_total',
    help: 'Client frames answered with an error, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  /** Not errors: a client that hangs up mid-upload, or sends its body too slowly, is its own business. */
  readonly httpRequestsAborted = new Counter({
    name: 'agentwire_http_requests_aborted_total',
    help: 'HTTP requests whose body never fully arrived: the client hung up (client_closed) or took longer than the request timeout (timeout)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly backgroundErrors = new Counter({
    name: 'agentwire_background_errors_total',
    help: 'Failures in background loops (pruning, heartbeats, replay), by loop',
    labelNames: ['loop'] as const,
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: 'agentwire_dropped_total',
    help: 'Records and messages set aside because they could not be read (each is also logged), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly deliveryRatio = new Gauge({
    name: 'agentwire_delivery_ratio',
    help: 'Of the events this process published, the fraction a client of their user has acknowledged (cumulative ack or resume point)',
    registers: [this.registry],
    collect: () => {
      this.deliveryRatio.set(this.ledger.ratio());
    },
  });
  readonly eventsConfirmed = new Gauge({
    name: 'agentwire_events_confirmed',
    help: 'Events published by this process that a client of their user has acknowledged',
    registers: [this.registry],
    collect: () => {
      this.eventsConfirmed.set(this.ledger.totals().confirmed);
    },
  });

  /** Records a connection's outbound buffer right after a write, for the peak gauge. */
  observeOutboundBuffer(bytes: number): void {
    if (bytes > this.#outboundPeakBytes) this.#outboundPeakBytes = bytes;
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'agentwire_' });
  }
}

/**
 * The Redis key layout. Everything of one user lives under one hash tag, `{u:<userId>}`, so a
 * user's seq counter, stream, runs and thread list share a slot and one Lua script can touch
 * them atomically (the layout Redis Cluster needs). The few global keys (epoch, age index,
 * leases, thread records) are named here too, so the whole layout reads in one place.
 *
 *   P:epoch                       string   the sequence space's identity (see SYNC_EPOCH)
 *   P:epoch:server                string   run_id of the Redis process that epoch was last confirmed on
 *   P:age                         zset     userId → ts of the user's oldest retained event (prune)
 *   P:events                      channel  pub/sub: every appended event, for live fan-out
 *   P:control                     channel  pub/sub: requests to the node executing a run (cancel)
 *   P:{u:U}:seq                   string   the user's last seq (INCR)
 *   P:{u:U}:events                stream   entry id `<seq>-0`, fields f (wire frame) and ts
 *   P:{u:U}:threads               zset     threadId → updatedAt
 *   P:{u:U}:run:<runId>           hash     the run record (TTL: retention age)
 *   P:{u:U}:cm:<clientMessageId>  string   runId (idempotent submit; TTL: retention age)
 *   P:thread:<threadId>           hash     thread record (owner, title, times)
 *   P:runuser:<runId>             string   userId, to find a run by id alone (TTL: retention age)
 *   P:noderuns:<nodeId>           hash     runId → userId of runs claimed on that node
 *   P:leases                      zset     runId → lease expiry (Redis time, ms)
 *   P:leaserecs                   hash     runId → run record JSON, for whoever ends it
 */
export class RedisKeys {
  readonly epoch: string;
  readonly epochServer: string;
  readonly ageIndex: string;
  readonly channel: string;
  readonly control: string;
  readonly leases: string;
  readonly leaseRecords: string;

  constructor(readonly prefix: string) {
    this.epoch = `${prefix}:epoch`;
    this.epochServer = `${prefix}:epoch:server`;
    this.ageIndex = `${prefix}:age`;
    this.channel = `${prefix}:events`;
    this.control = `${prefix}:control`;
    this.leases = `${prefix}:leases`;
    this.leaseRecords = `${prefix}:leaserecs`;
  }

  /** `P:{u:U}`: the hash-tagged root of one user's keys. */
  user(userId: string): string {
    return `${this.prefix}:{u:${escapeTag(userId)}}`;
  }
  seq(userId: string): string {
    return `${this.user(userId)}:seq`;
  }
  events(userId: string): string {
    return `${this.user(userId)}:events`;
  }
  threads(userId: string): string {
    return `${this.user(userId)}:threads`;
  }
  run(userId: string, runId: string): string {
    return `${this.user(userId)}:run:${runId}`;
  }
  clientMessage(userId: string, clientMessageId: string): string {
    return `${this.user(userId)}:cm:${clientMessageId}`;
  }
  thread(threadId: string): string {
    return `${this.prefix}:thread:${threadId}`;
  }
  runUser(runId: string): string {
    return `${this.prefix}:runuser:${runId}`;
  }
  nodeRuns(nodeId: string): string {
    return `${this.prefix}:noderuns:${nodeId}`;
  }
}

/**
 * A user id may contain `{` or `}`, which would move the hash tag, or `%`, the escape itself.
 * Escaping them keeps each user's keys in one slot and keys of different users distinct.
 */
function escapeTag(userId: string): string {
  return /[{}%]/.test(userId) ? userId.replace(/[{}%]/g, (c) => `%${c.charCodeAt(0).toString(16)}`) : userId;
}

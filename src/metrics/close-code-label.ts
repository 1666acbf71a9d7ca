/**
 * The `code` label of `agentwire_connections_closed_total`. A client chooses its own close code
 * (any of 3000..4999), and each distinct label value is a series Prometheus keeps forever, so a
 * client could mint series at will. Only the codes of the protocol's table keep their own label;
 * every other code is "other".
 */
import { CloseCode } from '../protocol/codes.js';

/** The label of every code outside the table. */
export const OTHER_CLOSE_CODE = 'other';

/**
 * Besides the table: 1005 (closed without a code) and 1006 (dropped without a close frame) are
 * never sent by a peer, only reported locally by ws; they tell a clean close from a lost network.
 */
const LOCAL_CODES = [1005, 1006] as const;

const LABELLED: ReadonlySet<number> = new Set<number>([...Object.values(CloseCode), ...LOCAL_CODES]);

export function closeCodeLabel(code: number): string {
  return LABELLED.has(code) ? String(code) : OTHER_CLOSE_CODE;
}

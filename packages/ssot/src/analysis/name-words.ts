/** `WebSocketNotifier` → [Web, Socket, Notifier]; `websocket_notifier` → [websocket, notifier]. */
export function nameWords(name: string): string[] {
  return name
    .split(/[_\-.]+/)
    .flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [])
    .filter((word) => word.length > 0);
}

/**
 * The word that names a class's role: `Notifier` in `WebSocketNotifier`. Classes that share it
 * are candidates for "the same thing, built twice". Too short a word would match everything.
 */
export function roleWord(name: string): string | null {
  const last = nameWords(name).at(-1);
  return last !== undefined && last.length >= 4 && last !== name ? last : null;
}

/** Lower-case, separators removed: `WebSocket_Notifier` and `websocketnotifier` compare equal. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[_\-.]/g, '');
}

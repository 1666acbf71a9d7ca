export * from './codes.js';
export * from './events.js';
export type * from './messages.js';
export { parseClientMessage, clientMessageSchema, MAX_ID_LENGTH, MAX_NESTING_DEPTH, type ParseResult } from './schema.js';
export {
  encodeFrame,
  encodeFrameParts,
  eventIdMark,
  joinFrame,
  readFrameRouting,
  decodeFrame,
  FrameFormatError,
  type FrameDraft,
  type FrameParts,
  type FrameRouting,
} from './frame-codec.js';

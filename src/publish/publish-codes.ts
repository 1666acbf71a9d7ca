import { constantsOn, type CodeOn } from '../protocol/error-codes.js';

/**
 * Codes of the publish API's refusals (`{ "error": { "code", "message", … } }`): the `publish`
 * rows of the code table (src/protocol/error-codes.ts), which gives each its HTTP status.
 */
export const PublishErrorCode = constantsOn('publish');
export type PublishErrorCode = CodeOn<'publish'>;

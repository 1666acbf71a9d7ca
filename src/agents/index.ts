/**
 * The built-in agents and tools. The server registers `assistantAgent` with `builtinTools`;
 * `streamAgent` is a diagnostic for tests and benchmarks, registered only when asked for.
 */
export { assistantAgent, builtinTools, createAssistantAgent, SIMULATED_PACING, UNPACED, type AssistantPacing } from './assistant.js';
export { streamAgent, parseStreamRequest, streamDelta, STREAM_LIMITS } from './stream.js';
export { calculatorTool, evaluate, formatNumber, CalculatorError, type CalculatorResult } from './tools/calculator.js';
export { clockTool, createClockTool, readClock, type ClockResult } from './tools/clock.js';
export { docsSearchTool, createDocsSearchTool, type DocsSearchHit, type DocsSearchOptions } from './tools/docs-search.js';
export { chunkText } from './answer-stream.js';
export { planFor, type AssistantPlan } from './assistant-intent.js';

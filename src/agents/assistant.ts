/**
 * The built-in demo agent. No model and no network, but nothing canned either: it reads the
 * message, plans which tools to call, calls them through the dispatcher (so every call shows up
 * as tool_executing / tool_completed), and streams an answer built from what they returned.
 */
import { defineAgent, type AgentContext, type AgentDefinition, type AgentInput, type ToolDefinition, type ToolOutcome } from '../engine/define-agent.js';
import { CAPABILITIES, OFF_SCRIPT, describeCalculation, describeClock, describeDocs, describeSkipped } from './assistant-answer.js';
import { planFor, type AssistantPlan } from './assistant-intent.js';
import { streamAnswer } from './answer-stream.js';
import { calculatorTool, type CalculatorResult } from './tools/calculator.js';
import { clockTool, type ClockResult } from './tools/clock.js';
import { docsSearchTool, type DocsSearchHit } from './tools/docs-search.js';

const SUMMARY_CHARS = 80;

/**
 * How long the assistant waits after each thinking step and between answer chunks. Its tools
 * answer in microseconds, so without a pause a run ends in a few milliseconds and nobody sees
 * the live timeline; simulated pacing spreads a run over a second or two, like a model.
 */
export interface AssistantPacing {
  thinkingMs: number;
  chunkMs: number;
}

/** The default: just enough between chunks to show the answer streaming; tests run at this pace. */
export const UNPACED: AssistantPacing = { thinkingMs: 0, chunkMs: 15 };
/** Simulated model pacing for the demo (`npm start`): ~1–2 s a run. Documented as simulated. */
export const SIMULATED_PACING: AssistantPacing = { thinkingMs: 250, chunkMs: 60 };

interface Task {
  tool: string;
  args: unknown;
  /** What the agent tells the user it is doing (agent_thinking). */
  label: string;
  /** The sentence for the answer; `answered` is false when the tool found nothing useful. */
  describe(outcome: ToolOutcome): { text: string; answered: boolean };
}

// The casts below narrow a dispatcher outcome to the result type the named tool declares.
function tasksFor(plan: AssistantPlan): Task[] {
  const calculations = plan.calculations.map<Task>((expression) => ({
    tool: calculatorTool.name,
    args: { expression },
    label: `Calculating ${expression}`,
    describe: (outcome) => ({ text: describeCalculation(expression, outcome as ToolOutcome<CalculatorResult>), answered: true }),
  }));
  const clocks = plan.clocks.map<Task>((request) => ({
    tool: clockTool.name,
    args: { timeZone: request.timeZone },
    label: `Reading the clock for ${request.place}`,
    describe: (outcome) => ({ text: describeClock(request, outcome as ToolOutcome<ClockResult>), answered: true }),
  }));
  const query = plan.docsQuery;
  const docs: Task[] =
    query === undefined
      ? []
      : [
          {
            tool: docsSearchTool.name,
            args: { query, limit: 3 },
            label: `Searching agentwire's documentation for "${summarize(query)}"`,
            describe: (outcome) => ({
              text: describeDocs(outcome as ToolOutcome<DocsSearchHit[]>),
              answered: outcome.status === 'success' && (outcome.result as DocsSearchHit[]).length > 0,
            }),
          },
        ];
  return [...calculations, ...clocks, ...docs];
}

function summarize(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat;
}

function planText(tasks: readonly Task[]): string {
  if (tasks.length === 0) return "Nothing to calculate or look up, so I'll explain what I can do.";
  const steps = tasks.map((t) => t.label.charAt(0).toLowerCase() + t.label.slice(1));
  return `Plan: ${steps.join('; ')}; then write the answer.`;
}

function compose(plan: AssistantPlan, parts: readonly { text: string; answered: boolean }[]): string {
  const texts = parts.map((p) => p.text);
  const answered = parts.some((p) => p.answered);
  // Some parts answered, some not: name what was skipped rather than drop it silently.
  if (answered && plan.skipped.length > 0) texts.push(describeSkipped(plan.skipped));
  // Nothing useful came back (or nothing was asked): say plainly what the assistant can do.
  if (!answered) {
    if (parts.length === 0 && !plan.greeting) texts.push(OFF_SCRIPT);
    texts.push(CAPABILITIES);
  }
  const answer = texts.join('\n\n');
  return plan.greeting ? `Hi! ${answer}` : answer;
}

/** Thinks out loud, then waits as long as the pacing says (nothing when unpaced). */
async function think(ctx: AgentContext, pacing: AssistantPacing, reasoning: string, options: { step: number; progress: number }): Promise<void> {
  await ctx.thinking(reasoning, options);
  if (pacing.thinkingMs > 0) await ctx.sleep(pacing.thinkingMs);
}

async function runAssistant(input: AgentInput, ctx: AgentContext, pacing: AssistantPacing): Promise<{ answer: string; toolsUsed: string[] }> {
  const plan = planFor(input.text);
  const tasks = tasksFor(plan);
  await think(ctx, pacing, `Reading the question: "${summarize(input.text)}"`, { step: 1, progress: 0.1 });
  await think(ctx, pacing, planText(tasks), { step: 2, progress: 0.2 });
  const parts: { text: string; answered: boolean }[] = [];
  const toolsUsed: string[] = [];
  for (const [i, task] of tasks.entries()) {
    ctx.signal.throwIfAborted();
    await think(ctx, pacing, task.label, { step: 3 + i, progress: 0.2 + (0.6 * i) / tasks.length });
    const outcome = await ctx.tools.call(task.tool, task.args);
    if (!toolsUsed.includes(task.tool)) toolsUsed.push(task.tool);
    parts.push(task.describe(outcome));
  }
  await think(ctx, pacing, 'Writing the answer', { step: 3 + tasks.length, progress: 0.9 });
  const answer = compose(plan, parts);
  await streamAnswer(ctx, answer, pacing.chunkMs);
  return { answer, toolsUsed };
}

/** The assistant at the given pace (unpaced by default). */
export function createAssistantAgent(options: { pacing?: AssistantPacing } = {}): AgentDefinition {
  const pacing = options.pacing ?? UNPACED;
  return defineAgent({
    name: 'assistant',
    description: "Answers questions, does arithmetic, tells the time and searches agentwire's documentation",
    tools: [calculatorTool.name, clockTool.name, docsSearchTool.name],
    run: (input, ctx) => runAssistant(input, ctx, pacing),
  });
}

export const assistantAgent = createAssistantAgent();

/** The tools the assistant needs; register them with the factory alongside it. */
export const builtinTools: readonly ToolDefinition[] = [calculatorTool, clockTool, docsSearchTool];

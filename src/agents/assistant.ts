/**
 * The built-in demo agent. No model and no network, but nothing canned either: it reads the
 * message, plans which tools to call, calls them through the dispatcher (so every call shows up
 * as tool_executing / tool_completed), and streams an answer built from what they returned.
 */
import { defineAgent, type AgentContext, type AgentInput, type ToolDefinition, type ToolOutcome } from '../engine/define-agent.js';
import { CAPABILITIES, describeCalculation, describeClock, describeDocs } from './assistant-answer.js';
import { planFor, type AssistantPlan } from './assistant-intent.js';
import { streamAnswer } from './answer-stream.js';
import { calculatorTool, type CalculatorResult } from './tools/calculator.js';
import { clockTool, type ClockResult } from './tools/clock.js';
import { docsSearchTool, type DocsSearchHit } from './tools/docs-search.js';

/** Long enough between chunks for a person to see the answer stream, short enough not to drag. */
const CHUNK_PAUSE_MS = 15;
const SUMMARY_CHARS = 80;

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
  // Nothing useful came back (or nothing was asked): say what the assistant can do instead.
  if (!parts.some((p) => p.answered)) texts.push(CAPABILITIES);
  const answer = texts.join('\n\n');
  return plan.greeting ? `Hi! ${answer}` : answer;
}

async function runAssistant(input: AgentInput, ctx: AgentContext): Promise<{ answer: string; toolsUsed: string[] }> {
  const plan = planFor(input.text);
  const tasks = tasksFor(plan);
  await ctx.thinking(`Reading the question: "${summarize(input.text)}"`, { step: 1, progress: 0.1 });
  await ctx.thinking(planText(tasks), { step: 2, progress: 0.2 });
  const parts: { text: string; answered: boolean }[] = [];
  const toolsUsed: string[] = [];
  for (const [i, task] of tasks.entries()) {
    ctx.signal.throwIfAborted();
    await ctx.thinking(task.label, { step: 3 + i, progress: 0.2 + (0.6 * i) / tasks.length });
    const outcome = await ctx.tools.call(task.tool, task.args);
    if (!toolsUsed.includes(task.tool)) toolsUsed.push(task.tool);
    parts.push(task.describe(outcome));
  }
  await ctx.thinking('Writing the answer', { step: 3 + tasks.length, progress: 0.9 });
  const answer = compose(plan, parts);
  await streamAnswer(ctx, answer, CHUNK_PAUSE_MS);
  return { answer, toolsUsed };
}

export const assistantAgent = defineAgent({
  name: 'assistant',
  description: "Answers questions, does arithmetic, tells the time and searches agentwire's documentation",
  tools: [calculatorTool.name, clockTool.name, docsSearchTool.name],
  run: runAssistant,
});

/** The tools the assistant needs; register them with the factory alongside it. */
export const builtinTools: readonly ToolDefinition[] = [calculatorTool, clockTool, docsSearchTool];

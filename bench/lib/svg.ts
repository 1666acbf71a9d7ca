/**
 * A hand-written SVG chart: per system, maximum delivered events/s (left) and p99 latency at
 * the fixed rate (right, log scale), each bar the median with a min–max whisker.
 */
import type { Spread, SystemSummary } from './report.js';

const ROW = 34;
const TOP = 66;
const LABEL_WIDTH = 250;
const PANEL_WIDTH = 300;
const GAP = 40;
const COLOURS: Record<string, string> = {
  ws: '#8c8c8c',
  socketio: '#c0504d',
  'socketio-redis': '#e39a98',
  'agentwire-memory': '#2f6db5',
  'agentwire-sqlite': '#4f9bd9',
  'agentwire-redis': '#8cc0ea',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Scale {
  at(value: number): number;
  ticks: number[];
  label(value: number): string;
}

function linear(max: number, width: number): Scale {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(max, 1)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => max / s <= 5) ?? magnitude * 10;
  const top = Math.ceil(max / step) * step || 1;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { at: (v) => (Math.max(0, v) / top) * width, ticks, label: (v) => (v >= 1000 ? `${v / 1000}k` : String(v)) };
}

function logarithmic(min: number, max: number, width: number): Scale {
  const low = 10 ** Math.floor(Math.log10(Math.max(min, 0.01)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(max, low * 10)));
  const span = Math.log10(high) - Math.log10(low);
  const ticks: number[] = [];
  for (let t = low; t <= high * 1.0001; t *= 10) ticks.push(t);
  return { at: (v) => ((Math.log10(Math.max(v, low)) - Math.log10(low)) / span) * width, ticks, label: (v) => (v >= 1 ? String(v) : v.toString()) };
}

function panel(x0: number, title: [string, string], rows: (Spread | undefined)[], scale: Scale, height: number, colours: string[], format: (v: number) => string): string {
  const parts = [`<text x="${x0}" y="${TOP - 40}" class="title">${escape(title[0])}</text>`, `<text x="${x0}" y="${TOP - 27}" class="note">${escape(title[1])}</text>`];
  for (const tick of scale.ticks) {
    const x = x0 + scale.at(tick);
    parts.push(`<line x1="${x}" y1="${TOP - 8}" x2="${x}" y2="${TOP + height}" class="grid"/>`, `<text x="${x}" y="${TOP - 12}" class="tick">${scale.label(tick)}</text>`);
  }
  rows.forEach((s, index) => {
    const y = TOP + index * ROW + 6;
    if (!s) {
      parts.push(`<text x="${x0 + 4}" y="${y + 15}" class="value">not measured</text>`);
      return;
    }
    const w = scale.at(s.median);
    parts.push(`<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 12}" fill="${colours[index]}"/>`);
    if (s.samples.length > 1) {
      const a = x0 + scale.at(s.min);
      const b = x0 + scale.at(s.max);
      const mid = y + (ROW - 12) / 2;
      parts.push(`<path d="M${a.toFixed(1)} ${mid - 5}v10M${a.toFixed(1)} ${mid}H${b.toFixed(1)}M${b.toFixed(1)} ${mid - 5}v10" class="whisker"/>`);
    }
    parts.push(`<text x="${(x0 + Math.max(w, scale.at(s.max)) + 6).toFixed(1)}" y="${y + 15}" class="value">${escape(format(s.median))}</text>`);
  });
  return parts.join('\n');
}

export function chartSvg(summaries: SystemSummary[], subtitle: string): string {
  const height = summaries.length * ROW;
  const colours = summaries.map((s) => COLOURS[s.system] ?? '#666');
  const throughput = summaries.map((s) => s.maxPerSec);
  const p99 = summaries.map((s) => s.fixedP99);
  const maxRate = Math.max(1, ...throughput.map((s) => s?.max ?? 0));
  const latencies = p99.flatMap((s) => (s ? [s.min, s.max] : []));
  const left = LABEL_WIDTH;
  const right = LABEL_WIDTH + PANEL_WIDTH + GAP + 60;
  const width = right + PANEL_WIDTH + 70;
  const total = TOP + height + 40;
  const labels = summaries.map((s, i) => `<text x="${LABEL_WIDTH - 10}" y="${TOP + i * ROW + 21}" class="label">${escape(s.label)}</text>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="system-ui, sans-serif">
<style>
.title { font-size: 13px; font-weight: 600; fill: #222; }
.tick { font-size: 10px; fill: #666; text-anchor: middle; }
.label { font-size: 12px; fill: #222; text-anchor: end; }
.value { font-size: 11px; fill: #222; }
.grid { stroke: #e3e3e3; stroke-width: 1; }
.whisker { stroke: #222; stroke-width: 1.2; fill: none; }
.note { font-size: 10px; fill: #666; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
${labels}
${panel(left, ['max delivered events/s', 'with p99 ≤ 100 ms; higher is better'], throughput, linear(maxRate, PANEL_WIDTH), height, colours, (v) => `${(v / 1000).toFixed(1)}k`)}
${panel(right, ['p99 latency at the fixed rate (ms)', 'log scale; lower is better'], p99, logarithmic(Math.min(...latencies, 1), Math.max(...latencies, 10), PANEL_WIDTH), height, colours, (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`)}
<text x="10" y="${total - 12}" class="note">${escape(subtitle)}</text>
</svg>
`;
}
